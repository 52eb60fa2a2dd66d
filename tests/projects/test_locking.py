"""No lost updates on a project's rows (issue 11 item 6).

Two people in charge of one project (its lead and its curator) open the same KPI, milestone, risk or public event;
the first saves; the second, working from what they opened, is refused with what changed meanwhile and their
change is not saved — on the edit form and through the API (a ``version`` sent back in the body, or ``If-Match``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from anticor.access import Role
from anticor.api.conditional import ConditionalMixin
from anticor.models import Department
from projects import services
from projects.models import KPI, Direction, Milestone, Project, PublicEvent, Risk

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2027, 6, 30)
STALE = "Запись изменена другим пользователем"


@dataclass(frozen=True)
class Row:
    """One kind of project row: how to make it, where its form and resource are, what each person changes."""

    model: type
    page: str  # …/<page>/<pk>/edit/
    resource: str  # /api/v1/<resource>/<pk>/
    first: tuple[str, str]  # the first editor's change: field, new value as posted
    first_label: str  # the field's verbose name, as the refusal names it
    first_shown: tuple[str, str]  # the value then → now, as the refusal shows it
    second: tuple[str, str]  # the second editor's change to another field


ROWS = {
    "kpi": Row(
        KPI,
        "kpis",
        "kpis",
        ("target", "80"),
        "целевое значение",
        ("100.0000", "80.0000"),
        ("name", "Доля электронных аукционов"),
    ),
    "milestone": Row(
        Milestone,
        "milestones",
        "milestones",
        ("due_on", "2026-09-30"),
        "срок",
        ("2026-06-30", "2026-09-30"),
        ("title", "Регламент торгов утверждён"),
    ),
    "risk": Row(
        Risk,
        "risks",
        "risks",
        ("likelihood", "5"),
        "вероятность (1–5)",
        ("3", "5"),
        ("mitigation", "Разъяснительная работа"),
    ),
    "public_event": Row(
        PublicEvent,
        "events",
        "public-events",
        ("participants", "55"),
        "участников",
        ("40", "55"),
        ("outcome", "Предложения учтены"),
    ),
}


@pytest.fixture
def people(make_user) -> tuple[Any, Any]:
    return make_user(Role.PROJECT_LEAD, department="00"), make_user(Role.PROJECT_LEAD, department="00")


@pytest.fixture
def project(people) -> Project:
    lead, curator = people
    return services.project_create(
        user=lead,
        values={
            "direction": Direction.objects.get(code="anti_corruption"),
            "code": "PK-2026-11",
            "title": "Прозрачные земельные торги",
            "goal": "Исключить ручное распределение земельных участков",
            "lead": lead,
            "curator": curator,
            "owner_department": Department.objects.get(code="75"),
            "start_on": START,
            "end_on": END,
        },
    )


def make_row(kind: str, project: Project) -> Any:
    lead = project.lead
    if kind == "kpi":
        return services.kpi_create(
            user=lead,
            values={
                "project": project,
                "name": "Доля участков через аукцион",
                "unit": "%",
                "baseline": Decimal(10),
                "target": Decimal(100),
                "target_on": dt.date(2026, 12, 31),
            },
        )
    if kind == "milestone":
        return services.milestone_create(
            user=lead, project=project, title="Регламент торгов", due_on=dt.date(2026, 6, 30)
        )
    if kind == "risk":
        return services.risk_create(user=lead, project=project, description="Сопротивление", likelihood=3, impact=4)
    return services.public_event_create(
        user=lead, project=project, held_on=dt.date(2026, 3, 1), kind="hearing", title="Слушания", participants=40
    )


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def opened_form(browser: Client, url: str) -> dict[str, str]:
    """What the edit form holds when opened, as the browser would post it back."""
    response = browser.get(url)
    assert response.status_code == 200
    data = {}
    for field in response.context["form"]:
        value = field.value()
        data[field.name] = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else str(value))
    return data


def snapshot(row: Any) -> dict[str, Any]:
    return type(row).objects.values().get(pk=row.pk)


def stored(row: Any, field: str, posted: str) -> Any:
    """A posted value as the row holds it (80 → Decimal("80"), "2026-09-30" → a date)."""
    return type(row)._meta.get_field(field).to_python(posted)


# --- the edit forms ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ROWS)
def test_two_concurrent_form_edits_give_one_conflict_and_the_second_is_not_saved(kind, people, project):
    spec, row = ROWS[kind], make_row(kind, project)
    url = f"/projects/{project.code}/{spec.page}/{row.pk}/edit/"
    first, second = (logged_in(user) for user in people)
    first_form, second_form = opened_form(first, url), opened_form(second, url)
    assert first_form["version"] == second_form["version"] == "1"

    name, value = spec.first
    assert first.post(url, {**first_form, name: value}).status_code == 302
    after_first = snapshot(row)
    assert (after_first[name], after_first["version"]) == (stored(row, name, value), 2)

    other, other_value = spec.second
    response = second.post(url, {**second_form, other: other_value})
    assert response.status_code == 200
    text = response.content.decode()
    assert STALE in text
    then, now = spec.first_shown
    assert f"«{spec.first_label}»: {then} → {now}" in text
    assert snapshot(row) == after_first  # the second change is not saved, the first is not reverted
    # The form now carries the current version: a second look and save goes through.
    assert response.context["form"].data["version"] == "2"
    assert second.post(url, {**response.context["form"].data.dict(), name: value}).status_code == 302
    saved = snapshot(row)
    assert (saved[name], saved[other], saved["version"]) == (stored(row, name, value), other_value, 3)


# --- the API ----------------------------------------------------------------------------------------------------------


def api_value(kind: str, field: str, posted: str) -> Any:
    return int(posted) if field in ("likelihood", "participants") else posted


@pytest.mark.parametrize("kind", ROWS)
def test_two_concurrent_api_edits_sending_the_version_back_give_one_412(kind, people, project):
    spec, row = ROWS[kind], make_row(kind, project)
    url = f"/api/v1/{spec.resource}/{row.pk}/"
    first, second = (logged_in(user) for user in people)
    read = first.get(url)
    assert (read.status_code, read.json()["version"]) == (200, 1)
    assert read["ETag"]

    name, value = spec.first
    response = first.patch(url, {name: api_value(kind, name, value), "version": 1}, content_type="application/json")
    assert (response.status_code, response.json()["version"]) == (200, 2), response.json()
    after_first = snapshot(row)

    other, other_value = spec.second
    response = second.patch(url, {other: other_value, "version": 1}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (412, "precondition_failed")
    then, now = spec.first_shown
    assert f"«{spec.first_label}»: {then} → {now}" in response.json()["detail"]
    assert snapshot(row) == after_first


@pytest.mark.parametrize("kind", ROWS)
def test_a_write_landing_between_the_if_match_check_and_the_save_is_412(kind, people, project, monkeypatch):
    """If-Match is checked on the row as read; a change committed right after that check must still win."""
    spec, row = ROWS[kind], make_row(kind, project)
    url = f"/api/v1/{spec.resource}/{row.pk}/"
    lead, curator = people
    etag = logged_in(curator).get(url)["ETag"]
    name, value = spec.first
    checked = ConditionalMixin.check_if_match

    def check_then_someone_saves(self, request, instance):
        checked(self, request, instance)
        values = {name: stored(row, name, value)}
        if kind == "kpi":
            services.kpi_update(user=lead, kpi_id=row.pk, values=values)
        elif kind == "milestone":
            services.milestone_patch(user=lead, milestone_id=row.pk, values=values)
        elif kind == "risk":
            services.risk_patch(user=lead, risk_id=row.pk, values=values)
        else:
            services.public_event_patch(user=lead, public_event_id=row.pk, values=values)

    monkeypatch.setattr(ConditionalMixin, "check_if_match", check_then_someone_saves)
    other, other_value = spec.second
    response = logged_in(curator).patch(
        url, {other: other_value}, content_type="application/json", headers={"If-Match": etag}
    )
    assert (response.status_code, response.json()["code"]) == (412, "precondition_failed")
    saved = snapshot(row)
    assert (saved[name], saved["version"]) == (stored(row, name, value), 2)  # the change made meanwhile stands, alone
    assert saved[other] != other_value


# --- status changes on the project page -------------------------------------------------------------------------------


def test_a_status_change_on_a_project_edited_meanwhile_is_refused(people, project):
    lead, curator = people
    browser = logged_in(lead)
    page = browser.get(f"/projects/{project.code}/").content.decode()
    assert '<input type="hidden" name="version" value="1">' in page
    services.project_update(user=curator, project_id=project.pk, expected_version=1, values={"title": "Открытые торги"})

    response = browser.post(f"/projects/{project.code}/transition/", {"to": "approved", "version": "1"})

    assert response.status_code == 400
    text = response.content.decode()
    assert STALE in text
    assert "«наименование»: Прозрачные земельные торги → Открытые торги" in text
    project.refresh_from_db()
    assert (project.status, project.version) == ("draft", 2)


def test_marking_done_a_milestone_moved_meanwhile_is_refused(people, project):
    lead, curator = people
    milestone = make_row("milestone", project)
    browser = logged_in(lead)
    assert f'name="version" value="{milestone.version}"' in browser.get(f"/projects/{project.code}/").content.decode()
    services.milestone_patch(
        user=curator, milestone_id=milestone.pk, values={"due_on": dt.date(2026, 9, 30)}, expected_version=1
    )

    response = browser.post(
        f"/projects/{project.code}/milestones/{milestone.pk}/done/",
        {"done_on": "2026-05-20", "evidence": "Регламент утверждён приказом № 5", "version": "1"},
    )

    assert response.status_code == 400
    assert "«срок»: 2026-06-30 → 2026-09-30" in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on, milestone.evidence, milestone.version) == ("planned", None, "", 2)
