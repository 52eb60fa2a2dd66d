"""The clock that stops (anticor.clocks): term from the start, extensions, pauses, breach on the right local day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from anticor.clocks import (
    ClockStatus,
    Pause,
    Term,
    add_months,
    clock_state,
    due_on,
    extension_errors,
    pauses_errors,
)

D = dt.date
TWO_MONTHS = Term(months=2)


def test_the_term_runs_from_the_start_in_calendar_months():
    assert due_on(start=D(2026, 1, 15), term=TWO_MONTHS) == D(2026, 3, 15)
    assert due_on(start=D(2025, 12, 31), term=TWO_MONTHS) == D(2026, 2, 28)  # no 31 February: the month's end
    assert due_on(start=D(2024, 12, 31), term=TWO_MONTHS) == D(2025, 2, 28)
    assert due_on(start=D(2023, 12, 31), term=TWO_MONTHS) == D(2024, 2, 29)
    assert due_on(start=D(2026, 3, 1), term=Term(days=30)) == D(2026, 3, 31)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_a_term_is_positive():
    with pytest.raises(ValueError, match="a term is positive: 0 months, 0 days"):
        Term()
    with pytest.raises(ValueError, match="a term is positive: -1 months, 40 days"):
        Term(months=-1, days=40)


def test_an_extension_sets_the_later_deadline():
    assert due_on(start=D(2026, 1, 15), term=TWO_MONTHS, extended_to=[D(2026, 4, 15)]) == D(2026, 4, 15)
    assert due_on(start=D(2026, 1, 15), term=TWO_MONTHS, extended_to=[D(2026, 4, 15), D(2026, 7, 15)]) == D(2026, 7, 15)


def test_an_extension_that_shortens_the_term_or_predates_the_start_is_refused():
    start, current = D(2026, 1, 15), D(2026, 3, 15)
    assert extension_errors(start=start, current_due=current, new_due=D(2026, 3, 16)) == {}
    assert extension_errors(start=start, current_due=current, new_due=current) == {
        "new_due_on": ["Продление должно увеличивать срок: новый срок позже текущего."]
    }
    assert extension_errors(start=start, current_due=current, new_due=D(2026, 2, 1)) == {
        "new_due_on": ["Продление должно увеличивать срок: новый срок позже текущего."]
    }
    assert extension_errors(start=start, current_due=current, new_due=D(2025, 12, 1)) == {
        "new_due_on": ["Новый срок не может быть раньше начала срока."]
    }


def test_a_suspension_of_17_days_moves_the_deadline_by_17_days():
    pause = Pause(starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 18))
    assert pause.days == 17
    state = clock_state(start=D(2026, 1, 15), term=TWO_MONTHS, today=D(2026, 2, 20), pauses=[pause])
    assert (state.due_on, state.days_left, state.status) == (D(2026, 4, 1), 40, ClockStatus.RUNNING)
    assert state.due_on - D(2026, 3, 15) == dt.timedelta(days=17)


def test_while_suspended_the_clock_stands_still_with_the_days_that_were_left():
    pause = Pause(starts_on=D(2026, 3, 5))
    for today in (D(2026, 3, 5), D(2026, 3, 20), D(2026, 9, 1)):
        state = clock_state(start=D(2026, 1, 15), term=TWO_MONTHS, today=today, pauses=[pause])
        assert (state.due_on, state.days_left, state.status, state.paused) == (None, 10, ClockStatus.PAUSED, True)
    # Resumed on 1 April: the ten days left run from there
    resumed = clock_state(
        start=D(2026, 1, 15), term=TWO_MONTHS, today=D(2026, 4, 1), pauses=[Pause(D(2026, 3, 5), D(2026, 4, 1))]
    )
    assert (resumed.due_on, resumed.days_left) == (D(2026, 4, 11), 10)


@pytest.mark.parametrize(
    ("today", "left", "status"),
    [
        (D(2026, 3, 4), 11, ClockStatus.RUNNING),
        (D(2026, 3, 5), 10, ClockStatus.WARNING),  # amber at ten days
        (D(2026, 3, 15), 0, ClockStatus.WARNING),  # the deadline day is still in time
        (D(2026, 3, 16), -1, ClockStatus.BREACHED),  # red the day after
    ],
)
def test_amber_at_ten_days_and_breach_the_day_after_the_deadline(today, left, status):
    state = clock_state(start=D(2026, 1, 15), term=TWO_MONTHS, today=today)
    assert (state.due_on, state.days_left, state.status) == (D(2026, 3, 15), left, status)


def test_breach_is_counted_in_local_days_of_asia_almaty():
    # 15 March 2026, 23:30 in Almaty is 18:30 UTC; 16 March 00:30 in Almaty is still 15 March in UTC.
    from zoneinfo import ZoneInfo

    almaty = ZoneInfo("Asia/Almaty")
    late_evening = dt.datetime(2026, 3, 15, 18, 30, tzinfo=dt.UTC).astimezone(almaty).date()
    after_midnight = dt.datetime(2026, 3, 15, 19, 30, tzinfo=dt.UTC).astimezone(almaty).date()
    assert clock_state(start=D(2026, 1, 15), term=TWO_MONTHS, today=late_evening).status == ClockStatus.WARNING
    assert clock_state(start=D(2026, 1, 15), term=TWO_MONTHS, today=after_midnight).status == ClockStatus.BREACHED


def test_overlapping_or_misordered_pauses_are_refused():
    start = D(2026, 1, 15)
    assert pauses_errors(start=start, pauses=[Pause(D(2026, 2, 1), D(2026, 2, 10)), Pause(D(2026, 3, 1))]) == {}
    overlapping = [Pause(D(2026, 2, 1), D(2026, 2, 10)), Pause(D(2026, 2, 5), D(2026, 2, 20))]
    assert pauses_errors(start=start, pauses=overlapping) == {
        "starts_on": ["Приостановления не пересекаются и начинаются после начала срока."]
    }
    assert pauses_errors(start=start, pauses=[Pause(D(2026, 1, 1), D(2026, 1, 20))]) == {
        "starts_on": ["Приостановления не пересекаются и начинаются после начала срока."]
    }
    assert pauses_errors(start=start, pauses=[Pause(D(2026, 2, 10), D(2026, 2, 1))]) == {
        "ends_on": ["Возобновление не может быть раньше приостановления."]
    }
    with pytest.raises(ValidationError) as error:
        clock_state(
            start=start, term=TWO_MONTHS, today=D(2026, 3, 1), pauses=[Pause(D(2026, 2, 1)), Pause(D(2026, 3, 1))]
        )
    assert error.value.message_dict == {
        "starts_on": ["Приостановления не пересекаются и начинаются после начала срока."]
    }
