"""Custom actions around the task form: start, cancel/switch requests, finish, disconnect."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import task_slots as s
from actions.backend_client import BackendRefused, BackendUnavailable, UsesBackendClient
from actions.certificate_lookup import device_lines
from actions.flows import flow_for
from actions.flows.devices import disconnect_buttons
from actions.korean_text import with_particle
from actions.message_reading import is_question, latest_intent, latest_text
from actions.nlu_signals import ranked_candidates
from actions.topics import faq_response, task_titles
from actions.step_context import StepContext, button
from actions.task_controls import reset_task, start_flow
from certpolicy import load_policy


def _events(updates: Dict[str, Any]) -> List[Dict[Text, Any]]:
    return [SlotSet(name, value) for name, value in updates.items()]


# The FAQ that answers a question about a task when the classifier had no better one.
TASK_FAQ = {"issue_certificate": "issue_how", "renew_certificate": "renew_how", "copy_certificate": "copy_how", "revoke_certificate": "delete"}
# Tasks no FAQ answers: a short task text instead.
TASK_ANSWER = {"change_pin": "utter_about_change_pin"}
FAQ_CONFIDENCE = 0.5
# "내 인증서 언제 만료돼?" is a question only the status task can answer: asking it is the request.
ANSWERED_BY_DOING = ("check_certificate",)


def is_question_not_request(tracker: Tracker, task: str) -> bool:
    return task not in ANSWERED_BY_DOING and is_question(latest_text(tracker))  # a ranked FAQ below this is a guess: the task's own FAQ is answered instead


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


class ActionStartTask(UsesBackendClient, Action):
    """Starts the task the customer asked for; the form then asks its first question.

    A question about a task ("…할 수 있나요?") is answered instead, with a button to start it:
    a task never starts unless the customer asked for it or pressed its button.
    """

    def name(self) -> Text:
        return "action_start_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        ctx = StepContext(tracker, dispatcher, self.client)
        if is_question_not_request(tracker, latest_intent(tracker)):
            answer_question_about(dispatcher, tracker, latest_intent(tracker), offer=True)
            return _events({s.TASK: None, s.STEP_LABEL: None})
        try:
            return _events(await start_flow(ctx, latest_intent(tracker)))
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down_start",
                                     buttons=[button("다시 시도", f"/{latest_intent(tracker)}")])
            return _events({**reset_task(tracker.slots), s.TASK: latest_intent(tracker), s.OUTCOME: "unavailable"})


class ActionRequestCancel(Action):
    """"취소/그만": ask before leaving (the form asks cancel_confirm next)."""

    def name(self) -> Text:
        return "action_request_cancel"

    async def run(self, dispatcher, tracker, domain):
        flow = flow_for(tracker.get_slot(s.TASK))
        return [SlotSet(s.CANCEL_PENDING, True), SlotSet(s.CANCEL_CONFIRM, None),
                SlotSet("cancel_task_title", with_particle(flow.title if flow else "요청", "을/를"))]


class ActionRequestSwitch(Action):
    """Another task asked for mid-task: the form asks switch_confirm next (or just continues)."""

    def name(self) -> Text:
        return "action_request_switch"

    async def run(self, dispatcher, tracker, domain):
        current, wanted = flow_for(tracker.get_slot(s.TASK)), flow_for(latest_intent(tracker))
        if wanted is not None and is_question_not_request(tracker, wanted.task):
            # A question mid-task: answer it and stay on the step; no offer to switch tasks.
            answer_question_about(dispatcher, tracker, wanted.task, offer=False)
            return []
        if wanted is None or wanted is current:
            dispatcher.utter_message(response="utter_task_already_running", task_title=with_particle(current.title, "을/를"))
            return []
        return [SlotSet(s.SWITCH_TO, wanted.task), SlotSet(s.SWITCH_CONFIRM, None),
                SlotSet("switch_from_title", with_particle(current.title, "을/를")),
                SlotSet("switch_to_title", with_particle(wanted.title, "으로/로"))]


class ActionFinishTask(Action):
    """After the form: forget the task's secrets and working memory (messages were already sent)."""

    def name(self) -> Text:
        return "action_finish_task"

    async def run(self, dispatcher, tracker, domain):
        updates = {**reset_task(tracker.slots), s.TASK: None}
        if tracker.get_slot(s.OUTCOME) in ("renewed", "issued", "revoked"):
            updates.update({name: None for name in s.CERTIFICATE_SLOTS})  # a new serial: look up afresh
        return _events(updates)


class ActionDisconnectDevice(UsesBackendClient, Action):
    """A "연결 해제" button: disconnect one device of the verified customer's certificate."""

    def name(self) -> Text:
        return "action_disconnect_device"

    async def run(self, dispatcher, tracker, domain):
        ctx = StepContext(tracker, dispatcher, self.client)
        device_id = str(tracker.get_slot("device_id") or "")
        if not ctx.verified() or not tracker.get_slot(s.CERT_SERIAL) or not device_id.isdigit():
            dispatcher.utter_message(response="utter_disconnect_needs_verification",
                                     buttons=[button("다른 기기 연결 관리", "/copy_certificate")])
            return [SlotSet("device_id", None)]
        token, serial = tracker.get_slot(s.VERIFICATION_TOKEN), tracker.get_slot(s.CERT_SERIAL)
        try:
            result = await self.client.disconnect_device(token, serial, int(device_id))
            devices = await self.client.list_devices(token, serial)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down_start")
            return [SlotSet("device_id", None)]
        except BackendRefused as refused:
            dispatcher.utter_message(text=refused.message)
            return [SlotSet("device_id", None)]
        dispatcher.utter_message(response="utter_device_disconnected", device_name=result["disconnected"]["name"],
                                 device_list=device_lines(devices), device_count=len(devices),
                                 max_devices=load_policy().max_devices, buttons=disconnect_buttons(devices))
        return [SlotSet("device_id", None), SlotSet(s.DEVICES, [{"id": d["id"], "name": d["name"]} for d in devices])]
