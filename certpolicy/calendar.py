"""Date arithmetic both sides must agree on (the chat's summary, the backend's new expiry)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Union

Day = Union[date, datetime]


def add_years(moment: Day, years: int) -> Day:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)
