"""Custom actions with hand-built trackers: which response they choose and what they offer."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionSuggestTopics
from actions.faq import ActionAnswerFaq
from actions.topics import faq_payload, suggestion_prompt


def tracker_for(message):
    return Tracker("tester", {}, message, [], False, None, {}, "action_listen")


def run(action, message):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_for(message), {}))
    return dispatcher.messages, events


def nlu_message(intent_ranking, faq_ranking=(), text="..."):
    return {
        "text": text,
        "intent": {"name": intent_ranking[0][0], "confidence": intent_ranking[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in intent_ranking],
        "entities": [],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in faq_ranking]}
        },
    }


def test_unsure_faq_choice_offers_its_candidates():
    # What the FAQ confidence gate hands over: nlu_fallback on top, faq and its ranking kept.
    message = nlu_message(
        [("nlu_fallback", 0.4), ("faq", 0.95), ("renew_certificate", 0.03)],
        [("renew_how", 0.35), ("renew_period", 0.25), ("expired", 0.08)],
    )
    messages, _ = run(ActionSuggestTopics(), message)
    assert len(messages) == 1 and messages[0]["text"] == suggestion_prompt()
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [faq_payload("renew_how"), faq_payload("renew_period"), faq_payload("expired"), "/human_handoff"]


def test_faq_button_answers_the_named_key_without_nlu():
    # Payload messages skip the NLU pipeline: no response_selector at all (rasa#6370).
    message = {"text": faq_payload("cost"), "intent": {"name": "faq", "confidence": 1.0},
               "entities": [{"entity": "faq_key", "value": "cost"}]}
    messages, _ = run(ActionAnswerFaq(), message)
    assert [m["response"] for m in messages] == ["utter_faq/cost"]


def test_faq_button_with_unknown_key_does_not_invent_a_response():
    message = {"text": "/faq", "intent": {"name": "faq", "confidence": 1.0},
               "entities": [{"entity": "faq_key", "value": "no_such_key"}]}
    messages, _ = run(ActionAnswerFaq(), message)
    assert [m["response"] for m in messages] == ["utter_fallback_unclear"]


def test_fallback_mixes_tasks_and_faq_subtopics_by_weighted_confidence():
    message = nlu_message(
        [("nlu_fallback", 0.45), ("faq", 0.40), ("renew_certificate", 0.30), ("greet", 0.2)],
        [("renew_how", 0.6), ("renew_period", 0.3), ("cost", 0.1)],
    )
    messages, _ = run(ActionSuggestTopics(), message)
    buttons = messages[0]["buttons"]
    # faq 0.40*0.6=0.24 < renew_certificate 0.30; faq 0.40*0.3=0.12; greet is never a topic.
    assert [b["payload"] for b in buttons] == [
        "/renew_certificate", faq_payload("renew_how"), faq_payload("renew_period"), "/human_handoff"
    ]
    assert buttons[0]["title"] == "인증서 갱신하기"


def test_fallback_without_candidates_asks_to_rephrase():
    message = nlu_message([("nlu_fallback", 0.3), ("greet", 0.2), ("thank", 0.1)])
    messages, _ = run(ActionSuggestTopics(), message)
    assert [m["response"] for m in messages] == ["utter_fallback_unclear"]


def test_policy_nlg_fills_numbers_into_a_response():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from certpolicy import load_policy
    from certpolicy.rasa_nlg import PolicyNaturalLanguageGenerator

    domain = Domain.from_dict({"responses": {"utter_x": [{"text": "유효기간은 {validity_years}년이에요.",
        "buttons": [{"title": "t", "payload": '/faq{{"faq_key":"validity"}}'}]}]}})
    nlg = PolicyNaturalLanguageGenerator(domain=domain)
    tracker = DialogueStateTracker.from_events("s", [])
    result = asyncio.run(nlg.generate("utter_x", tracker, "rest"))
    assert result["text"] == f"유효기간은 {load_policy().validity_years}년이에요."
    assert result["buttons"][0]["payload"] == '/faq{"faq_key":"validity"}'


def test_faq_confidence_gate_turns_an_unsure_faq_into_fallback():
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.faq_confidence_gate import FaqConfidenceGate

    gate = FaqConfidenceGate({"retrieval_intent": "faq", "threshold": 0.4})

    def message(faq_confidence):
        return Message(data={
            "text": "갱신",
            "intent": {"name": "faq", "confidence": 0.9},
            "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            "response_selector": {"faq": {"response": {"confidence": faq_confidence,
                                                       "intent_response_key": "faq/renew_how"}}},
        })

    unsure, sure = gate.process([message(0.39), message(0.41)])
    assert unsure.get("intent")["name"] == "nlu_fallback"
    assert [i["name"] for i in unsure.get("intent_ranking")] == ["nlu_fallback", "faq"]
    assert sure.get("intent")["name"] == "faq"
    assert [i["name"] for i in sure.get("intent_ranking")] == ["faq"]


def test_faq_confidence_gate_leaves_other_intents_alone():
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.faq_confidence_gate import FaqConfidenceGate

    gate = FaqConfidenceGate({"retrieval_intent": "faq", "threshold": 0.4})
    greeting = Message(data={"text": "안녕", "intent": {"name": "greet", "confidence": 0.99}})
    assert gate.process([greeting])[0].get("intent")["name"] == "greet"
