"""``/health/`` for load balancers (issue 12 item 7): real PostgreSQL, Redis and Celery worker; a redis-server of the
test's own is stopped to play an outage."""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
import uuid

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings

from anticor.tasks import ping_task
from tests.utils import ROOT, child_env, manage

ALL_OK = {
    "status": "ok",
    "checks": {"database": "ok", "redis": "ok", "celery": "ok", "migrations": "ok"},
    "failed": [],
}


def worker_ready(queue: str) -> None:
    """The worker fixture returns at once; the health check waits only 2.5 s for it."""
    assert ping_task.apply_async(args=["ready"], queue=queue).get(timeout=60).startswith("ready:")


def redis_on(server) -> dict:
    cache = {**settings.CACHES["default"], "LOCATION": server.url(), "KEY_PREFIX": "health-test"}
    return {"CACHES": {"default": cache}, "REDIS_URL": server.url()}


@pytest.fixture
def idle_queue():
    """A queue no worker consumes; the probe left in it is removed afterwards."""
    queue = f"test-idle-{uuid.uuid4().hex[:12]}"
    yield queue
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


@pytest.mark.worker
@pytest.mark.django_db
def test_health_answers_200_when_every_service_is_up_without_login_or_session(celery_worker_process):
    worker_ready(celery_worker_process)
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=celery_worker_process):
        response = Client().get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == ALL_OK
    assert "no-store" in response["Cache-Control"]
    assert response.cookies == {}  # no session, no CSRF cookie
    assert Session.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db
def test_health_answers_503_naming_redis_while_redis_is_down(celery_worker_process, redis_server, caplog):
    worker_ready(celery_worker_process)
    caplog.set_level(logging.WARNING, logger="anticor.health")
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=celery_worker_process, **redis_on(redis_server)):
        before = Client().get("/health/")
        redis_server.stop()
        during = Client().get("/health/")

    assert (before.status_code, before.json()) == (200, ALL_OK)
    assert during.status_code == 503
    assert during.json() == {
        "status": "failed",
        "checks": {"database": "ok", "redis": "failed", "celery": "ok", "migrations": "ok"},
        "failed": ["redis"],
    }
    assert str(redis_server.port) not in during.content.decode()  # names the check, not the server
    reasons = [record.getMessage() for record in caplog.records if record.name == "anticor.health"]
    assert [reason.split(":")[0] for reason in reasons] == ["health check redis failed"]  # why: in the log only


def latest_migration(app: str = "anticor") -> str:
    """The app's leaf migration (whatever its number): unrecording it leaves the schema ahead of the record."""
    from django.db.migrations.loader import MigrationLoader

    return next(name for label, name in MigrationLoader(connection).graph.leaf_nodes() if label == app)


@pytest.mark.django_db
def test_health_answers_503_naming_the_worker_and_an_unapplied_migration(idle_queue):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", ["anticor", latest_migration()])
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=idle_queue):
        response = Client().get("/health/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "checks": {"database": "ok", "redis": "ok", "celery": "failed", "migrations": "failed"},
        "failed": ["celery", "migrations"],
    }


PRODUCTION_PROBE = """\
import json
from django.test import Client
client = Client()
health = client.get("/health/")
login = client.get("/accounts/login/")
print(json.dumps({"health": health.status_code, "body": health.json(), "login": login.status_code,
                  "location": login["Location"]}))
"""


@pytest.mark.django_db
def test_health_is_not_redirected_to_https_in_production(idle_queue):
    child = subprocess.run(
        manage("shell", "-c", PRODUCTION_PROBE),
        env=child_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="testserver",
            BEHIND_TLS_PROXY="0",
            CELERY_QUEUE=idle_queue,
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 0, child.stderr
    answer = json.loads(child.stdout.strip().splitlines()[-1])
    assert (answer["login"], answer["location"]) == (301, "https://testserver/accounts/login/")
    assert answer["health"] == 503  # answered over plain HTTP: no worker consumes this queue
    assert answer["body"]["failed"] == ["celery"]
