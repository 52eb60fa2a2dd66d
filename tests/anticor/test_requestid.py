"""A request id in every response and every log line a request causes, tasks included (issue 12 item 7)."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest
from django.test import Client, override_settings

from anticor.requestid import current_request_id
from anticor.tasks import ping_task
from tests.utils import ROOT, celery_worker, child_env, manage

GENERATED = re.compile(r"[0-9a-f]{32}")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.django_db
def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/accounts/login/")
    second = client.get("/no-such-page/")

    assert GENERATED.fullmatch(first["X-Request-ID"])
    assert GENERATED.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert current_request_id() is None  # cleared when the response is finished


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["3f2b9c1e-7a4d-4e8b-9c1f-2a3b4c5d6e7f", "lb-01.trace:42_a"])
def test_a_sane_incoming_request_id_is_kept(client, incoming):
    response = client.get("/accounts/login/", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    ["", "a b", "x" * 65, "id\r\nSet-Cookie: a=b", '"quoted"', "<script>", "запрос-1", "-leading-dash", "id;drop"],
)
def test_a_hostile_incoming_request_id_is_replaced(client, hostile):
    response = client.get("/accounts/login/", headers={"X-Request-ID": hostile})
    assert GENERATED.fullmatch(response["X-Request-ID"])


LOG_DURING_REQUEST = """\
from django.test import Client
print(Client().get("/no-such-page/", headers={"X-Request-ID": "req-log-1"})["X-Request-ID"])
"""


@pytest.mark.django_db
def test_a_log_record_during_a_request_carries_its_id_in_json():
    child = subprocess.run(
        manage("shell", "-c", LOG_DURING_REQUEST),
        env=child_env(LOG_FORMAT="json", LOG_LEVEL="WARNING"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().splitlines()[-1] == "req-log-1"
    not_found = [line for line in json_lines(child.stderr) if line["logger"] == "django.request"]
    assert len(not_found) == 1, child.stderr
    assert {key: not_found[0][key] for key in ("level", "message", "request_id")} == {
        "level": "WARNING",
        "message": "Not Found: /no-such-page/",
        "request_id": "req-log-1",
    }
    assert set(not_found[0]) >= {"time", "logger", "status_code"}  # extra= fields are kept


@pytest.mark.worker
@pytest.mark.django_db
def test_a_task_queued_during_a_request_logs_the_same_id(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    with log.open("w") as output, celery_worker(queue, loglevel="INFO", output=output, LOG_FORMAT="json"):
        assert ping_task.apply_async(args=["outside"], queue=queue).get(timeout=60).startswith("outside:")
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
            response = Client().get("/health/", headers={"X-Request-ID": "req-task-1"})
    assert response.status_code == 200, response.content

    succeeded = {
        line["message"].rsplit(": ", 1)[-1]: line["request_id"]
        for line in json_lines(log.read_text())
        if line["logger"] == "celery.app.trace" and "anticor.tasks.ping_task" in line["message"]
    }
    assert succeeded == {"'outside:20'": "-", "'health:20'": "req-task-1"}
