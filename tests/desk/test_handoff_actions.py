"""The bot's side of the handoff: offer within hours, the phone outside them, queue on yes."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import QUEUE_PAYLOAD, ActionHandoffQueue, ActionOfferHandoff


def run(action, slots=None, active_loop=None):
    tracker = Tracker("tester", slots or {}, {"intent": {"name": "human_handoff"}}, [], False, None,
                      {"name": active_loop} if active_loop else {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_within_hours_the_bot_offers_an_agent(monkeypatch):
    monkeypatch.setenv("AGENT_HOURS", "daily 00:00-24:00")
    messages, events = run(ActionOfferHandoff())
    assert messages[0]["response"] == "utter_handoff_offer"
    assert [b["payload"] for b in messages[0]["buttons"]] == [QUEUE_PAYLOAD, "/deny"]
    assert events == []


def test_outside_hours_the_bot_says_when_and_gives_the_phone(monkeypatch):
    monkeypatch.setenv("AGENT_HOURS", "mon-mon 09:00-09:01")
    for action in (ActionOfferHandoff(), ActionHandoffQueue()):
        messages, events = run(action)
        assert messages[0]["response"] == "utter_handoff_closed"
        assert messages[0]["agent_hours"] == "월요일 09:00~09:01"
        assert events == []
    monkeypatch.setenv("AGENT_HOURS", "never")
    assert run(ActionOfferHandoff())[0][0]["response"] == "utter_handoff_phone_only"


def test_yes_ends_the_task_and_stamps_the_request(monkeypatch):
    monkeypatch.setenv("AGENT_HOURS", "daily 00:00-24:00")
    messages, events = run(ActionHandoffQueue(), slots={"task": "renew_certificate", "requested_slot": "current_pin"},
                           active_loop="task_form")
    assert messages[0]["response"] == "utter_handoff_queued"
    names = [(e["event"], e.get("name")) for e in events]
    assert ("active_loop", None) in names and ("slot", "requested_slot") in names
    stamp = next(e for e in events if e.get("name") == "handoff_requested_at")
    assert isinstance(stamp["value"], float)
    assert not any(e["event"] == "pause" for e in events)  # the web front pauses, after checking the stamp
