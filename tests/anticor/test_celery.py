"""A task travels through the real Redis broker to a real Celery worker process and back."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anticor.tasks import ping_task


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_and_reads_the_database(celery_worker_process):
    call_command("load_reference", verbosity=0)
    result = ping_task.apply_async(args=["pong"], queue=celery_worker_process)
    assert result.get(timeout=60) == "pong:20"
    assert result.status == "SUCCESS"
