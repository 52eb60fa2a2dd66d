"""Redis down degrades, it does not fail (issue 11 item 7): a redis-server of the test's own is started, used, stopped.

The cache (rate limits, live progress) is pointed at it through the settings; "recompute now" runs in a child
process whose Celery broker is that stopped server, as a web worker would during a Redis outage.
"""

from __future__ import annotations

import json
import logging
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from anticor.api.clients import api_client_create
from anticor.env import parse_database_url
from anticor.indicators.models import IndicatorRun, RunStatus, RunTrigger
from anticor.indicators.registry import registry
from tests.factories import TEST_PASSWORD, case
from tests.utils import ROOT, child_env, manage

UNQUEUED = "Пересчёт не поставлен в очередь: сервер очереди задач (Redis) недоступен. Повторите позже."


def cache_on(server) -> dict:
    return {"default": {**settings.CACHES["default"], "LOCATION": server.url(), "KEY_PREFIX": "redis-down-test"}}


def outage_logged(caplog, what: str) -> bool:
    return any(
        record.levelno == logging.WARNING and f"Redis unavailable ({what}" in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.django_db
def test_the_api_keeps_answering_while_redis_is_down(redis_server, make_user, client, caplog):
    _client, token = api_client_create(name="redis-down-client", scopes=["reference:read"])
    client.force_login(make_user("analyst", department="00"))
    with override_settings(CACHES=cache_on(redis_server)):
        before = client.get("/api/v1/regions/")
        assert before.status_code == 200
        assert redis_server.client().dbsize() == 1  # the limiter counts in this Redis while it runs
        redis_server.stop()

        caplog.set_level(logging.WARNING, logger="anticor.cache")
        during = client.get("/api/v1/regions/")
        by_token = client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {token}")

    assert (during.status_code, during.json()) == (200, before.json())
    assert by_token.status_code == 200
    assert by_token.json() == before.json()
    assert outage_logged(caplog, "API rate limit not applied")


@pytest.mark.django_db
def test_recompute_command_and_run_page_work_while_redis_is_down(redis_server, make_user, client, caplog):
    case(registered_on="2023-05-01")
    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="anticor.cache")
    with override_settings(CACHES=cache_on(redis_server)):
        call_command("recompute_indicators", "--period", "2023-H1", "--no-progress", verbosity=0)
        running = IndicatorRun.objects.create(trigger=RunTrigger.MANUAL, reason="-", status=RunStatus.RUNNING)
        client.force_login(make_user("analyst", department="00"))
        page = client.get(f"/indicators/runs/{running.pk}/")

    run = IndicatorRun.objects.get(trigger=RunTrigger.COMMAND)
    assert (run.status, run.error, run.periods) == (RunStatus.SUCCEEDED, "", ["2023-H1"])
    assert run.rows_written == 22 * len(registry)
    # The final progress is the run's own count, not read back from the (unreachable) cache
    assert run.progress_done == run.progress_total == len(registry) + 2 + 2
    assert outage_logged(caplog, "cache write indicators:run:")
    assert page.status_code == 200
    assert outage_logged(caplog, f"cache read indicators:run:{running.pk}:progress")


RECOMPUTE_NOW = """\
import json
from django.contrib.messages import get_messages
from django.test import Client
from anticor.models import User
client = Client()
client.force_login(User.objects.get(pk={pk}))
response = client.post("/indicators/recompute/")
print(json.dumps({{
    "status": response.status_code,
    "location": response["Location"],
    "messages": [str(message) for message in get_messages(response.wsgi_request)],
    "page": client.get(response["Location"]).content.decode(),
}}))
"""


@pytest.mark.django_db(transaction=True)
def test_recompute_now_with_redis_down_marks_the_run_failed_at_once(redis_server, make_user):
    call_command("load_reference", verbosity=0)
    analyst = make_user("analyst", department="00")
    redis_server.stop()

    child = subprocess.run(
        manage("shell", "-c", RECOMPUTE_NOW.format(pk=analyst.pk)),
        env=child_env(REDIS_URL=redis_server.url()),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 0, child.stderr
    run = IndicatorRun.objects.get()
    answer = json.loads(child.stdout.strip().splitlines()[-1])
    assert (answer["status"], answer["location"]) == (302, f"/indicators/runs/{run.pk}/")
    assert answer["messages"] == []  # no "queued" message: the run page says what happened
    assert f'<div class="alert alert--error mt-1" role="alert">{UNQUEUED}</div>' in answer["page"]
    assert (run.status, run.error, run.requested_by) == (RunStatus.FAILED, UNQUEUED, analyst)
    assert run.finished_at is not None
    assert f"indicator run {run.pk} could not be queued" in child.stderr  # the outage is logged


CACHE_AND_TASK = """
from django.core.cache import cache
from anticor.tasks import ping_task
cache.set("probe", "x", 60)
ping_task.delay("probe")
"""


def test_cache_and_celery_use_the_database_of_redis_url_with_a_deployment_prefix(redis_server):
    env = child_env(REDIS_URL=redis_server.url(13), CACHE_KEY_PREFIX=None, CELERY_QUEUE=None)
    deployment = parse_database_url(env["DATABASE_URL"])["NAME"]
    child = subprocess.run(
        manage("shell", "-c", CACHE_AND_TASK), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr

    keys = sorted(key.decode() for key in redis_server.client(13).scan_iter())
    assert f"{deployment}:1:probe" in keys  # the cache, prefixed with the deployment (its database) by default
    assert deployment in keys  # the task waits in the deployment's queue (a list named after it) in database 13
    assert redis_server.client(13).llen(deployment) == 1
    assert all(redis_server.client(db).dbsize() == 0 for db in (0, 1, 2))


@pytest.mark.django_db
def test_signing_in_and_pages_do_not_need_redis(redis_server, make_user, client, settings):
    make_user("analyst", department="00", username="petrov")
    redis_server.stop()
    with override_settings(CACHES=cache_on(redis_server)):
        wrong = client.post("/accounts/login/", {"username": "petrov", "password": "wrong"})
        signed_in = client.post("/accounts/login/", {"username": "petrov", "password": TEST_PASSWORD})
        pages = [client.get(url).status_code for url in ("/", "/cases/", "/indicators/")]
    assert (wrong.status_code, signed_in.status_code, signed_in["Location"]) == (200, 302, "/")
    assert pages == [200, 200, 200]  # sessions and sign-in lockouts live in PostgreSQL
