"""Finding 8 (backend half): demo mode was the default, and the demo inbox served everyone's texts.

Attacker 1: anyone on the network reaching a deployment that forgot BACKEND_DEMO_MODE: it seeded
customers with a known PIN, mounted /demo/clock and served every customer's texts. Demo mode is now
off unless asked for. Attacker 2: any visitor of the demo page: the inbox showed every visitor's
verification codes, so they could finish someone else's verification. The demo phone now shows only
the texts of verifications started from the asking conversation (its channel_ref).
"""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import requests

from launcher.processes import free_port, start, stop, wait_until
from tests.backend.attack import KIMMINJUN, AttackApi, finish, fresh_backend


@pytest.fixture
def forgotten_variable():
    """The backend started the way a careless deployment would: no BACKEND_DEMO_MODE at all."""
    data_dir = Path(tempfile.mkdtemp(prefix="attack-nodemo-"))
    port, token = free_port(), "operator-token-for-this-test"
    saved = os.environ.pop("BACKEND_DEMO_MODE", None)
    try:
        log = data_dir / "backend.log"
        process = start(["-m", "certbackend"], log, {"BACKEND_DATA_DIR": str(data_dir), "BACKEND_PORT": str(port),
                                                     "BACKEND_TOKEN": token})
    finally:
        if saved is not None:
            os.environ["BACKEND_DEMO_MODE"] = saved
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/health", timeout=2).ok, 60, process, log)
        yield url, {"Authorization": f"Bearer {token}"}, data_dir
    finally:
        stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_without_the_variable_there_is_no_demo(forgotten_variable):
    url, headers, data_dir = forgotten_variable
    assert requests.get(f"{url}/health").json()["demo_mode"] is False
    for method, path in (("POST", "/demo/clock"), ("GET", "/demo/customers"), ("GET", "/demo/sms-inbox"),
                         ("POST", "/demo/accounts")):
        assert requests.request(method, url + path, headers=headers, json={"offset_days": 1000}).status_code == 404
    assert requests.get(f"{url}/demo/phone/inbox", headers=headers).status_code in (401, 404)
    # No seeded customer with the published PIN: the demo customer is a stranger here.
    reply = requests.post(f"{url}/v1/verifications", headers=headers, json={"method": "sms", **KIMMINJUN.identity})
    assert reply.status_code == 201
    assert not (data_dir / "phone-token").exists()


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("inbox")
    yield AttackApi(backend)
    finish(backend)


def test_a_visitor_sees_only_the_texts_of_their_own_conversation(api):
    victim = api.new_person(name="피해자")
    api.start_sms(victim)
    code = api.sms_code(victim)
    snoop = api.new_person(name="엿보기")
    api.start_sms(snoop)
    seen_by_snoop = api.texts(snoop)
    assert seen_by_snoop and all(m["phone"] == snoop.masked_phone for m in seen_by_snoop)
    assert code not in str(seen_by_snoop)
    # A conversation that started nothing sees nothing at all.
    assert api.texts(api.new_person(name="구경꾼")) == []


def test_the_phone_inbox_needs_the_phone_credential_and_a_conversation(api):
    victim = api.new_person(name="피해자둘")
    api.start_sms(victim)
    path = "/demo/phone/inbox"
    assert api.call("GET", path, params={"channel_ref": victim.channel_ref}).status_code == 401
    assert requests.get(api.backend.url + path, params={"channel_ref": victim.channel_ref}).status_code == 401
    no_ref = api.phone("GET", path)
    assert no_ref.status_code == 400 and no_ref.json()["error"]["field"] == "channel_ref"
    # The old everyone's-inbox route is gone.
    assert api.call("GET", "/demo/sms-inbox").status_code == 404


def test_polling_the_demo_phone_writes_nothing(api):
    """The web front polls the inbox every few seconds: a poll must not be a database write."""
    import sqlite3
    visitor = api.new_person(name="폴링")
    api.start_sms(visitor)

    def content():
        with sqlite3.connect(api.backend.data_dir / "certbackend.sqlite3") as db:
            return list(db.iterdump())

    before = content()
    for _ in range(10):
        assert api.texts(visitor)
    assert content() == before
