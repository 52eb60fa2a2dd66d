"""Project pages as project leads use them: create, KPIs, measurements, on-track display, permissions, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anticor.access import Role
from anticor.models import Department
from projects import services
from projects.choices import MilestoneStatus
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

pytestmark = pytest.mark.django_db

START, END, TARGET_ON = dt.date(2026, 1, 1), dt.date(2027, 6, 30), dt.date(2026, 12, 31)  # 364 days to the target
HALFWAY = dt.date(2026, 7, 2)  # 182 days: the trajectory is at its middle


@pytest.fixture
def lead(make_user, client):
    user = make_user(Role.PROJECT_LEAD, department="00")
    client.force_login(user)
    return user


def make_project(user, code="PK-2026-01", department="75"):
    return services.project_create(
        user=user,
        values={
            "direction": Direction.objects.get(code="anti_corruption"),
            "code": code,
            "title": "Прозрачные земельные торги",
            "goal": "Исключить ручное распределение земельных участков",
            "lead": user,
            "owner_department": Department.objects.get(code=department),
            "start_on": START,
            "end_on": END,
        },
    )


def kpi_data(**overrides):
    data = {
        "name": "Доля участков, распределённых через аукцион",
        "unit": "%",
        "baseline": "10",
        "target": "100",
        "target_on": TARGET_ON.isoformat(),
        "better": "higher",
        "method": "",
        "responsible": "",
        "source": "manual",
        "indicator_code": "",
        "indicator_scope": "",
    }
    data.update(overrides)
    return data


def add_kpi(user, project, **overrides):
    values = {
        "project": project,
        "name": "Доля участков через аукцион",
        "unit": "%",
        "baseline": Decimal("10"),
        "target": Decimal("100"),
        "target_on": TARGET_ON,
    }
    values.update(overrides)
    return services.kpi_create(user=user, values=values)


def test_a_lead_creates_a_project_defines_kpis_and_sees_which_is_off_track_and_why(client, lead):
    response = client.post(
        "/projects/new/",
        {
            "direction": str(Direction.objects.get(code="anti_corruption").pk),
            "code": "PK-2026-07",
            "title": "Прозрачные земельные торги",
            "goal": "Исключить ручное распределение земельных участков",
            "lead": str(lead.pk),
            "curator": "",
            "owner_department": str(Department.objects.get(code="75").pk),
            "owner_state_body": "",
            "start_on": START.isoformat(),
            "end_on": END.isoformat(),
            "partners": "Общественный совет области",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(code="PK-2026-07")
    assert response["Location"] == "/projects/PK-2026-07/"

    assert client.post("/projects/PK-2026-07/kpis/new/", kpi_data()).status_code == 302
    lower = kpi_data(name="Срок рассмотрения заявки", unit="дн.", baseline="20", target="10", better="lower")
    assert client.post("/projects/PK-2026-07/kpis/new/", lower).status_code == 302
    auction, days = KPI.objects.filter(project=project).order_by("id")

    for kpi, value in ((auction, "50"), (days, "14")):
        response = client.post(
            f"/projects/PK-2026-07/kpis/{kpi.pk}/measure/",
            {"measured_on": HALFWAY.isoformat(), "value": value, "period": "2026-H1", "evidence": "Отчёт акимата"},
        )
        assert response.status_code == 302
    assert KPIMeasurement.objects.filter(kpi__project=project).count() == 2

    page = client.get("/projects/PK-2026-07/")
    rows = {row.kpi.pk: row for row in page.context["kpi_rows"]}
    # Higher is better: halfway from 10 to 100 the line is at 55; 50 is 5 percentage points behind.
    assert rows[auction.pk].status.on_track is False
    assert rows[auction.pk].expected == Decimal("55")
    assert rows[auction.pk].gap == "отстаёт на 5 п."
    # Lower is better: halfway from 20 down to 10 the line is at 15; 14 is one day ahead.
    assert rows[days.pk].status.on_track is True
    assert rows[days.pk].expected == Decimal("15")
    assert rows[days.pk].gap == "опережает на 1 дн."
    html = page.content.decode()
    assert "отстаёт на 5 п." in html
    assert 'badge--danger">отстаёт</span>' in html
    assert "в графике" in html
    assert '<svg class="kpi-chart"' in html


def test_another_lead_gets_403_on_edit_and_nothing_changes(client, lead, make_user):
    project = make_project(make_user(Role.PROJECT_LEAD, department="00"))
    assert client.get(f"/projects/{project.code}/").status_code == 200  # leads read all projects
    assert client.get(f"/projects/{project.code}/edit/").status_code == 403
    response = client.post(f"/projects/{project.code}/edit/", {"title": "Чужое название", "version": project.version})
    assert response.status_code == 403
    assert client.post(f"/projects/{project.code}/transition/", {"to": "approved"}).status_code == 403
    assert client.post(f"/projects/{project.code}/kpis/new/", kpi_data()).status_code == 403
    project.refresh_from_db()
    assert (project.title, project.status, project.version) == ("Прозрачные земельные торги", "draft", 1)
    assert not KPI.objects.filter(project=project).exists()
    page = client.get(f"/projects/{project.code}/")
    assert page.context["can_edit"] is False
    assert page.context["transitions"] == []


def test_an_investigator_of_dept_71_gets_404_on_a_dept_75_project(client, make_user):
    project = make_project(make_user(Role.PROJECT_LEAD, department="00"), department="75")
    client.force_login(make_user(Role.INVESTIGATOR, department="71"))
    assert client.get(f"/projects/{project.code}/").status_code == 404
    assert client.get(f"/projects/{project.code}/edit/").status_code == 404
    assert project.code not in client.get("/projects/list/").content.decode()
    client.force_login(make_user(Role.INVESTIGATOR, department="75"))
    assert client.get(f"/projects/{project.code}/").status_code == 200
    assert client.get(f"/projects/{project.code}/edit/").status_code == 403


def test_lead_edits_with_the_version_and_moves_the_status(client, lead):
    project = make_project(lead)
    form = client.get(f"/projects/{project.code}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "code"}
    data.update({"title": "Новое название", "version": "1"})
    assert client.post(f"/projects/{project.code}/edit/", data).status_code == 302
    stale = client.post(f"/projects/{project.code}/edit/", {**data, "title": "Ещё одно"})  # version 1 is stale
    assert stale.status_code == 200
    project.refresh_from_db()
    assert (project.title, project.version) == ("Новое название", 2)
    page = client.get(f"/projects/{project.code}/")
    assert [value for value, _label in page.context["transitions"]] == ["approved", "cancelled"]
    assert client.post(f"/projects/{project.code}/transition/", {"to": "approved"}).status_code == 302
    assert client.post(f"/projects/{project.code}/transition/", {"to": "completed"}).status_code == 400
    project.refresh_from_db()
    assert project.status == "approved"


def test_target_equal_to_baseline_is_shown_next_to_the_field_and_nothing_saved(client, lead):
    project = make_project(lead)
    response = client.post(f"/projects/{project.code}/kpis/new/", kpi_data(target="10"))
    assert response.status_code == 200
    assert response.context["form"].errors["target"] == ["Целевое значение должно отличаться от базового."]
    assert 'id="id_target_error"' in response.content.decode()
    assert not KPI.objects.filter(project=project).exists()


def test_a_measurement_outside_the_project_is_refused_next_to_the_date(client, lead):
    project = make_project(lead)
    kpi = add_kpi(lead, project)
    response = client.post(
        f"/projects/{project.code}/kpis/{kpi.pk}/measure/", {"measured_on": "2025-12-31", "value": "12"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["measured_on"] == [
        "Дата измерения должна быть в сроках проекта: 01.01.2026 — 30.06.2027."
    ]
    assert 'id="id_measured_on_error"' in response.content.decode()
    assert not KPIMeasurement.objects.exists()


def test_a_milestone_marked_done_without_evidence_is_refused(client, lead):
    project = make_project(lead)
    assert (
        client.post(
            f"/projects/{project.code}/milestones/new/", {"title": "Регламент утверждён", "due_on": "2026-03-01"}
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get(project=project)
    page = client.get(f"/projects/{project.code}/")
    assert page.context["milestones"][0].overdue is True
    assert "просрочена" in page.content.decode()
    response = client.post(
        f"/projects/{project.code}/milestones/{milestone.pk}/done/", {"done_on": "2026-03-05", "evidence": "  "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"] == ["Чтобы отметить выполнение, опишите подтверждение."]
    assert 'id="id_evidence_error"' in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on, milestone.evidence) == (MilestoneStatus.PLANNED, None, "")
    response = client.post(
        f"/projects/{project.code}/milestones/{milestone.pk}/done/",
        {"done_on": "2026-03-05", "evidence": "Приказ № 12"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.DONE


def test_risks_and_public_events_are_added_through_forms(client, lead):
    project = make_project(lead)
    response = client.post(
        f"/projects/{project.code}/risks/new/",
        {"description": "Сопротивление местных исполнителей", "likelihood": "4", "impact": "5", "mitigation": ""},
    )
    assert response.status_code == 302
    bad = client.post(f"/projects/{project.code}/risks/new/", {"description": "x", "likelihood": "6", "impact": "1"})
    assert "likelihood" in bad.context["form"].errors
    assert Risk.objects.filter(project=project).count() == 1
    response = client.post(
        f"/projects/{project.code}/events/new/",
        {"held_on": "2026-02-10", "kind": "hearing", "title": "Слушания по торгам", "participants": "40"},
    )
    assert response.status_code == 302
    assert PublicEvent.objects.filter(project=project).count() == 1
    page = client.get(f"/projects/{project.code}/")
    cells = {(line["likelihood"], cell["impact"]): cell for line in page.context["matrix"] for cell in line["cells"]}
    assert cells[(4, 5)]["count"] == 1
    assert cells[(4, 5)]["level"] == "high"
    assert "Слушания по торгам" in page.content.decode()


def test_the_chart_contains_the_trajectory_the_target_and_the_points(lead):
    from projects.charts import kpi_chart

    project = make_project(lead)
    kpi = add_kpi(lead, project)
    services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=dt.date(2026, 4, 1), value=Decimal("30"))
    services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=HALFWAY, value=Decimal("50"))
    svg = kpi_chart(KPI.objects.select_related("project").get(pk=kpi.pk), list(kpi.measurements.all()))
    assert svg.startswith('<svg class="kpi-chart"')
    assert svg.endswith("</svg>")
    # Trajectory: from (start, 10) at the left edge to (target date, 100); here the target date is the right edge.
    assert '<line class="kpi-chart__trajectory" x1="64.0" y1="172.4" x2="464.0" y2="27.6">' in svg
    assert 'class="kpi-chart__target"' in svg
    assert svg.count('<circle class="kpi-chart__point"') == 2
    assert '<polyline class="kpi-chart__values" points="' in svg
    assert '<circle class="kpi-chart__point" cx="264.0" cy="108.0" r="4"><title>02.07.2026: 50</title>' in svg
    assert "<script" not in svg
    assert "style=" not in svg


def test_the_directions_overview_has_a_constant_number_of_queries(client, lead, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            project = make_project(lead, code=f"PK-{n}-{i}")
            kpi = add_kpi(lead, project)
            services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=HALFWAY, value=Decimal("40"))
            add_kpi(lead, project, name="Без измерений")
            services.milestone_create(user=lead, project=project, title="Точка", due_on=dt.date(2026, 2, 1))
            services.risk_create(user=lead, project=project, description="Риск", likelihood=5, impact=3)

    grow(1)
    client.get("/projects/")
    with django_assert_num_queries(10) as captured:
        client.get("/projects/")
    grow(4)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get("/projects/")
    anti = next(row for row in response.context["directions"] if row.direction.code == "anti_corruption")
    assert (anti.projects, anti.kpis_on_track, anti.kpis_off_track, anti.kpis_unmeasured) == (5, 0, 5, 5)
    assert (anti.overdue_milestones, anti.high_risks) == (5, 5)


def test_the_project_page_has_a_constant_number_of_queries(client, lead, django_assert_num_queries):
    project = make_project(lead)
    kpi = add_kpi(lead, project)
    services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=HALFWAY, value=Decimal("40"))
    client.get(f"/projects/{project.code}/")
    with django_assert_num_queries(9) as captured:
        client.get(f"/projects/{project.code}/")
    for n in range(4):
        more = add_kpi(lead, project, name=f"KPI {n}")
        for month in (2, 3, 4):
            services.kpi_measure(user=lead, kpi_id=more.pk, measured_on=dt.date(2026, month, 1), value=Decimal(n))
        services.milestone_create(user=lead, project=project, title=f"Точка {n}", due_on=dt.date(2026, 5, n + 1))
        services.risk_create(user=lead, project=project, description=f"Риск {n}", likelihood=n + 1, impact=2)
        services.public_event_create(
            user=lead, project=project, held_on=dt.date(2026, 3, n + 1), kind="meeting", title=f"Встреча {n}"
        )
    with django_assert_num_queries(len(captured.captured_queries)):
        assert client.get(f"/projects/{project.code}/").status_code == 200


def test_list_filters_and_menu(client, lead):
    make_project(lead, code="PK-A")
    make_project(lead, code="PK-B", department="71")
    response = client.get("/projects/list/", {"owner_department": "71"})
    assert [p.code for p in response.context["page"].object_list] == ["PK-B"]
    response = client.get("/projects/list/", {"q": "PK-A", "lead": lead.pk, "direction": "anti_corruption"})
    assert [p.code for p in response.context["page"].object_list] == ["PK-A"]
    assert 'href="/projects/"' in client.get("/").content.decode()


def test_lead_edits_milestones_risks_and_events_and_cancels_a_milestone(client, make_user):
    lead = make_user("project_lead", department="00")
    project = make_project(lead)
    milestone = Milestone.objects.create(project=project, title="Запуск", due_on=dt.date(2026, 6, 1))
    risk = Risk.objects.create(project=project, description="Сопротивление", likelihood=4, impact=5)
    event = PublicEvent.objects.create(project=project, held_on=dt.date(2026, 2, 10), kind="hearing", title="Слушания")
    client.force_login(lead)
    base = f"/projects/{project.code}"
    assert (
        client.post(
            f"{base}/milestones/{milestone.pk}/edit/", {"title": "Запуск торгов", "due_on": "2026-07-01"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/risks/{risk.pk}/edit/",
            {
                "description": "Сопротивление",
                "likelihood": 2,
                "impact": 5,
                "mitigation": "Совместные проверки",
                "status": "mitigated",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/events/{event.pk}/edit/",
            {
                "held_on": "2026-02-10",
                "kind": "hearing",
                "title": "Слушания",
                "participants": 40,
                "outcome": "Одобрено",
            },
        ).status_code
        == 302
    )
    assert client.post(f"{base}/milestones/{milestone.pk}/status/", {"to": "cancelled"}).status_code == 302
    milestone.refresh_from_db()
    risk.refresh_from_db()
    event.refresh_from_db()
    assert (milestone.title, milestone.due_on, milestone.status) == ("Запуск торгов", dt.date(2026, 7, 1), "cancelled")
    assert (risk.likelihood, risk.status, risk.score) == (2, "mitigated", 10)
    assert (event.participants, event.outcome) == (40, "Одобрено")
    assert client.post(f"{base}/milestones/{milestone.pk}/status/", {"to": "done"}).status_code == 404


def test_another_lead_cannot_edit_rows_and_nothing_changes(client, make_user):
    lead = make_user("project_lead", department="00")
    project = make_project(lead)
    risk = Risk.objects.create(project=project, description="Сопротивление", likelihood=4, impact=5)
    client.force_login(make_user("project_lead", department="00"))
    response = client.post(
        f"/projects/{project.code}/risks/{risk.pk}/edit/",
        {"description": "x", "likelihood": 1, "impact": 1, "status": "closed"},
    )
    assert response.status_code == 403
    risk.refresh_from_db()
    assert (risk.description, risk.likelihood, risk.status) == ("Сопротивление", 4, "open")
