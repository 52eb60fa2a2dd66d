"""Helpers for tests that start other processes against the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A DATABASE_URL for the database this test run uses (pytest-django's test_… database)."""
    params = connection.settings_dict
    host = params["HOST"] or ""
    user = quote(params["USER"] or "")
    password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{params['NAME']}?host={host}"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{params['NAME']}"


def child_env(**overrides: str | None) -> dict[str, str]:
    """Environment for a child process: the same services as this test run, plus overrides (None unsets)."""
    env = dict(os.environ)
    env["DATABASE_URL"] = test_database_url()
    env["REDIS_URL"] = settings.REDIS_URL
    env.setdefault("DEBUG", "1")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only; never for a child process
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


@contextlib.contextmanager
def celery_worker(
    queue: str, *, loglevel: str = "WARNING", output: int | IO[str] = subprocess.PIPE, **env: str | None
) -> Iterator[subprocess.Popen]:
    """A real Celery worker process consuming only ``queue``, stopped on exit."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "anticor.celery",
            "worker",
            "--pool=solo",
            f"--loglevel={loglevel}",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=child_env(CELERY_QUEUE=queue, **env),
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
