"""The recompute as a job: idempotent, atomic, guarded against a concurrent run, limited to a period or a scope on
request, refusing bad input before it writes anything, and retried by Celery on a transient database error."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections
from django.db.utils import DataError

from anticor.access import AccessDenied
from anticor.indicators import engine
from anticor.indicators.models import IndicatorRun, IndicatorValue, RunStatus, RunTrigger
from anticor.indicators.registry import Group, IndicatorDefinition, Unit, registry
from anticor.indicators.services import RECOMPUTE_LOCK_KEY, indicators_recompute, indicators_recompute_async
from anticor.indicators.sql import aggregate
from anticor.indicators.tasks import indicators_recompute_task
from cases.choices import CaseStatus, RootCauseStatus
from cases.models import RootCause
from tests.factories import D, case, figure, root_cause

pytestmark = pytest.mark.django_db

DEPARTMENTS = 21  # the central office and 20 territorial departments, plus the agency row
SCOPES = DEPARTMENTS + 1


def stored() -> list[tuple]:
    return list(
        IndicatorValue.objects.order_by("code", "scope", "period").values_list(
            "code", "scope", "period", "value", "numerator", "denominator", "run_id", "computed_at"
        )
    )


def small_dataset() -> None:
    root_cause(cases=(case(status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2023-02-01"),))
    case(registered_on="2023-05-01")


def test_a_rerun_on_unchanged_data_writes_nothing_and_changes_no_value():
    small_dataset()
    first = indicators_recompute(trigger=RunTrigger.COMMAND)
    # Periods 2023 … today, every scope, every indicator
    periods = len(first.periods)
    assert first.rows_written == IndicatorValue.objects.count() == periods * SCOPES * len(registry)
    before = stored()

    second = indicators_recompute(trigger=RunTrigger.COMMAND)

    assert (second.status, second.rows_written, second.restatements_written) == ("succeeded", 0, 0)
    assert stored() == before  # not even rewritten: same run, same timestamp


def test_a_change_rewrites_only_the_values_it_changes():
    small_dataset()
    first = indicators_recompute(trigger=RunTrigger.COMMAND)
    # A second case registered in 2023-Q1 in department 75 (entered into the system on the same day)
    case(registered_on="2023-03-15")

    second = indicators_recompute(trigger=RunTrigger.COMMAND)

    # cases_registered, end_of_period_registrations and backdated_entries (its denominator) change for 75 and the
    # agency in 2023, 2023-H1, 2023-Q1 and 2023-03: 3 × 2 × 4 rows.
    assert second.rows_written == 24
    changed = IndicatorValue.objects.filter(run=second)
    assert set(changed.values_list("code", flat=True)) == {
        "cases_registered",
        "end_of_period_registrations",
        "backdated_entries",
    }
    assert set(changed.values_list("scope", "period").distinct()) == {
        (scope, period) for scope in ("75", "agency") for period in ("2023", "2023-H1", "2023-Q1", "2023-03")
    }
    assert figure("cases_registered", "75", "2023-Q1") == (D(2), D(2), None)
    assert IndicatorValue.objects.filter(run=first).count() == first.rows_written - 24


def test_a_failure_mid_run_leaves_the_old_values_and_statuses_intact():
    small_dataset()
    indicators_recompute(trigger=RunTrigger.COMMAND)
    before = stored()
    # New facts that would change values and mark a cause regressed …
    eliminated = root_cause(status=RootCauseStatus.ELIMINATED, verified_on="2023-06-01")
    root_cause(identified_on="2023-08-01", cases=(case(registered_on="2023-07-01"),))
    # … and an indicator that fails after the others were computed (division by zero in the database)
    broken = IndicatorDefinition(
        code="zz_broken",
        name="Сломанный",
        unit=Unit.COUNT,
        better="none",
        group=Group.LEGACY,
        formula="1 ÷ 0",
        sql=aggregate(facts="SELECT 1 AS id, 0 AS department_id, CURRENT_DATE AS day", numerator="count(f.id) / 0"),
        order=999,
        legacy=True,
    )
    with registry.temporarily(broken), pytest.raises(DataError):
        indicators_recompute(trigger=RunTrigger.COMMAND)

    assert stored() == before
    eliminated.refresh_from_db()
    assert (eliminated.status, eliminated.regressed_on) == (RootCauseStatus.ELIMINATED, None)
    run = IndicatorRun.objects.latest("id")
    assert run.status == RunStatus.FAILED
    assert "division by zero" in run.error
    assert run.finished_at is not None
    assert not IndicatorValue.objects.filter(code="zz_broken").exists()
    # Without the broken indicator the next run writes the new figures
    assert indicators_recompute(trigger=RunTrigger.COMMAND).causes_regressed == 1


def test_a_period_or_a_scope_limits_what_is_written():
    small_dataset()
    run = indicators_recompute(trigger=RunTrigger.COMMAND, period="2023-Q1", scope="75")
    assert run.periods == ["2023-Q1"]
    assert set(IndicatorValue.objects.values_list("scope", "period").distinct()) == {("75", "2023-Q1")}
    assert run.rows_written == len(registry)
    agency = indicators_recompute(trigger=RunTrigger.COMMAND, period="2023", scope="agency")
    assert agency.rows_written == len(registry)
    assert figure("root_cause_coverage", "agency", "2023") == (D(100), D(1), D(1))
    assert figure("cases_registered", "75", "2023-Q1") == (D(1), D(1), None)


@pytest.mark.parametrize("period", ["2023-H3", "2023-Q5", "2023-13", "2023-00", "23", "2023H1", "", "2023-h1"])
def test_a_malformed_period_is_refused_before_anything_is_written(period):
    with pytest.raises(ValidationError) as error:
        indicators_recompute(trigger=RunTrigger.COMMAND, period=period)
    assert error.value.messages == [
        f"Неверный период «{period}»: укажите год (2022), полугодие (2022-H1), квартал (2022-Q3) или месяц (2022-07)."
    ]
    assert IndicatorRun.objects.count() == 0


@pytest.mark.parametrize("scope", ["99", "7", "AGENCY", "Алматы"])
def test_an_unknown_scope_is_refused_before_anything_is_written(scope):
    with pytest.raises(ValidationError) as error:
        indicators_recompute(trigger=RunTrigger.COMMAND, scope=scope)
    assert error.value.messages == [f"Неизвестный охват «{scope}»: укажите agency или код департамента (например, 75)."]
    assert (IndicatorRun.objects.count(), IndicatorValue.objects.count()) == (0, 0)


def test_no_data_still_gives_the_current_periods_with_counts_of_zero_and_no_ratios():
    run = indicators_recompute(trigger=RunTrigger.COMMAND)
    assert run.status == "succeeded"
    # Today's year, half, quarter and month
    assert len(run.periods) == 4
    year = run.periods[0]
    assert figure("cases_registered", "agency", year) == (D(0), D(0), None)
    assert figure("root_cause_coverage", "agency", year) == (None, D(0), D(0))


def test_a_manual_run_needs_the_right_to_write_indicators(make_user):
    head = make_user("department_head")
    with pytest.raises(AccessDenied):
        indicators_recompute(trigger=RunTrigger.MANUAL, user=head)
    with pytest.raises(AccessDenied):
        indicators_recompute_async(user=head)
    assert IndicatorRun.objects.count() == 0
    analyst = make_user("analyst", department="00")
    run = indicators_recompute(trigger=RunTrigger.MANUAL, user=analyst)
    assert (run.status, run.requested_by, run.reason) == (
        "succeeded",
        analyst,
        "Пересчёт показателей по запросу пользователя",
    )


def test_recompute_now_queues_a_run_and_sends_it_after_commit(
    make_user, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(indicators_recompute_task, "delay", lambda **kwargs: sent.append(kwargs))
    analyst = make_user("analyst", department="00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = indicators_recompute_async(user=analyst, period="2023-H1", scope="75")
    assert (run.status, run.trigger, run.periods, run.scope) == ("queued", "manual", ["2023-H1"], "75")
    assert sent == []  # nothing goes to the broker before the transaction commits
    for callback in callbacks:
        callback()
    assert sent == [{"run_id": run.pk}]
    # The worker's side: the task executes that run
    assert indicators_recompute_task.apply(kwargs={"run_id": run.pk}).get() == run.pk
    run.refresh_from_db()
    assert (run.status, run.rows_written) == ("succeeded", len(registry))
    # A redelivered task does not run it again
    assert indicators_recompute_task.apply(kwargs={"run_id": run.pk}).get() == run.pk
    assert IndicatorRun.objects.get(pk=run.pk).finished_at == run.finished_at


def test_a_transient_database_error_is_retried_by_the_task(monkeypatch):
    small_dataset()
    real, calls = engine.recompute, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(engine, "recompute", flaky)
    result = indicators_recompute_task.apply()
    assert result.successful()
    assert len(calls) == 2
    runs = list(IndicatorRun.objects.order_by("id").values_list("status", "trigger"))
    assert runs == [("failed", "schedule"), ("succeeded", "schedule")]
    assert indicators_recompute_task.autoretry_for == (OperationalError,)


@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_one_holds_the_lock_is_skipped_and_changes_nothing():
    """Two real connections: a run in another thread holds the advisory lock in its open transaction."""
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    small_dataset()
    inside, release, outcome = threading.Event(), threading.Event(), {}

    def hold(done: int, total: int) -> None:
        if done == 1:
            inside.set()
            release.wait(timeout=60)

    def first_run() -> None:
        try:
            outcome["first"] = indicators_recompute(trigger=RunTrigger.SCHEDULE, progress=hold)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert inside.wait(timeout=60)
        # The first run's transaction is open: nothing it wrote is visible yet
        assert IndicatorValue.objects.count() == 0
        second = indicators_recompute(trigger=RunTrigger.COMMAND)
        assert (second.status, second.rows_written, second.started_at is not None) == ("skipped", 0, True)
        assert IndicatorValue.objects.count() == 0
    finally:
        release.set()
        thread.join(timeout=120)
    first = outcome["first"]
    assert first.status == "succeeded"
    assert IndicatorValue.objects.count() == first.rows_written == len(first.periods) * SCOPES * len(registry)
    # The lock went with the first run's transaction: a run now proceeds
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RECOMPUTE_LOCK_KEY])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT pg_advisory_unlock(%s)", [RECOMPUTE_LOCK_KEY])
    assert indicators_recompute(trigger=RunTrigger.COMMAND).status == "succeeded"


def test_regression_marking_is_limited_to_the_scope_asked_for():
    cause = root_cause(status=RootCauseStatus.ELIMINATED, verified_on="2023-02-01")
    root_cause(identified_on="2023-05-02", cases=(case(registered_on="2023-05-01"),))
    assert indicators_recompute(trigger=RunTrigger.COMMAND, scope="71", period="2023").causes_regressed == 0
    assert RootCause.objects.get(pk=cause.pk).status == "eliminated"
    assert indicators_recompute(trigger=RunTrigger.COMMAND, scope="75", period="2023").causes_regressed == 1
    assert RootCause.objects.get(pk=cause.pk).status == "regressed"
    assert Decimal(1) == figure("recurrence_rate", "75", "2023")[1]


def test_the_catalogue_mirrors_the_registry_and_keeps_retired_codes():
    from anticor.indicators.models import Indicator
    from anticor.indicators.services import indicator_catalogue_sync

    indicator_catalogue_sync()
    assert indicator_catalogue_sync() == 0  # nothing differs: nothing written
    assert set(Indicator.objects.filter(is_active=True).values_list("code", flat=True)) == set(registry.codes())
    retired = Indicator.objects.create(
        code="old_points", app_label="cases", group="legacy", unit="score", better="none", legacy=True, version=3
    )
    Indicator.objects.filter(code="cases_registered").update(version=7)
    assert indicator_catalogue_sync() == 2
    retired.refresh_from_db()
    assert (retired.is_active, Indicator.objects.get(code="cases_registered").version) == (False, 1)
