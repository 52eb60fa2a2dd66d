"""The indicator resources of /api/v1/ through HTTP with real client tokens (DESIGN.md §5.2).

Filters ``code``/``scope``/``period`` with clear 400s for bad values, department-limited clients see their
departments' rows only (no agency totals), locks and restatements show on the values, and lists run a fixed number
of queries whatever the page size. The router matrix (tests/anticor/test_api_matrix.py) covers auth and scopes.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anticor.api.clients import api_client_create
from anticor.indicators.models import (
    AGENCY,
    Indicator,
    IndicatorRestatement,
    IndicatorRun,
    LockedPeriod,
    RunStatus,
    RunTrigger,
)
from anticor.indicators.registry import registry
from anticor.indicators.services import indicator_catalogue_sync, progress_key
from tests.factories import UserFactory, make_run, make_value

pytestmark = pytest.mark.django_db


def token(*scopes: str, departments: tuple[str, ...] = ()) -> str:
    client, secret = api_client_create(
        name=f"ind-{uuid.uuid4().hex[:12]}", scopes=list(scopes), department_codes=departments
    )
    cache.delete(f"throttle_api_client_{client.pk}")
    return secret


def get(client, url: str, secret: str, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Token {secret}")


# --- the registry -----------------------------------------------------------------------------------------------------


def test_indicators_lists_the_registry_with_names_and_formulas(client):
    indicator_catalogue_sync()
    secret = token("indicators:read")
    body = get(client, "/api/v1/indicators/", secret, page_size=50).json()
    assert [item["code"] for item in body["results"]] == [
        i.code for i in Indicator.objects.order_by("-id") if i.code in registry
    ]
    response = get(client, "/api/v1/indicators/end_of_period_registrations/", secret)
    assert response.status_code == 200
    item = response.json()
    definition = registry.get("end_of_period_registrations")
    assert item == {
        "code": "end_of_period_registrations",
        "name": str(definition.name),
        "group": "signals",
        "unit": "percent",
        "better": "lower",
        "legacy": False,
        "formula": str(definition.formula),
        "version": 1,
        "threshold": "20.0000",
        "threshold_note": str(definition.threshold_note),
        "is_active": True,
    }
    assert get(client, "/api/v1/indicators/cases_registered/", secret).json()["legacy"] is True


# --- values -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def values():
    return {
        "75-H1": make_value("75", period="2023-H1"),
        "75-H2": make_value("75", period="2023-H2"),
        "71-H1": make_value("71", period="2023-H1"),
        "agency-H1": make_value(AGENCY, period="2023-H1", value=Decimal(5), numerator=Decimal(5)),
        "rate": make_value(
            "75", code="root_cause_coverage", period="2023-H1", value=None, numerator=Decimal(0), denominator=Decimal(0)
        ),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_values_filter_by_code_scope_and_period(client, values):
    secret = token("indicators:read")
    url = "/api/v1/indicator-values/"
    assert ids(get(client, url, secret, code="root_cause_coverage")) == {values["rate"].pk}
    assert ids(get(client, url, secret, scope="agency")) == {values["agency-H1"].pk}
    assert ids(get(client, url, secret, scope="75", period="2023-H1", code="cases_registered")) == {values["75-H1"].pk}
    assert ids(get(client, url, secret, period="2023-H2")) == {values["75-H2"].pk}
    assert ids(get(client, url, secret)) == {v.pk for v in values.values()}


def test_a_value_reads_with_its_figures_and_no_value_for_a_zero_denominator(client, values):
    body = get(client, f"/api/v1/indicator-values/{values['rate'].pk}/", token("indicators:read")).json()
    assert body == {
        "id": values["rate"].pk,
        "code": "root_cause_coverage",
        "scope": "75",
        "department": "75",
        "period": "2023-H1",
        "value": None,
        "numerator": "0.0000",
        "denominator": "0.0000",
        "formula_version": 1,
        "is_locked": False,
        "restatement": None,
        "run": values["rate"].run_id,
        "computed_at": body["computed_at"],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2023-H3"}, "period"),
        ({"period": "23"}, "period"),
        ({"period": "2023-13"}, "period"),
        ({"scope": "Almaty"}, "scope"),
        ({"code": "no_such_indicator"}, "code"),
    ],
)
def test_bad_filter_values_are_a_clear_400(client, values, params, field):
    response = get(client, "/api/v1/indicator-values/", token("indicators:read"), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    if field == "period":
        assert "укажите год (2022), полугодие (2022-H1)" in body["errors"]["period"][0]


def test_a_department_client_sees_its_departments_rows_but_no_agency_totals(client, values):
    secret = token("indicators:read", departments=("75",))
    assert ids(get(client, "/api/v1/indicator-values/", secret)) == {
        values["75-H1"].pk,
        values["75-H2"].pk,
        values["rate"].pk,
    }
    assert get(client, f"/api/v1/indicator-values/{values['agency-H1'].pk}/", secret).status_code == 404
    assert get(client, f"/api/v1/indicator-values/{values['71-H1'].pk}/", secret).status_code == 404


def test_a_department_head_reads_the_department_rows_an_analyst_reads_all(client, values):
    client.force_login(UserFactory(roles=("department_head",), department_code="75"))
    assert ids(client.get("/api/v1/indicator-values/", {"period": "2023-H1"})) == {
        values["75-H1"].pk,
        values["rate"].pk,
    }
    client.force_login(UserFactory(roles=("analyst",), department_code="00"))
    assert ids(client.get("/api/v1/indicator-values/", {"period": "2023-H1"})) == {
        values["75-H1"].pk,
        values["71-H1"].pk,
        values["agency-H1"].pk,
        values["rate"].pk,
    }
    client.force_login(UserFactory(roles=("investigator",), department_code="75"))
    assert client.get("/api/v1/indicator-values/").status_code == 403


def test_a_locked_value_shows_its_latest_restatement(client, values):
    value = values["75-H1"]
    analyst = UserFactory(roles=("analyst",), department_code="00")
    LockedPeriod.objects.create(period="2023-H1", approved_by=analyst)
    for new in (Decimal(4), Decimal(6)):
        IndicatorRestatement.objects.create(
            code=value.code,
            scope="75",
            department=value.department,
            period="2023-H1",
            old_value=Decimal(3),
            old_numerator=Decimal(3),
            new_value=new,
            new_numerator=new,
            reason="Плановый ночной пересчёт показателей",
            run=value.run,
        )
    body = get(client, f"/api/v1/indicator-values/{value.pk}/", token("indicators:read")).json()
    assert (body["value"], body["is_locked"]) == ("3.0000", True)
    restated = body["restatement"]
    assert (restated["value"], restated["numerator"], restated["denominator"]) == ("6.0000", "6.0000", None)
    assert restated["reason"] == "Плановый ночной пересчёт показателей"
    assert (
        get(client, f"/api/v1/indicator-values/{values['75-H2'].pk}/", token("indicators:read")).json()["is_locked"]
        is False
    )


# --- runs -------------------------------------------------------------------------------------------------------------


def test_runs_show_live_progress_while_running_and_the_final_figures_after(client):
    running = IndicatorRun.objects.create(trigger=RunTrigger.MANUAL, reason="Вручную", status=RunStatus.RUNNING)
    cache.set(progress_key(running.pk), (7, 23), 60)
    finished = make_run()
    IndicatorRun.objects.filter(pk=finished.pk).update(progress_done=23, progress_total=23, rows_written=12)
    secret = token("indicators:read")
    assert get(client, f"/api/v1/indicator-runs/{running.pk}/", secret).json()["progress"] == {"done": 7, "total": 23}
    body = get(client, f"/api/v1/indicator-runs/{finished.pk}/", secret).json()
    assert (body["progress"], body["rows_written"], body["status"]) == ({"done": 23, "total": 23}, 12, "succeeded")
    assert ids(get(client, "/api/v1/indicator-runs/", secret, status="running")) == {running.pk}
    assert get(client, "/api/v1/indicator-runs/", secret, status="nonsense").status_code == 400


# --- query counts -----------------------------------------------------------------------------------------------------


def count_queries(client, url: str, secret: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(("prefix", "expected"), [("indicator-values", 3), ("indicator-runs", 3), ("indicators", 3)])
def test_list_query_count_is_pinned_and_independent_of_page_size(client, prefix, expected):
    # Token, the client's departments, the page — restatements and locks are in the page's query, not per row.
    for department, quarter in (("75", "Q1"), ("71", "Q1"), ("75", "Q2"), ("71", "Q2")):
        make_value(department, period=f"2023-{quarter}")
    indicator_catalogue_sync()
    secret = token("indicators:read")
    url = f"/api/v1/{prefix}/"
    count_queries(client, url, secret)
    small = count_queries(client, f"{url}?page_size=2", secret)
    large = count_queries(client, f"{url}?page_size=50", secret)
    assert (small, large) == (expected, expected)
