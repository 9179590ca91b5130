"""Using the certificate on another device: nothing is copied, the device is connected."""
from __future__ import annotations

from typing import Dict, List

from actions import task_slots as s
from actions.certificate_lookup import device_lines
from actions.flows.base import Flow, Updates, common_dead_ends, end
from actions.step_context import StepContext, button
from certpolicy import load_policy

STEPS = ("본인 확인", "기기 이름", "비밀번호 확인")


def disconnect_buttons(devices) -> List[Dict[str, str]]:
    return [button(f"연결 해제: {d['name']}", f'/copy_certificate{{"device_id":"{d["id"]}"}}')
            for d in devices or []]


class DevicesFlow(Flow):
    task = "copy_certificate"
    title = "다른 기기 연결"
    submit_slot = s.CURRENT_PIN
    step_titles = STEPS
    slot_steps = {s.DEVICE_NAME: 2, s.CURRENT_PIN: 3}
    plan_slots = (s.DEVICE_NAME, s.CURRENT_PIN)

    def introduction(self, verified: bool = False) -> str:
        return "utter_devices_intro"

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        dead_end = common_dead_ends(ctx, self, cert)
        if dead_end:
            return dead_end
        devices = cert[s.DEVICES] or []
        limit = load_policy().max_devices
        if len(devices) >= limit:
            ctx.say("utter_devices_full", device_list=device_lines(devices), device_count=len(devices),
                    max_devices=limit, buttons=disconnect_buttons(devices))
            return end("device_limit")
        ctx.say("utter_devices_current", device_list=device_lines(devices), device_count=len(devices),
                max_devices=limit)
        return {}

    async def submit(self, ctx: StepContext) -> Updates:
        token, serial = ctx.verification_token, ctx.slot(s.CERT_SERIAL)
        await ctx.client.connect_device(token, serial, ctx.secret(s.CURRENT_PIN), ctx.slot(s.DEVICE_NAME))
        devices = await ctx.client.list_devices(token, serial)
        ctx.say("utter_devices_connected", device_name=ctx.slot(s.DEVICE_NAME), device_list=device_lines(devices),
                device_count=len(devices), max_devices=load_policy().max_devices,
                buttons=disconnect_buttons(devices))
        return end("device_connected")
