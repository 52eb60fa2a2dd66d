"""The projects resources of the REST API, through HTTP with real client tokens (DESIGN.md §5.2, issue 5).

An agency developer creates a project, two KPIs and their measurements, and reads which KPI is off track and by
how much; a read-only client cannot write; a client limited to another department does not see the project; a
stale If-Match is refused; each bad input answers 400 with the field path and saves nothing; lists use a number
of queries that does not depend on the page size.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anticor.access import Role
from anticor.api.clients import api_client_create
from anticor.models import ApiClient
from projects.choices import MilestoneStatus, ProjectStatus
from projects.models import KPI, KPIMeasurement, Milestone, Project, PublicEvent
from tests.factories import PROJECT_MAKERS

pytestmark = pytest.mark.django_db

WRITE = ("reference:read", "projects:read", "projects:write")
CODE = "PK-2026-01"
START = dt.date(2026, 1, 1)
TARGET_ON = START + dt.timedelta(days=300)  # 300 days: the trajectory moves by a round amount per day
MEASURED_ON = START + dt.timedelta(days=100)  # a third of the way


# --- the client -------------------------------------------------------------------------------------------------------


class Api:
    """Requests with ``Authorization: Token …`` and JSON bodies, through Django's test client."""

    def __init__(self, client, token: str) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body=None, **headers: str):
        data = "" if body is None else json.dumps(body, ensure_ascii=False)
        return self.client.generic(
            method,
            path,
            data=data,
            content_type="application/json",
            headers=headers or None,
            HTTP_AUTHORIZATION=f"Token {self.token}",
        )

    def get(self, path: str, **headers: str):
        return self.call("GET", path, **headers)

    def post(self, path: str, body=None, **headers: str):
        return self.call("POST", path, body, **headers)

    def patch(self, path: str, body=None, **headers: str):
        return self.call("PATCH", path, body, **headers)


@pytest.fixture
def make_api(client):
    counter = itertools.count(1)

    def build(*scopes: str, departments: tuple[str, ...] = ()) -> Api:
        api_client, token = api_client_create(
            name=f"Госорган {next(counter)}", scopes=list(scopes or WRITE), department_codes=list(departments)
        )
        ApiClient.objects.filter(pk=api_client.pk).update(rate_limit_per_minute=1_000_000)
        return Api(client, token)

    return build


@pytest.fixture
def api(make_api) -> Api:
    return make_api(*WRITE)


@pytest.fixture
def lead(make_user):
    return make_user(Role.PROJECT_LEAD, department="00", username="lead-api")


def project_body(**overrides) -> dict:
    body = {
        "code": CODE,
        "direction": "anti_corruption",
        "title": "Прозрачные земельные торги",
        "goal": "Исключить ручное распределение земельных участков",
        "lead": "lead-api",
        "owner_department": "75",
        "start_on": START.isoformat(),
        "end_on": "2027-06-30",
        "partners": "Общественный совет г. Алматы",
    }
    body.update(overrides)
    return body


def kpi_body(**overrides) -> dict:
    body = {
        "project": CODE,
        "name": "Доля участков, распределённых через аукцион",
        "unit": "%",
        "baseline": "10",
        "target": "100",
        "target_on": TARGET_ON.isoformat(),
        "better": "higher",
        "method": "Аукционы ÷ все распределения × 100",
    }
    body.update(overrides)
    return body


@pytest.fixture
def project(api, lead) -> Project:
    response = api.post("/api/v1/projects/", project_body())
    assert response.status_code == 201, response.json()
    return Project.objects.get(code=CODE)


@pytest.fixture
def kpi(api, project) -> KPI:
    response = api.post("/api/v1/kpis/", kpi_body())
    assert response.status_code == 201, response.json()
    return KPI.objects.get(pk=response.json()["id"])


def measure(api: Api, kpi_id: int, on: dt.date, value: str):
    return api.post("/api/v1/kpi-measurements/", {"kpi": kpi_id, "measured_on": on.isoformat(), "value": value})


# --- a project with two KPIs ------------------------------------------------------------------------------------------


def test_project_two_kpis_and_measurements_show_which_kpi_is_off_track(api, lead):
    # When a project is created under the anti-corruption direction
    response = api.post("/api/v1/projects/", project_body())
    assert response.status_code == 201, response.json()
    assert response["Location"] == f"/api/v1/projects/{CODE}/"
    assert response["ETag"].startswith('"')
    body = response.json()
    assert (body["status"], body["version"], body["lead"], body["curator"]) == ("draft", 1, "lead-api", None)
    # And two KPIs: higher is better (10 → 100) and lower is better (50 → 20), both over 300 days
    higher = api.post("/api/v1/kpis/", kpi_body())
    lower = api.post(
        "/api/v1/kpis/",
        kpi_body(name="Среднее число дней выдачи разрешения", unit="дн.", baseline="50", target="20", better="lower"),
    )
    assert (higher.status_code, lower.status_code) == (201, 201), (higher.json(), lower.json())
    higher_id, lower_id = higher.json()["id"], lower.json()["id"]
    assert higher.json()["on_track"] is None  # no measurement yet
    # And measurements at day 100 (an earlier one for the first KPI: the latest counts)
    assert measure(api, higher_id, START + dt.timedelta(days=30), "50").status_code == 201
    assert measure(api, higher_id, MEASURED_ON, "35").status_code == 201
    created = measure(api, lower_id, MEASURED_ON, "38")
    assert created.status_code == 201, created.json()
    assert created.json()["source"] == "manual"
    # Then the first lags its line (expected 10 + 90 × 100/300 = 40), the second is ahead of it (50 − 30/3 = 40)
    first = api.get(f"/api/v1/kpis/{higher_id}/").json()
    second = api.get(f"/api/v1/kpis/{lower_id}/").json()
    assert {k: first[k] for k in ("latest_value", "latest_measured_on", "expected_value", "on_track", "gap")} == {
        "latest_value": "35.0000",
        "latest_measured_on": MEASURED_ON.isoformat(),
        "expected_value": "40.0000",
        "on_track": False,
        "gap": "-5.0000",
    }
    assert (second["expected_value"], second["on_track"], second["gap"]) == ("40.0000", True, "2.0000")
    # And the list filtered by project says the same
    listed = api.get(f"/api/v1/kpis/?project={CODE}").json()["results"]
    assert {item["id"]: item["on_track"] for item in listed} == {higher_id: False, lower_id: True}
    assert KPIMeasurement.objects.filter(kpi__project__code=CODE).count() == 3


def test_a_value_on_the_line_is_on_track(api, kpi):
    assert measure(api, kpi.pk, MEASURED_ON, "40").status_code == 201
    body = api.get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert (body["expected_value"], body["on_track"], body["gap"]) == ("40.0000", True, "0.0000")


def test_project_transitions_and_patch(api, project):
    url = f"/api/v1/projects/{CODE}/"
    response = api.post(f"{url}transitions/", {"to": "approved"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["version"]) == ("approved", 2)
    refused = api.post(f"{url}transitions/", {"to": "completed"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["to"]
    assert Project.objects.get(code=CODE).status == ProjectStatus.APPROVED
    patched = api.patch(url, {"title": "Открытые земельные торги", "curator": None})
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["title"], patched.json()["version"]) == ("Открытые земельные торги", 3)


def test_milestone_risk_and_public_event(api, project):
    milestone = api.post("/api/v1/milestones/", {"project": CODE, "title": "Регламент торгов", "due_on": "2026-03-01"})
    assert milestone.status_code == 201, milestone.json()
    assert (milestone.json()["status"], milestone.json()["overdue"]) == ("planned", True)
    url = f"/api/v1/milestones/{milestone.json()['id']}/transitions/"
    done = api.post(url, {"to": "done", "done_on": "2026-03-05", "evidence": "Приказ № 12 от 05.03.2026"})
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["overdue"], done.json()["evidence"]) == (
        "done",
        False,
        "Приказ № 12 от 05.03.2026",
    )
    risk = api.post(
        "/api/v1/risks/",
        {"project": CODE, "description": "Сопротивление аппарата", "likelihood": 4, "impact": 5, "owner": "lead-api"},
    )
    assert risk.status_code == 201, risk.json()
    assert (risk.json()["score"], risk.json()["status"]) == (20, "open")
    patched = api.patch(f"/api/v1/risks/{risk.json()['id']}/", {"status": "mitigated", "likelihood": 2})
    assert (patched.status_code, patched.json()["score"], patched.json()["status"]) == (200, 10, "mitigated")
    event = api.post(
        "/api/v1/public-events/",
        {"project": CODE, "held_on": "2026-02-10", "kind": "hearing", "title": "Слушания", "participants": 45},
    )
    assert event.status_code == 201, event.json()
    moved = api.patch(f"/api/v1/public-events/{event.json()['id']}/", {"project": "OTHER"})
    assert moved.status_code == 400
    assert PublicEvent.objects.get(pk=event.json()["id"]).project_id == project.pk


# --- permissions ------------------------------------------------------------------------------------------------------


def test_read_only_client_gets_403_on_every_write_and_nothing_changes(make_api, project, kpi):
    reader = make_api("projects:read")
    before = (Project.objects.values().get(pk=project.pk), KPI.objects.count(), KPIMeasurement.objects.count())
    attempts = [
        reader.post("/api/v1/projects/", project_body(code="PK-2026-02")),
        reader.patch(f"/api/v1/projects/{CODE}/", {"title": "Другое"}),
        reader.post(f"/api/v1/projects/{CODE}/transitions/", {"to": "approved"}),
        reader.post("/api/v1/kpis/", kpi_body()),
        reader.post("/api/v1/kpi-measurements/", {"kpi": kpi.pk, "measured_on": "2026-03-01", "value": "20"}),
    ]
    assert [(r.status_code, r.json()["code"]) for r in attempts] == [(403, "permission_denied")] * 5
    assert reader.get(f"/api/v1/projects/{CODE}/").status_code == 200
    after = (Project.objects.values().get(pk=project.pk), KPI.objects.count(), KPIMeasurement.objects.count())
    assert after == before


def test_client_of_department_71_does_not_see_a_department_75_project(make_api, project, kpi):
    other = make_api(*WRITE, departments=("71",))
    before = Project.objects.values().get(pk=project.pk)
    assert other.get(f"/api/v1/projects/{CODE}/").status_code == 404
    assert other.get(f"/api/v1/kpis/{kpi.pk}/").status_code == 404
    assert other.patch(f"/api/v1/projects/{CODE}/", {"title": "Чужое"}).status_code == 404
    assert other.get("/api/v1/projects/").json()["results"] == []
    # Nor can it attach a KPI to it: the project is unknown to it
    response = other.post("/api/v1/kpis/", kpi_body())
    assert (response.status_code, list(response.json()["errors"])) == (400, ["project"])
    assert Project.objects.values().get(pk=project.pk) == before
    assert KPI.objects.count() == 1


def test_a_lead_writes_only_the_projects_they_lead(client, make_user, project):
    client.force_login(make_user(Role.PROJECT_LEAD, department="00"))
    response = client.patch(f"/api/v1/projects/{CODE}/", {"title": "Чужое"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(project.lead)
    response = client.patch(f"/api/v1/projects/{CODE}/", {"title": "Своё"}, content_type="application/json")
    assert (response.status_code, response.json()["title"]) == (200, "Своё")


# --- conditional writes -----------------------------------------------------------------------------------------------


def test_stale_if_match_is_412_and_changes_nothing(api, project):
    url = f"/api/v1/projects/{CODE}/"
    old_etag = api.get(url)["ETag"]
    first = api.patch(url, {"title": "Первая правка"}, **{"If-Match": old_etag})
    assert first.status_code == 200, first.json()
    before = Project.objects.values().get(pk=project.pk)
    stale = api.patch(url, {"title": "Вторая правка"}, **{"If-Match": old_etag})
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    assert Project.objects.values().get(pk=project.pk) == before
    assert (before["title"], before["version"]) == ("Первая правка", 2)


def test_stale_if_match_on_a_kpi_is_412(api, kpi):
    url = f"/api/v1/kpis/{kpi.pk}/"
    old_etag = api.get(url)["ETag"]
    assert api.patch(url, {"name": "Новое имя"}, **{"If-Match": old_etag}).status_code == 200
    assert api.patch(url, {"name": "Ещё имя"}, **{"If-Match": old_etag}).status_code == 412
    assert KPI.objects.get(pk=kpi.pk).name == "Новое имя"


# --- bad input --------------------------------------------------------------------------------------------------------


def test_target_equal_to_baseline_is_400_on_target(api, project):
    response = api.post("/api/v1/kpis/", kpi_body(target="10"))
    assert (response.status_code, list(response.json()["errors"])) == (400, ["target"])
    assert KPI.objects.count() == 0


def test_measurement_outside_the_project_is_400_on_measured_on(api, kpi):
    response = measure(api, kpi.pk, START - dt.timedelta(days=1), "20")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["measured_on"])
    assert KPIMeasurement.objects.count() == 0


def test_milestone_done_without_evidence_is_400_on_evidence(api, project):
    milestone = Milestone.objects.create(project=project, title="Регламент", due_on=dt.date(2026, 3, 1))
    response = api.post(f"/api/v1/milestones/{milestone.pk}/transitions/", {"to": "done", "done_on": "2026-03-02"})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["evidence"])
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on, milestone.evidence) == (MilestoneStatus.PLANNED, None, "")


def test_unknown_references_name_the_field(api, lead):
    response = api.post("/api/v1/projects/", project_body(direction="nope", lead="nobody", owner_department="99"))
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["direction", "lead", "owner_department"]
    assert not Project.objects.exists()


# --- query counts -----------------------------------------------------------------------------------------------------


def count_queries(api: Api, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(
    "prefix", ["directions", "projects", "kpis", "kpi-measurements", "milestones", "risks", "public-events"]
)
def test_list_query_count_does_not_depend_on_page_size(make_api, prefix):
    for maker in PROJECT_MAKERS.values():
        for _ in range(3):
            maker()
    reader = make_api("reference:read", "projects:read")
    url = f"/api/v1/{prefix}/"
    count_queries(reader, url)  # the first request also records the client's use
    small = count_queries(reader, f"{url}?page_size=2")
    large = count_queries(reader, f"{url}?page_size=50")
    assert small == large <= 4
