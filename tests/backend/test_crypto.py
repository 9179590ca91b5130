"""The certificates, CRL and signatures checked with `cryptography` itself."""
import base64
import sqlite3
from datetime import datetime

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from certbackend.ca import CERTIFICATE_POLICY_OID
from certbackend.keywrap import WrongPin, unwrap_private_key
from tests.backend.conftest import Api


@pytest.fixture
def ca_certs(api: Api):
    pems = api.call("GET", "/v1/ca/certificates").json()
    return (x509.load_pem_x509_certificate(pems["root_pem"].encode()),
            x509.load_pem_x509_certificate(pems["issuing_pem"].encode()))


def _other_ca() -> x509.Certificate:
    """A CA with the same name as ours but another key: must not verify our certificates."""
    from datetime import timedelta, timezone
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "KB Kookmin Bank (MOCK)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "KB MOCK 금융인증서 Issuing CA")])
    now = datetime.now(timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))


def _issue(api: Api, pin="482915"):
    person = api.new_person(name="이서연", birth_date="1992-09-03")
    token = api.verify(person)
    view = api.issue(token, pin).json()["certificate"]
    return token, view, x509.load_pem_x509_certificate(view["certificate_pem"].encode())


def test_certificate_chains_to_the_mock_root(api: Api, ca_certs):
    root, issuing = ca_certs
    _, _, cert = _issue(api)
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    cert.verify_directly_issued_by(issuing)
    with pytest.raises(InvalidSignature):
        cert.verify_directly_issued_by(_other_ca())
    assert cert.issuer == issuing.subject and issuing.issuer == root.subject
    assert issuing.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True


def test_certificate_profile(api: Api):
    _, view, cert = _issue(api)
    assert cert.version == x509.Version.v3
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey) and cert.public_key().curve.name == "secp256r1"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "이서연"
    subject_text = cert.subject.rfc4514_string()
    assert "920903" not in subject_text and "1992" not in subject_text
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [CERTIFICATE_POLICY_OID]
    assert cert.not_valid_after_utc == datetime.fromisoformat(view["not_after"]).replace(microsecond=0)
    assert cert.not_valid_after_utc.year - cert.not_valid_before_utc.year == 3
    assert format(cert.serial_number, "x") == view["serial"]


def test_signature_over_a_challenge_verifies_with_the_certificate(api: Api):
    token, view, cert = _issue(api)
    challenge = "로그인 확인 2026-11-25 nonce=8f2a"
    reply = api.call("POST", f"/v1/certificates/{view['serial']}/sign", token=token,
                     json={"pin": "482915", "challenge": challenge})
    assert reply.status_code == 200
    signature = base64.b64decode(reply.json()["signature"])
    cert.public_key().verify(signature, challenge.encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        cert.public_key().verify(signature, b"another text", ec.ECDSA(hashes.SHA256()))


def test_crl_is_signed_and_lists_revoked_serials(api: Api, ca_certs):
    _, issuing = ca_certs
    token, view, cert = _issue(api)
    keeper_token, keeper_view, _ = _issue(api)
    assert api.call("POST", f"/v1/certificates/{view['serial']}/revoke", token=token,
                    json={"pin": "482915"}).status_code == 200
    reply = api.call("GET", "/v1/ca/crl")
    assert reply.headers["content-type"].startswith("application/pkix-crl")
    crl = x509.load_der_x509_crl(reply.content)
    assert crl.is_signature_valid(issuing.public_key())
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(int(keeper_view["serial"], 16)) is None
    pem = api.call("GET", "/v1/ca/crl?format=pem").text
    assert x509.load_pem_x509_crl(pem.encode()).is_signature_valid(issuing.public_key())


def test_a_reissued_certificate_lands_on_the_crl(api: Api, ca_certs):
    token, view, cert = _issue(api)
    api.issue(token, "604827")
    crl = x509.load_der_x509_crl(api.call("GET", "/v1/ca/crl").content)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def test_stored_key_is_useless_without_the_pin(api: Api, backend):
    _, view, cert = _issue(api, pin="604827")
    with sqlite3.connect(backend.data_dir / "certbackend.sqlite3") as db:
        blob = db.execute("SELECT wrapped_key FROM certificates WHERE serial_hex = ?", (view["serial"],)).fetchone()[0]
    with pytest.raises(ValueError):
        serialization.load_der_private_key(blob, password=None)
    pepper = (backend.data_dir / "key-pepper.secret").read_text().strip().encode()
    with pytest.raises(WrongPin):
        unwrap_private_key(blob, "482915", pepper)
    with pytest.raises(WrongPin):  # the right PIN without the server's pepper (a dump alone) fails too
        unwrap_private_key(blob, "604827", b"")
    key = unwrap_private_key(blob, "604827", pepper)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def test_ca_keys_are_encrypted_at_rest(backend):
    with sqlite3.connect(backend.data_dir / "certbackend.sqlite3") as db:
        pems = [row[0] for row in db.execute("SELECT encrypted_key_pem FROM ca_material")]
    assert len(pems) == 2
    for pem in pems:
        assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(pem.encode(), password=None)


def test_crl_stays_valid_at_the_demo_clock_limits(api: Api):
    """Schemathesis found GET /v1/ca/crl → 500 after the demo clock went 100 years back (a CRL
    number below zero, dates before 1950): the clock now goes back at most 10 years."""
    try:
        assert api.call("POST", "/demo/clock", json={"offset_days": -36500}).status_code == 400
        for days in (-3650, 36500):
            api.move_clock(days)
            reply = api.call("GET", "/v1/ca/crl")
            assert reply.status_code == 200, reply.text
            assert x509.load_der_x509_crl(reply.content).next_update_utc > x509.load_der_x509_crl(
                reply.content).last_update_utc
    finally:
        api.move_clock(0)


def test_a_renewed_key_is_sealed_with_the_pin_check_s_derived_key(api: Api, backend):
    """Renewal pays one scrypt, not two: the new key is sealed under the key-encryption key the PIN
    check derived (same salt, fresh nonce). Both blobs still open only with the PIN and the pepper,
    and the new blob holds the new certificate's key."""
    token, view, _ = _issue(api, pin="604827")
    api.move_clock(3 * 365.25 - 10)
    token = api.verify(api._people[token])
    reply = api.call("POST", f"/v1/certificates/{view['serial']}/renew", token=token, json={"pin": "604827"})
    assert reply.status_code == 201, reply.text
    renewed = reply.json()["certificate"]
    with sqlite3.connect(backend.data_dir / "certbackend.sqlite3") as db:
        blobs = dict(db.execute("SELECT serial_hex, wrapped_key FROM certificates WHERE serial_hex IN (?, ?)",
                                (view["serial"], renewed["serial"])).fetchall())
        new_pem = db.execute("SELECT certificate_pem FROM certificates WHERE serial_hex = ?",
                             (renewed["serial"],)).fetchone()[0]
    old_blob, new_blob = blobs[view["serial"]], blobs[renewed["serial"]]
    assert new_blob[1:17] == old_blob[1:17]  # the salt: the same derived key
    assert new_blob[17:29] != old_blob[17:29]  # the nonce: never reused under that key
    pepper = (backend.data_dir / "key-pepper.secret").read_text().strip().encode()
    with pytest.raises(WrongPin):
        unwrap_private_key(new_blob, "482915", pepper)
    key = unwrap_private_key(new_blob, "604827", pepper)
    new_cert = x509.load_pem_x509_certificate(new_pem.encode())
    assert key.public_key().public_numbers() == new_cert.public_key().public_numbers()


def test_opening_and_resealing_derives_the_pin_key_once(monkeypatch):
    from certbackend import keywrap

    pepper = b"p" * 32
    blob = keywrap.wrap_private_key(ec.generate_private_key(ec.SECP256R1()), "604827", pepper)
    derived = []
    real_kek = keywrap._kek
    monkeypatch.setattr(keywrap, "_kek", lambda *args: derived.append(1) or real_kek(*args))
    _, seal = keywrap.open_private_key(blob, "604827", pepper)
    successor = ec.generate_private_key(ec.SECP256R1())
    sealed = seal.seal(successor)
    assert len(derived) == 1
    assert keywrap.unwrap_private_key(sealed, "604827", pepper).private_numbers() == successor.private_numbers()
