"""Rasa's REST channel with its input checked first (credentials.yml: `channels.rest.GuardedRestInput`).

Same URL and reply format as Rasa's own (`POST /webhooks/rest/webhook`). What it adds:
- a body that is not a JSON object with a string `sender` (1-128 characters) and a string `message`
  (at most 20,000 characters) gets 400 with a Korean message instead of Rasa's 500;
- a message that is empty once whitespace and invisible characters are removed is answered in Korean
  without running the pipeline (the tokenizer has nothing to work on);
- when processing fails (Rasa logs the error and would answer nothing), the customer still gets a
  Korean message, marked `{"custom": {"unprocessed": true}}` so a client knows nothing was stored and
  the same message may be sent again — except in a conversation an agent holds (paused), where the
  bot's silence is intended.
"""
from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

MAX_SENDER, MAX_MESSAGE = 128, 20_000
BAD_REQUEST = "요청 형식이 올바르지 않아요. 메시지를 다시 보내 주세요."
EMPTY = "메시지가 비어 있어요. 궁금한 내용을 입력해 주세요."
UNPROCESSED = "죄송해요, 방금 메시지를 처리하지 못했어요. 잠시 후 같은 내용을 다시 보내 주세요."
# Whitespace, zero-width and other invisible format characters (what a message may be made of and
# still show nothing).
_INVISIBLE = re.compile(r"[\s\u00a0\u115f\u1160\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164"
                        r"\ufeff\uffa0\u034f\u061c\u2800]+")


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status, ensure_ascii=False)


def read_body(request: Request) -> Optional[Dict[str, Any]]:
    """The request's JSON object if it has the fields the channel needs, else None."""
    try:
        body = request.json
    except (SanicException, ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not 1 <= len(sender) <= MAX_SENDER:
        return None
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        return None
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate ("\ud800") is valid JSON but not text
        return None
    return body


async def _paused(request: Request, sender: str) -> bool:
    """A conversation an agent holds (agentdesk/: Rasa's paused conversation) is silent on purpose:
    no reply is the right reply there, not the 'could not process' message."""
    try:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
    except Exception:  # noqa: BLE001 - the store is down: the message was not processed either
        return False
    return bool(tracker and tracker.is_paused())


def is_blank(message: str) -> bool:
    return not _INVISIBLE.sub("", message)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"guarded_rest_webhook_{id(self)}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = read_body(request)
            if body is None:
                return _error(BAD_REQUEST)
            sender, text = body["sender"], body["message"]
            if is_blank(text):
                return response.json([{"recipient_id": sender, "text": EMPTY}], ensure_ascii=False)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=self.get_metadata(request)))
            except CancelledError:
                log.error("message handling timed out for a conversation")
            except Exception as error:  # noqa: BLE001 - the customer gets a Korean answer either way
                # Type only: the exception text may quote the message (a PIN).
                log.error("message handling failed: %s", type(error).__name__)
            if not collector.messages and not await _paused(request, sender):
                return response.json([{"recipient_id": sender, "text": UNPROCESSED,
                                       "custom": {"unprocessed": True}}], ensure_ascii=False)
            return response.json(collector.messages, ensure_ascii=False)

        return webhook
