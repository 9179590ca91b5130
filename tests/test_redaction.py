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
