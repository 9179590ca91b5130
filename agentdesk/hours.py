"""When agents answer the chat ("상담 시간"). Pure functions; the action server and the web front share them.

Format: "mon-fri 09:00-18:00", "daily 00:00-24:00" or "never", in the bank's time zone (desk.yml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Optional, Tuple

from agentdesk.settings import desk_setting

try:  # zoneinfo needs tzdata on some systems; Korea has no DST, so a fixed +09:00 is exact.
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KOREAN_DAYS = ("월", "화", "수", "목", "금", "토", "일")
_SPEC = re.compile(r"^\s*(daily|[a-z]{3}(?:-[a-z]{3})?)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$")


@dataclass(frozen=True)
class AgentHours:
    days: Tuple[int, ...]  # 0 = Monday
    opens: time
    closes_minutes: int  # minutes after midnight; 1440 = end of day

    def is_open(self, now: datetime) -> bool:
        if now.weekday() not in self.days:
            return False
        minutes = now.hour * 60 + now.minute
        return self.opens.hour * 60 + self.opens.minute <= minutes < self.closes_minutes

    def describe(self) -> str:
        """Korean, e.g. "평일 09:00~18:00" or "매일 24시간"."""
        if self.days == tuple(range(7)):
            days = "매일"
        elif self.days == tuple(range(5)):
            days = "평일"
        elif len(self.days) == 1:
            days = f"{KOREAN_DAYS[self.days[0]]}요일"
        else:
            days = f"{KOREAN_DAYS[self.days[0]]}~{KOREAN_DAYS[self.days[-1]]}요일"
        if self.opens == time(0, 0) and self.closes_minutes == 1440:
            return f"{days} 24시간"
        closes = f"{self.closes_minutes // 60:02d}:{self.closes_minutes % 60:02d}"
        return f"{days} {self.opens:%H:%M}~{closes}"


def parse_hours(spec: str) -> Optional[AgentHours]:
    """None means agents never answer the chat ("never")."""
    if spec.strip().lower() == "never":
        return None
    match = _SPEC.match(spec.lower())
    if not match:
        raise ValueError(f"agent_hours: cannot read {spec!r} (e.g. 'mon-fri 09:00-18:00')")
    days_spec, oh, om, ch, cm = match.groups()
    if days_spec == "daily":
        days = tuple(range(7))
    else:
        first, _, last = days_spec.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days = tuple(range(start, end + 1))
    opens, closes = time(int(oh), int(om)), int(ch) * 60 + int(cm)
    if not 0 < closes <= 1440 or opens.hour * 60 + opens.minute >= closes:
        raise ValueError(f"agent_hours: closing must follow opening in {spec!r}")
    return AgentHours(days, opens, closes)


def bank_zone():
    name = desk_setting("time_zone")
    if ZoneInfo is not None:
        try:
            return ZoneInfo(name)
        except Exception:  # missing tzdata: Korea is UTC+9 all year
            pass
    return timezone(timedelta(hours=9))


def configured_hours() -> Optional[AgentHours]:
    return parse_hours(str(desk_setting("agent_hours")))


def agents_available(now: Optional[datetime] = None) -> bool:
    hours = configured_hours()
    now = (now or datetime.now(timezone.utc)).astimezone(bank_zone())
    return hours is not None and hours.is_open(now)
