"""Reporting periods: parsing, boundaries (calendar dates, leap years), and neighbours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from anticor.indicators.periods import parse_period, period_containing, periods_between, sub_periods


@pytest.mark.parametrize(
    ("code", "kind", "starts_on", "ends_on", "days"),
    [
        ("2022", "year", "2022-01-01", "2022-12-31", 365),
        ("2024-H1", "half", "2024-01-01", "2024-06-30", 182),
        ("2023-H1", "half", "2023-01-01", "2023-06-30", 181),
        ("2023-H2", "half", "2023-07-01", "2023-12-31", 184),
        ("2022-Q3", "quarter", "2022-07-01", "2022-09-30", 92),
        ("2024-02", "month", "2024-02-01", "2024-02-29", 29),
        ("2022-07", "month", "2022-07-01", "2022-07-31", 31),
    ],
)
def test_a_period_has_calendar_boundaries(code, kind, starts_on, ends_on, days):
    period = parse_period(code)
    assert (period.code, period.kind, period.starts_on.isoformat(), period.ends_on.isoformat(), period.days) == (
        code,
        kind,
        starts_on,
        ends_on,
        days,
    )


@pytest.mark.parametrize(
    "code", ["2022-H0", "2022-Q0", "2022-7", "2022-1", "1990", "22-H1", "2022-H1-01", "x", "2022-W01"]
)
def test_malformed_periods_are_refused_with_the_accepted_forms(code):
    with pytest.raises(ValidationError) as error:
        parse_period(code)
    assert "укажите год (2022), полугодие (2022-H1), квартал (2022-Q3) или месяц (2022-07)" in error.value.messages[0]


def test_the_previous_period_and_the_periods_inside():
    assert parse_period("2023-H1").previous.code == "2022-H2"
    assert parse_period("2023-01").previous.code == "2022-12"
    assert period_containing(dt.date(2023, 6, 30), "half").code == "2023-H1"
    assert period_containing(dt.date(2023, 7, 1), "half").code == "2023-H2"
    assert [p.code for p in sub_periods(parse_period("2023-H1"))] == [
        "2023-H1",
        "2023-Q1",
        "2023-01",
        "2023-02",
        "2023-03",
        "2023-Q2",
        "2023-04",
        "2023-05",
        "2023-06",
    ]
    # From 5 March 2022: the year, both halves, four quarters and ten months of 2022, then all 19 periods of 2023
    assert len(list(periods_between(dt.date(2022, 3, 5), dt.date(2023, 12, 31)))) == 17 + 19
