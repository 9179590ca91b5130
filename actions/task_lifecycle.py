"""How a guided task begins and ends; both run inside validate_task_form.

A task request used to be three action calls and four predictions in Rasa: `action_start_task`,
`task_form`, `action_finish_task`, `action_listen`. The start now runs in the form's first call
(Rasa calls validate_task_form when it activates the form) and the end in its last (the call that
sets `requested_slot` to None), so a request the form answers at once — a status check of a
customer verified minutes ago — is one action call and two predictions. Under 20 concurrent
customers each prediction and action call is Rasa CPU that every other customer waits behind
(docs/performance.md, "Where the 20-customer p95 sits now").
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import task_slots as s
from actions.backend_client import BackendUnavailable
from actions.flows import flow_for
from actions.message_reading import is_question, latest_intent, latest_text
from actions.nlu_signals import ranked_candidates
from actions.step_context import StepContext, button
from actions.task_controls import reset_task, start_flow
from actions.topics import faq_response, task_titles

# The FAQ that answers a question about a task when the classifier had no better one.
TASK_FAQ = {"issue_certificate": "issue_how", "renew_certificate": "renew_how", "copy_certificate": "copy_how",
            "revoke_certificate": "delete"}
# Tasks no FAQ answers: a short task text instead.
TASK_ANSWER = {"change_pin": "utter_about_change_pin"}
FAQ_CONFIDENCE = 0.5  # a ranked FAQ below this is a guess: the task's own FAQ is answered instead
# "내 인증서 언제 만료돼?" is a question only the status task can answer: asking it is the request.
ANSWERED_BY_DOING = ("check_certificate",)
# Outcomes after which the certificate has a new serial or none: it is looked up afresh next time.
CERTIFICATE_CHANGED = ("renewed", "issued", "revoked")


def is_activation(tracker: Tracker) -> bool:
    """Whether Rasa is activating the form: its ActiveLoop event is newer than the customer's message.

    Rasa applies the ActiveLoop event before it calls the validation on activation, so the
    active loop alone cannot tell; a form already running gets no new ActiveLoop event. The form
    is only ever activated by a task request (data/rules_tasks.yml), a typed one or a button
    such as "다시 시도" after an outage at the start.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name"):
            return True
    return False


def is_question_not_request(tracker: Tracker, task: str) -> bool:
    return task not in ANSWERED_BY_DOING and is_question(latest_text(tracker))


def answer_question_about(dispatcher: CollectingDispatcher, tracker: Tracker, task: str, offer: bool) -> None:
    """'다른 기기에서도 쓸 수 있나요?' filed as a task request: answer it; start nothing.

    ``offer``: no task is running, so a button may start this one if the customer wants it.
    """
    candidates = [c for c in ranked_candidates(tracker.latest_message or {}, limit=1)
                  if c.kind == "faq" and c.confidence >= FAQ_CONFIDENCE]
    key = candidates[0].key if candidates else TASK_FAQ.get(task)
    buttons = [button(task_titles()[task], f"/{task}")] if offer and task in task_titles() else []
    if key:
        dispatcher.utter_message(response=faq_response(key))
    elif task in TASK_ANSWER:
        dispatcher.utter_message(response=TASK_ANSWER[task])
    if buttons:
        dispatcher.utter_message(response="utter_task_offer", buttons=buttons)


async def begin_requested_task(ctx: StepContext) -> Dict[str, Any]:
    """The slot updates that start the task the customer asked for (the form then asks its first step).

    A question about a task ("…할 수 있나요?") is answered instead, with a button to start it: a
    task never starts unless the customer asked for it or pressed its button. A backend outage
    at the start ends the request at once with a "다시 시도" button that asks again.
    """
    task = latest_intent(ctx.tracker)
    if flow_for(task) is None:
        return {s.TASK: None, s.STEP_LABEL: None}
    if is_question_not_request(ctx.tracker, task):
        answer_question_about(ctx.dispatcher, ctx.tracker, task, offer=True)
        return {s.TASK: None, s.STEP_LABEL: None}
    try:
        return await start_flow(ctx, task)
    except BackendUnavailable:
        ctx.say("utter_backend_down_start", buttons=[button("다시 시도", f"/{task}")])
        return {**reset_task(ctx.tracker.slots), s.TASK: task, s.OUTCOME: "unavailable"}


def finishing_events(slots: Dict[str, Any]) -> List[EventType]:
    """After the task's last message: forget its secrets and working memory.

    Emitted after the step's own SlotSets, so the stored conversation still shows the outcome
    (agentdesk reads `task_outcome` before `task` goes back to None).
    """
    updates = {**reset_task(slots), s.TASK: None}
    if slots.get(s.OUTCOME) in CERTIFICATE_CHANGED:
        updates.update({name: None for name in s.CERTIFICATE_SLOTS})
    return [SlotSet(name, value) for name, value in updates.items()]
