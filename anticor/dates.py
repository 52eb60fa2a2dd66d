"""Calendar arithmetic shared by the apps (legal deadlines are counted in calendar months)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier); the 31st of a shorter month becomes its last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
