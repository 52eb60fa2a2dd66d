"""Approving a half-year locks its figures: recomputes keep them and record restatements with a reason beside them
(DESIGN.md §4.5, issue 7 item 4)."""

from __future__ import annotations

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from anticor.access import AccessDenied
from anticor.indicators.models import IndicatorRestatement, IndicatorRun, IndicatorValue, LockedPeriod, RunTrigger
from anticor.indicators.selectors import indicator_figure
from anticor.indicators.services import RECOMPUTE_LOCK_KEY, indicator_period_lock, indicators_recompute
from tests import utils
from tests.factories import D, case, figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", department="00")


@pytest.fixture
def computed():
    case(registered_on="2023-02-01")
    case(registered_on="2023-04-01")
    indicators_recompute(trigger=RunTrigger.COMMAND)


def test_an_analyst_locks_a_finished_half_year_with_an_audit_trail(analyst, computed):
    locked = indicator_period_lock(user=analyst, period="2023-H1", note="Коллегия 14.07.2023")
    assert (locked.period, locked.approved_by, locked.note) == ("2023-H1", analyst, "Коллегия 14.07.2023")
    assert list(locked.audit_events.values_list("pgh_label", "period")) == [("insert", "2023-H1")]


def test_a_second_approval_is_refused_with_a_clear_message(analyst, computed, make_user):
    indicator_period_lock(user=analyst, period="2023-H1")
    other = make_user("analyst", department="00", last_name="Иванова", first_name="Анна", middle_name="")
    with pytest.raises(ValidationError) as error:
        indicator_period_lock(user=other, period="2023-H1")
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert error.value.message_dict == {
        "period": [f"Отчёт за 2023-H1 уже утверждён {today} ({analyst.display_name}); показатели периода закреплены."]
    }
    assert LockedPeriod.objects.get().approved_by == analyst


def test_only_approvers_of_collegium_reports_lock(make_user, computed):
    for role in ("department_head", "project_lead", "auditor"):
        with pytest.raises(AccessDenied):
            indicator_period_lock(user=make_user(role), period="2023-H1")
    assert LockedPeriod.objects.count() == 0


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2023", "Утверждается отчёт за полугодие: укажите период вида 2022-H1 или 2022-H2."),
        ("2023-Q1", "Утверждается отчёт за полугодие: укажите период вида 2022-H1 или 2022-H2."),
        ("2022-H1", "Показатели за 2022-H1 ещё не рассчитаны: сначала выполните пересчёт."),
    ],
)
def test_only_a_computed_half_year_is_locked(analyst, computed, period, message):
    with pytest.raises(ValidationError) as error:
        indicator_period_lock(user=analyst, period=period)
    assert error.value.message_dict == {"period": [message]}
    assert LockedPeriod.objects.count() == 0


def test_a_half_year_in_progress_is_not_locked(analyst, computed):
    today = timezone.localdate()
    current = f"{today.year}-H{1 if today.month <= 6 else 2}"
    with pytest.raises(ValidationError) as error:
        indicator_period_lock(user=analyst, period=current)
    assert error.value.message_dict == {"period": [f"Полугодие {current} ещё не закончилось."]}
    with pytest.raises(ValidationError):
        indicator_period_lock(user=analyst, period="2023-H3")


def test_a_recompute_restates_a_locked_value_instead_of_changing_it(analyst, computed):
    indicator_period_lock(user=analyst, period="2023-H1")
    # A case of H1 is entered later (the data behind the approved report changed)
    case(registered_on="2023-05-05")

    run = indicators_recompute(trigger=RunTrigger.SCHEDULE)

    # The approved figure stays …
    assert figure("cases_registered", "75", "2023-H1") == (D(2), D(2), None)
    # … the restatement says what the data give now and why it was computed
    restatement = IndicatorRestatement.objects.get(code="cases_registered", scope="75", period="2023-H1")
    assert (restatement.old_value, restatement.new_value, restatement.new_numerator) == (D(2), D(3), D(3))
    assert (restatement.reason, restatement.run) == ("Плановый ночной пересчёт показателей", run)
    # Periods that are not locked follow the data: the quarter and the year inside and around it
    assert figure("cases_registered", "75", "2023-Q2") == (D(2), D(2), None)
    assert figure("cases_registered", "75", "2023") == (D(3), D(3), None)
    # Both figures are visible
    shown = indicator_figure(user=analyst, code="cases_registered", scope="75", period="2023-H1")
    assert (shown.value.value, shown.locked.period, shown.current) == (D(2), "2023-H1", D(3))
    assert [r.new_value for r in shown.restatements] == [D(3)]
    # Each restated row: cases_registered and the two ratios over cases registered, for 75 and the agency
    assert run.restatements_written == IndicatorRestatement.objects.count() == 6
    assert set(IndicatorRestatement.objects.values_list("code", flat=True)) == {
        "cases_registered",
        "end_of_period_registrations",
        "backdated_entries",
    }
    assert restatement.audit_events.count() == 1


def test_a_restatement_is_written_once_and_again_only_when_the_figure_moves(analyst, computed):
    indicator_period_lock(user=analyst, period="2023-H1")
    late = case(registered_on="2023-05-05")
    indicators_recompute(trigger=RunTrigger.SCHEDULE)
    assert indicators_recompute(trigger=RunTrigger.SCHEDULE).restatements_written == 0
    # The late case turns out to be a wrong record: the figure returns to the approved one — also recorded
    late.is_archived = True
    late.save()
    back = indicators_recompute(trigger=RunTrigger.COMMAND)
    assert back.restatements_written == 6
    history = IndicatorRestatement.objects.filter(code="cases_registered", scope="75", period="2023-H1").order_by("id")
    assert [(r.old_value, r.new_value, r.reason) for r in history] == [
        (D(2), D(3), "Плановый ночной пересчёт показателей"),
        (D(2), D(2), "Пересчёт показателей командой recompute_indicators"),
    ]
    assert figure("cases_registered", "75", "2023-H1") == (D(2), D(2), None)


def test_a_restatement_without_a_reason_is_refused(computed):
    value = IndicatorValue.objects.filter(scope="75").first()
    run = IndicatorRun.objects.get()
    restatement = IndicatorRestatement(
        code=value.code, scope="75", department=value.department, period=value.period, reason="  ", run=run
    )
    with pytest.raises(ValidationError) as error:
        restatement.full_clean()
    assert error.value.message_dict == {
        "reason": ["Пересмотр утверждённого значения без основания не допускается."]
    }  # at its field (anticor.bounds)
    restatement.reason = ""
    with pytest.raises(ValidationError) as error:
        restatement.full_clean()
    assert error.value.message_dict == {"reason": ["Это поле не может быть пустым."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        restatement.save()
    # Nor can a run without a reason produce one
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorRun.objects.create(trigger=RunTrigger.MANUAL, reason="")
    assert IndicatorRestatement.objects.count() == 0


def test_restatements_and_locks_cannot_be_erased(analyst, computed):
    locked = indicator_period_lock(user=analyst, period="2023-H1")
    with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
        LockedPeriod.objects.filter(pk=locked.pk).delete()
    assert LockedPeriod.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approval_while_a_recompute_runs_is_refused(make_user):
    # Committed figures (a run's advisory lock ends with its transaction) …
    call_command("load_reference", verbosity=0)
    analyst = make_user("analyst", department="00")
    case(registered_on="2023-02-01")
    indicators_recompute(trigger=RunTrigger.COMMAND)
    # … and another connection (a running recompute) holding the job's advisory lock
    with psycopg.connect(utils.test_database_url(), autocommit=False) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
        with pytest.raises(ValidationError) as error:
            indicator_period_lock(user=analyst, period="2023-H1")
    assert error.value.message_dict == {"period": ["Идёт пересчёт показателей: утвердите отчёт после его завершения."]}
    assert LockedPeriod.objects.count() == 0
    assert indicator_period_lock(user=analyst, period="2023-H1").period == "2023-H1"
