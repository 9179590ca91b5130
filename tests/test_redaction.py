"""What the redacting tracker store masks before anything is persisted."""
from redaction.rules import MASK, redact_events


def user(text):
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": "x"},
                                                        "entities": [{"entity": "e", "value": text}]}}


def requested(slot):
    return {"event": "slot", "name": "requested_slot", "value": slot}


def test_a_message_answering_a_secret_question_is_masked_whole():
    events = [requested("current_pin"), user("13 57 90")]
    stored = redact_events(events)
    assert stored[1]["text"] == MASK and stored[1]["parse_data"]["text"] == MASK
    assert stored[1]["parse_data"]["entities"] == []
    assert events[1]["text"] == "13 57 90"  # the live tracker is not changed


def test_other_answers_are_kept():
    stored = redact_events([requested("customer_name"), user("김민준")])
    assert stored[1]["text"] == "김민준"


def test_after_the_form_ends_messages_are_kept_again():
    events = [requested("verification_code"), user("123456"), {"event": "active_loop", "name": None},
              user("고마워요")]
    assert [e.get("text") for e in redact_events(events) if e["event"] == "user"] == [MASK, "고마워요"]


def test_resident_numbers_are_masked_anywhere():
    stored = redact_events([user("제 주민번호는 900101-1234567이에요")])
    assert "1234567" not in stored[0]["text"] and MASK in stored[0]["text"]


def test_secret_slots_keep_only_references():
    events = [{"event": "slot", "name": "new_pin", "value": "246810"},
              {"event": "slot", "name": "current_pin", "value": "secret:abc"},
              {"event": "slot", "name": "verification_code", "value": MASK}]
    assert [e["value"] for e in redact_events(events)] == [MASK, "secret:abc", MASK]


# --- The store: a saved turn is redacted, whether the store redacts the whole tracker or only the
# turn's new events (the fast path for trackers it handed out itself).
import asyncio
import json
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered

from actions.task_slots import CURRENT_PIN, REQUESTED, TASK
from redaction.tracker_store import RedactingTrackerStore

DOMAIN = Domain.load("domain.yml")
PIN = "135790"
RESIDENT = "900101-1234567"


def turn_events(turn):
    """One turn per call: a task starts and asks for the PIN, the PIN arrives, the form ends."""
    return [
        [UserUttered("인증서 비밀번호 바꿔 주세요", {"name": "change_pin", "confidence": 0.9}),
         SlotSet(TASK, "change_pin"), SlotSet(REQUESTED, CURRENT_PIN), ActionExecuted("action_listen")],
        [UserUttered(PIN, {"name": "affirm", "confidence": 0.3}), SlotSet(CURRENT_PIN, PIN),
         ActiveLoop(None), SlotSet(REQUESTED, None), ActionExecuted("action_listen")],
        [UserUttered(f"제 주민번호는 {RESIDENT}이에요", {"name": "out_of_scope", "confidence": 0.5}),
         ActionExecuted("action_listen")],
    ][turn]


def stored_events(db):
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT data FROM events ORDER BY id")]


def store_on(db):
    return RedactingTrackerStore(DOMAIN, store={"type": "SQL", "dialect": "sqlite", "db": str(db)})


def play(store, sender, fast):
    async def turns():
        for turn in range(3):
            tracker = await store.get_or_create_tracker(sender)
            if not fast:  # a tracker the store did not hand out (a plain copy): redacted whole
                tracker = tracker.copy()
            for event in turn_events(turn):
                tracker.update(event)
            await store.save(tracker)
    asyncio.run(turns())


@pytest.mark.parametrize("fast", [True, False], ids=["new-events-only", "whole-tracker"])
def test_a_saved_pin_and_resident_number_never_reach_the_database(tmp_path, fast):
    db = tmp_path / "conversations.sqlite3"
    play(store_on(db), "c1", fast)
    stored = json.dumps(stored_events(db), ensure_ascii=False)
    assert PIN not in stored and RESIDENT not in stored
    texts = [e["text"] for e in stored_events(db) if e["event"] == "user"]
    assert texts == ["인증서 비밀번호 바꿔 주세요", MASK, texts[2]] and MASK in texts[2]


def test_redacting_only_new_events_stores_what_redacting_everything_stores(tmp_path):
    fast_db, whole_db = tmp_path / "fast.sqlite3", tmp_path / "whole.sqlite3"
    play(store_on(fast_db), "c1", fast=True)
    play(store_on(whole_db), "c1", fast=False)
    strip = lambda events: [{k: v for k, v in e.items() if k != "timestamp"} for e in events]  # noqa: E731
    assert strip(stored_events(fast_db)) == strip(stored_events(whole_db))
    assert len(stored_events(fast_db)) > 10
