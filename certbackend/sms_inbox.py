"""The demo SMS inbox: the customer's pretend phone, not the bank's database.

Kept in process memory (never written anywhere) and readable only through the demo endpoint,
so the verification API itself never returns a code.
"""
from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from typing import Deque, Dict, List


class SmsInbox:
    def __init__(self, capacity: int = 50) -> None:
        self._messages: Deque[Dict[str, str]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def deliver(self, masked_phone: str, text: str, sent_at: datetime) -> None:
        with self._lock:
            self._messages.appendleft(
                {"phone": masked_phone, "text": text, "sent_at": sent_at.isoformat()})

    def recent(self) -> List[Dict[str, str]]:
        with self._lock:
            return list(self._messages)
