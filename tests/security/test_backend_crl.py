"""Finding 12: the CRL had no reason codes, certificates named no CRL distribution point,
superseded certificates were missing from the CRL, and every CRL download wrote to the database.

Attacker 1: whoever holds a replaced certificate's key (e.g. the old device after a reissue or
renewal): relying parties could not learn from the CRL that it was superseded. Attacker 2: anyone on
the network: the CRL is public and unauthenticated, and each download was a database write.
"""
import sqlite3

import pytest
from cryptography import x509

from tests.backend.attack import AttackApi, finish, fresh_backend

YEAR = 365.25


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("crl")
    yield AttackApi(backend)
    finish(backend)


def _crl(api):
    reply = api.call("GET", "/v1/ca/crl")
    assert reply.status_code == 200
    return x509.load_der_x509_crl(reply.content)


def _reason(crl, serial_hex):
    entry = crl.get_revoked_certificate_by_serial_number(int(serial_hex, 16))
    assert entry is not None, f"{serial_hex} is not on the CRL"
    return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason


def test_replaced_and_revoked_certificates_are_listed_with_their_reasons(api):
    person = api.new_person()
    token = api.verify(person)
    first = api.issue(token, "482915").json()["certificate"]["serial"]
    second = api.issue(token, "604827").json()["certificate"]["serial"]  # reissue: first is revoked
    api.move_clock(3 * YEAR - 10)
    try:
        token = api.verify(person)
        renewed = api.call("POST", f"/v1/certificates/{second}/renew", token=token, json={"pin": "604827"})
        assert renewed.status_code == 201, renewed.text
        third = renewed.json()["certificate"]["serial"]
        assert api.call("POST", f"/v1/certificates/{third}/revoke", token=token,
                        json={"pin": "604827"}).status_code == 200
        crl = _crl(api)
    finally:
        api.move_clock(0)
    assert _reason(crl, first) == x509.ReasonFlags.superseded
    assert _reason(crl, second) == x509.ReasonFlags.superseded  # renewed: superseded, still on the CRL
    assert _reason(crl, third) == x509.ReasonFlags.cessation_of_operation


def test_certificates_name_where_their_crl_is(api):
    token = api.verify(api.new_person(name="배수지"))
    pem = api.issue(token, "482915").json()["certificate"]["certificate_pem"]
    cert = x509.load_pem_x509_certificate(pem.encode())
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    urls = [name.value for point in points for name in point.full_name]
    assert urls == [f"{api.backend.url}/v1/ca/crl"]
    assert api.call("GET", "/v1/ca/crl").status_code == 200  # and it is really there


def _database_content(api):
    with sqlite3.connect(api.backend.data_dir / "certbackend.sqlite3") as db:
        return list(db.iterdump())


def test_downloading_the_crl_writes_nothing(api):
    before = _database_content(api)
    crls = [_crl(api) for _ in range(20)]
    assert _database_content(api) == before
    # Same content, same CRL number (the number only moves when the content or the hour does).
    assert len({c.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number for c in crls}) == 1
