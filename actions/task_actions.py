"""Custom actions the rules run beside the task form: cancel/switch requests and a device disconnect.

Starting and ending a task happen inside the form itself (actions/task_lifecycle.py)."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import task_slots as s
from actions.backend_client import BackendRefused, BackendUnavailable, UsesBackendClient
from actions.certificate_lookup import device_lines
from actions.flows import flow_for
from actions.flows.devices import disconnect_buttons
from actions.korean_text import with_particle
from actions.message_reading import latest_intent
from actions.step_context import StepContext, button
from actions.task_lifecycle import answer_question_about, is_question_not_request
from certpolicy import load_policy


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
