"""The Sanic app: secret check, one action call per request, vault housekeeping."""
from __future__ import annotations

import hmac
import itertools
import json
import logging
import zlib
from typing import Any, Dict, Iterable, List

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.backend_client import POOL as BACKEND_CONNECTIONS
from actions.secret_vault import VAULT, bind, is_reference
from actionserver.slot_changes import asked_slot, changing_events

log = logging.getLogger("actionserver")
_names = itertools.count(1)
MAX_BODY_BYTES = 4 * 1024 * 1024  # a long conversation's tracker, with room to spare


def authorized(request: Request, secret: str) -> bool:
    sent = request.headers.get("Authorization", "")
    return bool(secret) and hmac.compare_digest(sent.encode(), f"Bearer {secret}".encode())


def slots_after(tracker: Dict[str, Any], events: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """The conversation's slots once Rasa has applied the events this call returns."""
    slots = dict(tracker.get("slots") or {})
    for event in events:
        kind = event.get("event")
        if kind == "slot":
            slots[event.get("name")] = event.get("value")
        elif kind in ("reset_slots", "restart"):
            slots = {}
    return slots


def references_in(slots: Dict[str, Any]) -> List[str]:
    return [value for value in slots.values() if is_reference(value)]


def create_app(secret: str, actions_package: str = "actions") -> Sanic:
    if not secret:
        raise ValueError("the action server needs a shared secret (ACTION_SERVER_TOKEN)")
    app = Sanic(f"actionserver_{next(_names)}", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    executor = ActionExecutor()
    executor.register_package(actions_package)

    @app.get("/health")
    async def health(_request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(request: Request) -> HTTPResponse:
        if not authorized(request, secret):
            return response.json({"error": "unauthorized"}, status=401)
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        if not authorized(request, secret):
            log.warning("refused an action call without the shared secret from %s", request.ip)
            return response.json({"error": "unauthorized"}, status=401)
        try:
            raw = request.body
            if request.headers.get("Content-Encoding") == "deflate":
                raw = zlib.decompress(raw)
            action_call = json.loads(raw)
        except (ValueError, zlib.error):
            return response.json({"error": "invalid body"}, status=400)
        if not isinstance(action_call, dict) or not isinstance(action_call.get("tracker"), dict):
            return response.json({"error": "invalid body"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        tracker = action_call["tracker"]
        bind(str(tracker.get("sender_id") or ""))  # this request's task serves this conversation only
        # The slots as Rasa holds them: actions may update the SDK tracker's slot dict in place.
        slots_before = dict(tracker.get("slots") or {})
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as rejection:
            return response.json({"error": rejection.message, "action_name": rejection.action_name}, status=400)
        except ActionNotFoundException as missing:
            log.error("unknown action %s", missing.action_name)
            return response.json({"error": missing.message, "action_name": missing.action_name}, status=404)
        except Exception as error:  # noqa: BLE001 - answered without echoing anything of the request
            log.error("action %s failed: %s", action_call.get("next_action"), type(error).__name__)
            return response.json({"error": "the action failed"}, status=500)
        # Entries no slot refers to any more (a task ended, a restart) leave the vault now.
        VAULT.retain(references_in(slots_after(tracker, (result or {}).get("events") or [])))
        if isinstance(result, dict) and isinstance(result.get("events"), list):
            result["events"] = changing_events(slots_before, result["events"],
                                               keep=asked_slot(action_call.get("next_action"), slots_before))
        return response.json(result, status=200)

    @app.listener("before_server_stop")
    async def close_backend_connections(_app: Sanic, _loop: Any) -> None:
        await BACKEND_CONNECTIONS.close()

    @app.exception(Exception)
    async def any_error(_request: Request, error: Exception) -> HTTPResponse:
        status = getattr(error, "status_code", 500)
        log.error("request failed: %s", type(error).__name__)
        return response.json({"error": "request failed"}, status=status if isinstance(status, int) else 500)

    return app
