"""Reporting periods: ``2022`` (year), ``2022-H1`` (half-year), ``2022-Q3`` (quarter), ``2022-07`` (month).

Boundaries are calendar dates in Asia/Almaty (the agency's time zone, ``TIME_ZONE``): date fields already hold local
dates; timestamps are converted with ``AT TIME ZONE 'Asia/Almaty'`` in SQL (see ``LOCAL_TIME_ZONE``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

LOCAL_TIME_ZONE = "Asia/Almaty"
FIRST_YEAR = 1991  # independence: nothing the agency records is older
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("год")
    HALF = "half", _("полугодие")
    QUARTER = "quarter", _("квартал")
    MONTH = "month", _("месяц")


@dataclass(frozen=True, order=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    code: str
    kind: str

    def __str__(self) -> str:
        return self.code

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def previous(self) -> Period:
        """The period of the same kind just before (the collegium report shows it beside the current one)."""
        return period_containing(self.starts_on - dt.timedelta(days=1), self.kind)


def _months(year: int, first: int, count: int) -> tuple[dt.date, dt.date]:
    last = first + count - 1
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def parse_period(code: str) -> Period:
    """The period a code names; a malformed code is a ValidationError with a message the user can act on."""
    match = _PATTERN.match(code.strip()) if isinstance(code, str) else None
    year = int(match["year"]) if match else 0
    if match is None or not FIRST_YEAR <= year <= 2100:
        raise ValidationError(
            _(
                "Неверный период «%(code)s»: укажите год (2022), полугодие (2022-H1), квартал (2022-Q3) "
                "или месяц (2022-07)."
            ),
            code="invalid_period",
            params={"code": str(code)[:40]},
        )
    code = code.strip()
    if match["half"]:
        half = int(match["half"])
        return Period(*_months(year, 6 * half - 5, 6), code=code, kind=PeriodKind.HALF)
    if match["quarter"]:
        quarter = int(match["quarter"])
        return Period(*_months(year, 3 * quarter - 2, 3), code=code, kind=PeriodKind.QUARTER)
    if match["month"]:
        return Period(*_months(year, int(match["month"]), 1), code=code, kind=PeriodKind.MONTH)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), code=code, kind=PeriodKind.YEAR)


def period_containing(day: dt.date, kind: str) -> Period:
    if kind == PeriodKind.YEAR:
        return parse_period(f"{day.year}")
    if kind == PeriodKind.HALF:
        return parse_period(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind == PeriodKind.QUARTER:
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year}-{day.month:02d}")


def periods_between(
    first: dt.date, last: dt.date, kinds: tuple[str, ...] = tuple(PeriodKind.values)
) -> Iterator[Period]:
    """Every period of the given kinds that starts between the period holding ``first`` and ``last``, by start."""
    found = []
    for kind in kinds:
        period = period_containing(first, kind)
        while period.starts_on <= last:
            found.append(period)
            period = period_containing(period.ends_on + dt.timedelta(days=1), kind)
    yield from sorted(found, key=lambda p: (p.starts_on, -p.days))


def sub_periods(period: Period) -> list[Period]:
    """The period and the shorter ones inside it (a year holds its halves, quarters and months)."""
    return [p for p in periods_between(period.starts_on, period.ends_on) if p.ends_on <= period.ends_on]


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the window of ``months`` months ending at ``day`` (the day after the same date back)."""
    ordinal = day.year * 12 + day.month - 1 - months
    year, month = divmod(ordinal, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=1)


def last_tenth_starts_on(period: Period) -> dt.date:
    """The first day of the last tenth of the period's days, as end_of_period_registrations counts it: day i
    (0-based) of an N-day period is in the last tenth when 10·i ≥ 9·N."""
    return period.starts_on + dt.timedelta(days=-(-9 * period.days // 10))
