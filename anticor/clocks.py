"""Deadlines with a clock that stops (issue 13 item 3): one implementation for every procedural term.

A clock starts on a day and runs for a term (months or days: the pre-trial investigation term, a state body's
answer to a recommendation, the discipline deadlines). An extension sets a later deadline; a pause (suspension)
stops the clock, and the resumption restarts it with the days that were left, so the deadline moves by the
length of the pause. Days are the agency's local days (``Asia/Almaty``): the deadline day itself is still in
time, the day after it is a breach.

Pure computation on dates: the models that keep starts, extensions and pauses hand them to :func:`clock_state`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WARNING_DAYS = 10  # amber from this many days left


class ClockStatus(enum.StrEnum):
    RUNNING = "running"
    WARNING = "warning"  # WARNING_DAYS or fewer days left
    BREACHED = "breached"
    PAUSED = "paused"


@dataclass(frozen=True)
class Term:
    """A term of ``months`` calendar months plus ``days`` days (the Code counts investigation terms in months)."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0 or (self.months, self.days) == (0, 0):
            raise ValueError(f"a term is positive: {self.months} months, {self.days} days")

    def ends_on(self, start: dt.date) -> dt.date:
        return add_months(start, self.months) + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Pause:
    """The clock stood still from ``starts_on`` (the suspension) until ``ends_on`` (the resumption; None: still)."""

    starts_on: dt.date
    ends_on: dt.date | None = None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days if self.ends_on is not None else 0


@dataclass(frozen=True)
class ClockState:
    due_on: dt.date | None  # None while the clock stands still
    days_left: int  # negative once breached; while paused, the days left when it stopped
    status: ClockStatus

    @property
    def paused(self) -> bool:
        return self.status == ClockStatus.PAUSED


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months later; the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    ordinal = day.year * 12 + day.month - 1 + months
    year, month = divmod(ordinal, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def extension_errors(*, start: dt.date, current_due: dt.date, new_due: dt.date) -> dict[str, list]:
    """Why an extension to ``new_due`` is refused (empty: it is fine): an extension lengthens the term."""
    if new_due < start:
        return {"new_due_on": [_("Новый срок не может быть раньше начала срока.")]}
    if new_due <= current_due:
        return {"new_due_on": [_("Продление должно увеличивать срок: новый срок позже текущего.")]}
    return {}


def pauses_errors(*, start: dt.date, pauses: Sequence[Pause]) -> dict[str, list]:
    """Pauses follow each other after the start, each resumed before the next begins; only the last may be open."""
    previous_end = start
    for index, pause in enumerate(sorted(pauses, key=lambda p: p.starts_on)):
        open_before_last = pause.ends_on is None and index != len(pauses) - 1
        if pause.starts_on < previous_end or open_before_last:
            return {"starts_on": [_("Приостановления не пересекаются и начинаются после начала срока.")]}
        if pause.ends_on is not None and pause.ends_on < pause.starts_on:
            return {"ends_on": [_("Возобновление не может быть раньше приостановления.")]}
        previous_end = pause.ends_on or pause.starts_on
    return {}


def due_on(*, start: dt.date, term: Term, extended_to: Sequence[dt.date] = (), pauses: Sequence[Pause] = ()) -> dt.date:
    """The deadline: the term's end (or the last extension's), moved by every finished pause."""
    due = max((term.ends_on(start), *extended_to))
    return due + dt.timedelta(days=sum(pause.days for pause in pauses))


def clock_state(
    *,
    start: dt.date,
    term: Term,
    today: dt.date,
    extended_to: Sequence[dt.date] = (),
    pauses: Sequence[Pause] = (),
) -> ClockState:
    """Where the clock stands on ``today`` (a local date)."""
    errors = pauses_errors(start=start, pauses=pauses)
    if errors:
        raise ValidationError(errors)
    closed = [pause for pause in pauses if pause.ends_on is not None]
    due = due_on(start=start, term=term, extended_to=extended_to, pauses=closed)
    running = next((pause for pause in pauses if pause.ends_on is None), None)
    if running is not None:  # stopped: the days left when it stopped stay left
        return ClockState(due_on=None, days_left=(due - running.starts_on).days, status=ClockStatus.PAUSED)
    left = (due - today).days
    if left < 0:
        status = ClockStatus.BREACHED
    elif left <= WARNING_DAYS:
        status = ClockStatus.WARNING
    else:
        status = ClockStatus.RUNNING
    return ClockState(due_on=due, days_left=left, status=status)
