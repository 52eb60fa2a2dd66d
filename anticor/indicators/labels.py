"""Periods as the indicator pages name them: full labels, short labels for a chart axis, the selectors' options.

Parsing is the engine's (:mod:`anticor.indicators.periods`); here only a URL parameter's error becomes a
:class:`PeriodError` the pages answer with a 400.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anticor.indicators import periods
from anticor.indicators.periods import Period, PeriodKind

MONTHS = (
    gettext_lazy("январь"),
    gettext_lazy("февраль"),
    gettext_lazy("март"),
    gettext_lazy("апрель"),
    gettext_lazy("май"),
    gettext_lazy("июнь"),
    gettext_lazy("июль"),
    gettext_lazy("август"),
    gettext_lazy("сентябрь"),
    gettext_lazy("октябрь"),
    gettext_lazy("ноябрь"),
    gettext_lazy("декабрь"),
)
ROMAN = ("I", "II", "III", "IV")


class PeriodError(ValueError):
    """A period parameter that is not one of 2022, 2022-H1, 2022-Q3, 2022-07 (or out of range)."""


def parse_period(text: Any) -> Period:
    """The engine's period for a URL parameter; PeriodError with the engine's translated message otherwise."""
    try:
        return periods.parse_period(text if isinstance(text, str) else "")
    except ValidationError as error:
        raise PeriodError(" ".join(error.messages)) from error


def period_label(period: Period) -> str:
    year = period.starts_on.year
    if period.kind == PeriodKind.YEAR:
        return _("%(year)s год") % {"year": year}
    if period.kind == PeriodKind.HALF:
        return _("%(index)s-е полугодие %(year)s") % {"index": 1 if period.starts_on.month == 1 else 2, "year": year}
    if period.kind == PeriodKind.QUARTER:
        return _("%(index)s квартал %(year)s") % {"index": ROMAN[(period.starts_on.month - 1) // 3], "year": year}
    return f"{MONTHS[period.starts_on.month - 1]} {year}"


def period_short_label(period: Period) -> str:
    """A label short enough for a chart axis: 2022, 22-H1, 22-Q3, 07.22."""
    if period.kind == PeriodKind.YEAR:
        return period.code
    if period.kind == PeriodKind.MONTH:
        return f"{period.starts_on.month:02d}.{period.starts_on.year % 100:02d}"
    return period.code[2:]


TREND_LENGTH: dict[str, int] = {PeriodKind.YEAR: 5, PeriodKind.HALF: 6, PeriodKind.QUARTER: 8, PeriodKind.MONTH: 12}


def trend_periods(period: Period) -> list[Period]:
    """The periods of the same kind ending with ``period``, oldest first."""
    found = [period]
    while len(found) < TREND_LENGTH[period.kind] and found[-1].starts_on.year > periods.FIRST_YEAR:
        found.append(found[-1].previous)
    return found[::-1]


def period_choices(years: Iterable[int]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Options of the period selector grouped by year, newest year first."""
    groups = []
    for year in sorted(set(years), reverse=True):
        codes = [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{i}" for i in range(1, 5))]
        codes += [f"{year}-{month:02d}" for month in range(1, 13)]
        groups.append((str(year), [(code, period_label(periods.parse_period(code))) for code in codes]))
    return groups


def half_year_choices(years: Iterable[int]) -> list[tuple[str, str]]:
    """Half-years for the collegium report's selector, newest first."""
    return [
        (code, period_label(periods.parse_period(code)))
        for year in sorted(set(years), reverse=True)
        for code in (f"{year}-H2", f"{year}-H1")
    ]
