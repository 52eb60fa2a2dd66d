"""A task travels through the real Redis broker to a real Celery worker process and back."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command

from anticor.tasks import ping_task
from tests.utils import ROOT, child_env


@pytest.fixture
def celery_worker_process():
    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "anticor.celery",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=child_env(CELERY_QUEUE=queue),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_and_reads_the_database(celery_worker_process):
    call_command("load_reference", verbosity=0)
    result = ping_task.apply_async(args=["pong"], queue=celery_worker_process)
    assert result.get(timeout=60) == "pong:20"
    assert result.status == "SUCCESS"
