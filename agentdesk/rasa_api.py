"""The web front's client for Rasa's HTTP API (`--enable-api` with `--auth-token`, loopback only).

The desk reads a conversation's tracker and appends events to it: ConversationPaused/Resumed
(Rasa's own switch that keeps the bot silent while an agent holds the conversation) and BotUttered
events carrying the agent's words, marked in their metadata. Rasa takes the token only as a query
parameter; it goes to loopback and is never logged by this side (the access log has no query string).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from aiohttp import ClientError, ClientSession, ClientTimeout

from agentdesk.transcript import DESK_KEY

log = logging.getLogger("agentdesk.rasa")
TIMEOUT = ClientTimeout(total=10)


class RasaUnavailable(Exception):
    """Rasa's API did not answer (down, slow, or not enabled)."""


class RasaApi:
    def __init__(self, session: ClientSession, base_url: str, token: str) -> None:
        self.session, self.base_url, self.token = session, base_url.rstrip("/"), token

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/tracker{suffix}"

    async def _call(self, method: str, url: str, **kwargs: Any) -> Dict[str, Any]:
        if not self.enabled:
            raise RasaUnavailable("Rasa's API has no token configured")
        params = {"token": self.token, **kwargs.pop("params", {})}
        try:
            async with self.session.request(method, url, params=params, timeout=TIMEOUT, **kwargs) as reply:
                if reply.status != 200:
                    log.warning("Rasa API %s %s answered %s", method, url.split("?")[0], reply.status)
                    raise RasaUnavailable(f"status {reply.status}")
                return await reply.json()
        except (ClientError, asyncio.TimeoutError) as exc:
            log.warning("Rasa API unreachable: %s", type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._call("GET", self._url(conversation_id, ""), params={"include_events": "ALL"})

    async def append(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        await self._call("POST", self._url(conversation_id, "/events"), json=events,
                         params={"include_events": "NONE"})


def desk_message(text: str, kind: str, agent_name: Optional[str] = None) -> Dict[str, Any]:
    """A BotUttered event for words from the desk: an agent's reply or a system notice."""
    metadata: Dict[str, Any] = {DESK_KEY: kind}
    if agent_name:
        metadata["agent_name"] = agent_name
    return {"event": "bot", "text": text, "metadata": metadata, "timestamp": time.time()}


PAUSE = {"event": "pause"}
RESUME = {"event": "resume"}
