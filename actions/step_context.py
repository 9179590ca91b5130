"""What every form step gets: the live slots, the dispatcher and the backend client."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import task_slots as s
from actions.backend_client import BackendClient
from actions.secret_vault import VAULT

# A verification token is treated as expired this long before the backend would say so.
TOKEN_MARGIN_SECONDS = 30


@dataclass
class StepContext:
    tracker: Tracker
    dispatcher: CollectingDispatcher
    client: BackendClient

    def slot(self, name: str) -> Any:
        return self.tracker.slots.get(name)

    @property
    def task(self) -> Optional[str]:
        return self.slot(s.TASK)

    @property
    def verification_token(self) -> Any:
        """The token slot as the backend client takes it (a vault reference once sec-chat's vault lands)."""
        return self.slot(s.VERIFICATION_TOKEN)

    @property
    def verification_id(self) -> Any:
        return self.slot(s.VERIFICATION_ID)

    def secret(self, slot_name: str) -> Optional[str]:
        return VAULT.get(self.slot(slot_name))

    def verified(self) -> bool:
        expires_at = self.slot(s.TOKEN_EXPIRES_AT)
        return bool(self.slot(s.VERIFICATION_TOKEN)) and isinstance(expires_at, (int, float)) \
            and expires_at - TOKEN_MARGIN_SECONDS > time.time()

    def say(self, response: Optional[str] = None, text: Optional[str] = None,
            buttons: Optional[List[Dict[str, str]]] = None, **kwargs: Any) -> None:
        self.dispatcher.utter_message(response=response, text=text, buttons=buttons or [], **kwargs)


def button(title: str, payload: str) -> Dict[str, str]:
    return {"title": title, "payload": payload}


def faq_button(title: str, key: str) -> Dict[str, str]:
    return button(title, f'/faq{{"faq_key":"{key}"}}')
