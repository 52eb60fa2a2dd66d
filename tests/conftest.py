"""Shared fixtures: users with roles, and the reference data every test database starts with."""

from __future__ import annotations

import socket
import subprocess
import uuid

import pytest
import redis
from django.core.management import call_command

from tests.factories import UserFactory
from tests.utils import celery_worker


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hundreds of users are created and signed in: the production hasher's deliberate slowness (Django's PBKDF2,
    a million iterations per password) would only slow the suite. Child processes keep the production hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    with celery_worker(queue):
        yield queue


class RedisServer:
    """A redis-server of the test's own on a free local port, to be stopped while the code under test runs."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in self.process.stdout:  # its log says when it accepts connections (a blocking read, no polling)
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_connect_timeout=1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def redis_server():
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()
