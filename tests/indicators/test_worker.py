"""The nightly job through the real Redis broker and a real Celery worker process (as in production)."""

from __future__ import annotations

import time

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from anticor.indicators.models import IndicatorRun, IndicatorValue, RunStatus
from anticor.indicators.registry import registry
from anticor.indicators.services import indicators_recompute_async
from anticor.indicators.tasks import indicators_recompute_task
from tests.factories import D, case, figure


def test_the_beat_runs_the_job_at_two_in_the_morning_almaty_time():
    entry = settings.CELERY_BEAT_SCHEDULE["recompute-indicators"]
    assert entry["task"] == indicators_recompute_task.name == "anticor.tasks.indicators_recompute_task"
    assert entry["schedule"] == crontab(hour=2, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Almaty"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_recomputes_in_a_real_worker(celery_worker_process):
    call_command("load_reference", verbosity=0)
    case(registered_on="2023-05-01")

    result = indicators_recompute_task.apply_async(queue=celery_worker_process)
    run_id = result.get(timeout=120)

    run = IndicatorRun.objects.get(pk=run_id)
    assert (run.trigger, run.status, run.reason) == ("schedule", "succeeded", "Плановый ночной пересчёт показателей")
    assert run.rows_written == IndicatorValue.objects.count() == len(run.periods) * 22 * len(registry)
    assert figure("cases_registered", "75", "2023-Q2") == (D(1), D(1), None)
    assert run.progress_done == run.progress_total > 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_recompute_now_goes_through_the_broker_and_reports_progress(celery_worker_process, make_user, monkeypatch):
    call_command("load_reference", verbosity=0)
    case(registered_on="2023-05-01")
    analyst = make_user("analyst", department="00")
    # Route the task to this test's worker queue (the service calls .delay on commit)
    monkeypatch.setattr(
        indicators_recompute_task,
        "delay",
        lambda **kwargs: indicators_recompute_task.apply_async(kwargs=kwargs, queue=celery_worker_process),
    )

    run = indicators_recompute_async(user=analyst, period="2023-H1")
    assert run.status == RunStatus.QUEUED

    deadline = time.monotonic() + 120
    while not IndicatorRun.objects.get(pk=run.pk).is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
    run.refresh_from_db()
    assert (run.status, run.requested_by, run.periods) == ("succeeded", analyst, ["2023-H1"])
    assert run.rows_written == 22 * len(registry)
    assert run.progress_done == run.progress_total == len(registry) + 2 + 2  # definitions, two stores, two steps
