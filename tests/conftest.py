"""Shared fixtures: users with roles, and the reference data every test database starts with."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from tests.utils import ROOT, child_env


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference data (regions, departments, articles...) as production does."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture
def make_user(db):
    """``make_user("investigator", department="75")`` - a user with that role in that department."""

    def build(*roles: str, department: str | None = "75", **kwargs):
        return UserFactory(roles=roles, department_code=department, **kwargs)

    return build


@pytest.fixture
def celery_worker_process():
    """A real Celery worker on a queue of its own, so that no other test run's worker takes our tasks."""
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
