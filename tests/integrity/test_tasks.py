"""The daily expiry of sanctions, run by a real Celery worker through the real Redis broker."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from anticor.celery import app
from integrity.choices import DisciplineStatus
from integrity.models import DisciplinaryRecord, DisciplinaryRecordEvent
from integrity.tasks import discipline_expire_task
from tests.factories import DisciplinaryRecordFactory, EmployeeFactory

TASK = "integrity.tasks.discipline_expire_task"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_expires_due_sanctions_and_a_rerun_changes_nothing(celery_worker_process):
    # given an active sanction whose term ran out a month ago, one not yet due, and an appealed overdue one
    call_command("load_reference", verbosity=0)
    today = timezone.localdate()
    employee = EmployeeFactory()
    overdue = DisciplinaryRecordFactory(
        employee=employee,
        committed_on=today - dt.timedelta(days=420),
        discovered_on=today - dt.timedelta(days=410),
        imposed_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=30),
    )
    in_force = DisciplinaryRecordFactory(
        employee=employee,
        committed_on=today - dt.timedelta(days=60),
        discovered_on=today - dt.timedelta(days=50),
        imposed_on=today - dt.timedelta(days=40),
        expires_on=today + dt.timedelta(days=30),
    )
    appealed = DisciplinaryRecordFactory(
        employee=employee,
        committed_on=today - dt.timedelta(days=420),
        discovered_on=today - dt.timedelta(days=410),
        imposed_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=30),
        status=DisciplineStatus.APPEALED,
    )

    # when the task runs in the worker
    result = discipline_expire_task.apply_async(queue=celery_worker_process)

    # then the result is the count, and only the due one expired, with one event
    assert result.get(timeout=60) == 1
    assert result.status == "SUCCESS"
    rows = {r.pk: (r.status, r.status_changed_on, r.version) for r in DisciplinaryRecord.objects.all()}
    assert rows == {
        overdue.pk: (DisciplineStatus.EXPIRED, today - dt.timedelta(days=30), 2),
        in_force.pk: (DisciplineStatus.ACTIVE, None, 1),
        appealed.pk: (DisciplineStatus.APPEALED, None, 1),
    }
    assert list(DisciplinaryRecordEvent.objects.values_list("record_id", "from_status", "to_status", "actor_id")) == [
        (overdue.pk, "active", "expired", None)
    ]

    # and a rerun the same day changes nothing
    again = discipline_expire_task.apply_async(queue=celery_worker_process)
    assert again.get(timeout=60) == 0
    assert {r.pk: (r.status, r.version) for r in DisciplinaryRecord.objects.all()} == {
        overdue.pk: (DisciplineStatus.EXPIRED, 2),
        in_force.pk: (DisciplineStatus.ACTIVE, 1),
        appealed.pk: (DisciplineStatus.APPEALED, 1),
    }
    assert DisciplinaryRecordEvent.objects.count() == 1


def test_the_beat_schedule_runs_the_expiry_daily_after_midnight():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == TASK]
    assert entries == [{"task": TASK, "schedule": crontab(hour=0, minute=15)}]
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert TASK in app.tasks


def test_the_task_retries_when_the_database_is_unavailable():
    assert discipline_expire_task.name == TASK
    assert discipline_expire_task.autoretry_for == (OperationalError,)
    assert (discipline_expire_task.max_retries, discipline_expire_task.retry_backoff) == (5, True)
