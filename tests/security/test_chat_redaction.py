"""Finding 10: what the tracker store kept verbatim.

Replayed through the real product with Rasa's trackers in SQLite (what a database dump shows):
a PIN typed at a step that is not a secret step while a task runs, a PIN carried as an entity in a
``/intent{...}`` payload, a PIN in the REST body's ``metadata`` (sent to Rasa's REST channel on
loopback, past the web front which drops it anyway), and resident numbers written with an en dash
or spaces.
"""
import json

import requests
import yaml

from launcher.processes import ROOT
from redaction.rules import ALLOWED_ENTITIES
from tests.security.conftest import PIN, Visitor, stored_events, texts


def rasa(product, sender, message, **extra):
    reply = requests.post(f"{product.rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": message, **extra}, timeout=60)
    assert reply.status_code == 200
    return reply.json()


def test_a_pin_typed_at_the_name_step_is_not_stored(product):
    visitor = Visitor(product.web_url)
    visitor.say("금융인증서 갱신하고 싶어요")
    visitor.say("휴대폰 문자로 할게요")
    asked = texts(visitor.say("135 790"))  # the PIN, at the name step
    assert asked  # the assistant answered (and asks again for a name)
    visitor.say("13-57-90")
    stored = stored_events(product, visitor.conversation_id)
    assert stored and "135 790" not in stored and "13-57-90" not in stored and PIN not in stored


def test_a_pin_in_a_payload_entity_is_not_stored(product):
    sender = "payload-entity"
    rasa(product, sender, f'/greet{{"pin": "{PIN}", "faq_key": "renew_period"}}')
    rasa(product, sender, "금융인증서 갱신하고 싶어요")
    rasa(product, sender, f'/affirm{{"account_password": "{PIN}"}}')
    stored = stored_events(product, sender)
    assert stored and PIN not in stored
    users = [json.loads(line) for line in stored.splitlines() if json.loads(line).get("event") == "user"]
    assert len(users) == 3
    for event in users:  # only the domain's entities are kept, in the text as in the parse data
        assert {e["entity"] for e in event["parse_data"]["entities"]} <= ALLOWED_ENTITIES
        assert '"pin"' not in event["text"] and "account_password" not in event["text"]


def test_rest_metadata_is_not_stored(product):
    sender = "metadata-carrier"
    rasa(product, sender, "안녕하세요", metadata={"pin": PIN, "note": "비밀번호 " + PIN})
    stored = stored_events(product, sender)
    assert stored and PIN not in stored


def test_resident_numbers_with_dashes_or_spaces_are_not_stored(product):
    sender = "resident-number"
    for written in ("900101–1234567", "900101 — 1234567", "900101 1234567", "900101-1234567"):
        rasa(product, sender, f"제 주민번호는 {written}이에요")
    stored = stored_events(product, sender)
    assert stored and "1234567" not in stored and "900101" not in stored


def test_the_entity_allow_list_is_the_domain_entities():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = {next(iter(e)) if isinstance(e, dict) else e for e in domain["entities"]}
    assert ALLOWED_ENTITIES == names
