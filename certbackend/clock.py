"""An injectable clock: real UTC time plus an offset that tests and demos may move."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


class Clock:
    def __init__(self, offset_days: float = 0.0) -> None:
        self._offset = timedelta(days=offset_days)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(timezone.utc) + self._offset

    @property
    def offset_days(self) -> float:
        return self._offset.total_seconds() / 86400

    def set_offset_days(self, days: float) -> None:
        with self._lock:
            self._offset = timedelta(days=days)

    def today_kst(self):
        return self.now().astimezone(KST).date()
