"""Projects: the on-track rule at its edges, bad input, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from anticor.access import AccessDenied, Role
from anticor.models import Department
from projects import kpis, services
from projects.choices import Better
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project

pytestmark = pytest.mark.django_db

START, TARGET_ON = dt.date(2026, 1, 1), dt.date(2026, 12, 31)  # 364 days


@pytest.fixture
def lead(make_user):
    return make_user(Role.PROJECT_LEAD, department="00")


@pytest.fixture
def project(lead):
    return services.project_create(
        user=lead,
        values={
            "direction": Direction.objects.get(code="anti_corruption"),
            "code": "PK-2026-01",
            "title": "Прозрачные земельные торги",
            "goal": "Исключить ручное распределение земельных участков",
            "lead": lead,
            "owner_department": Department.objects.get(code="75"),
            "start_on": START,
            "end_on": dt.date(2027, 6, 30),
        },
    )


def make_kpi(user, project, *, better=Better.HIGHER, baseline="10", target="100", unit="%"):
    return services.kpi_create(
        user=user,
        values={
            "project": project,
            "name": "Доля участков, распределённых через аукцион",
            "unit": unit,
            "baseline": Decimal(baseline),
            "target": Decimal(target),
            "target_on": TARGET_ON,
            "better": better,
        },
    )


# --- the on-track rule ----------------------------------------------------------------------------------------------


def test_trajectory_is_a_straight_line_from_baseline_to_target():
    line = kpis.Trajectory(start_on=START, baseline=Decimal(10), target_on=TARGET_ON, target=Decimal(100))
    assert line.expected(START) == 10
    assert line.expected(dt.date(2025, 6, 1)) == 10  # before the start: the baseline
    assert line.expected(START + dt.timedelta(days=182)) == 55  # half-way
    assert line.expected(TARGET_ON) == 100
    assert line.expected(dt.date(2027, 3, 1)) == 100  # after the target date: the target
    assert line.expected(START + dt.timedelta(days=1)) == Fraction(10) + Fraction(90, 364)


@pytest.mark.parametrize(
    ("better", "value", "on_track"),
    [
        (Better.HIGHER, "55", True),  # on the line
        (Better.HIGHER, "54.9999", False),  # just below
        (Better.HIGHER, "55.0001", True),
        (Better.LOWER, "55", True),  # on the line
        (Better.LOWER, "55.0001", False),  # just above, i.e. worse
        (Better.LOWER, "54.9999", True),
    ],
)
def test_on_track_edges(better, value, on_track):
    assert kpis.is_on_track(better=better, value=Decimal(value), expected=Fraction(55)) is on_track


def test_status_uses_the_latest_measurement_and_explains_the_gap(lead, project):
    kpi = make_kpi(lead, project)
    assert kpis.kpi_status(kpi, None).on_track is None
    half_way = START + dt.timedelta(days=182)
    services.kpi_measure(
        user=lead, kpi_id=kpi.pk, measured_on=START + dt.timedelta(days=91), value=Decimal(40), evidence="Отчёт акимата"
    )
    latest = services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=half_way, value=Decimal(50), evidence="Отчёт")
    status = kpis.kpi_status(kpi, latest)
    assert (status.on_track, status.expected, status.gap) == (False, Fraction(55), Decimal(-5))


def test_lower_is_better_kpi_going_down_on_time_is_on_track(lead, project):
    kpi = make_kpi(lead, project, better=Better.LOWER, baseline="200", target="20", unit="обращений")
    latest = services.kpi_measure(
        user=lead,
        kpi_id=kpi.pk,
        measured_on=START + dt.timedelta(days=182),
        value=Decimal(110),
        evidence="Реестр обращений",
    )
    status = kpis.kpi_status(kpi, latest)
    assert (status.on_track, status.expected, status.gap) == (True, Fraction(110), Decimal(0))


# --- bad input ------------------------------------------------------------------------------------------------------


def test_target_equal_to_baseline_is_refused(lead, project):
    with pytest.raises(ValidationError) as error:
        make_kpi(lead, project, baseline="50", target="50")
    assert error.value.message_dict == {"target": ["Целевое значение должно отличаться от базового."]}
    assert KPI.objects.count() == 0


def test_target_date_before_the_start_is_refused(lead, project):
    with pytest.raises(ValidationError) as error:
        services.kpi_create(
            user=lead,
            values={
                "project": project,
                "name": "x",
                "unit": "%",
                "baseline": 1,
                "target": 2,
                "target_on": dt.date(2025, 12, 31),
            },
        )
    assert error.value.message_dict == {"target_on": ["Срок достижения должен быть позже начала проекта."]}
    assert KPI.objects.count() == 0


@pytest.mark.parametrize("measured_on", [dt.date(2025, 12, 31), dt.date(2027, 7, 1)])
def test_measurement_outside_the_project_is_refused(lead, project, measured_on):
    kpi = make_kpi(lead, project)
    with pytest.raises(ValidationError) as error:
        services.kpi_measure(user=lead, kpi_id=kpi.pk, measured_on=measured_on, value=Decimal(5))
    assert error.value.message_dict == {
        "measured_on": ["Дата измерения должна быть в сроках проекта: 01.01.2026 — 30.06.2027."]
    }
    assert KPIMeasurement.objects.count() == 0


def test_milestone_is_not_done_without_evidence(lead, project):
    milestone = Milestone.objects.create(project=project, title="Запуск аукционов", due_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.milestone_transition(user=lead, milestone_id=milestone.pk, to="done", done_on=dt.date(2026, 5, 30))
    assert error.value.message_dict == {"evidence": ["Чтобы отметить выполнение, опишите подтверждение."]}
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on, milestone.is_overdue(dt.date(2026, 6, 2))) == ("planned", None, True)
    done = services.milestone_transition(
        user=lead,
        milestone_id=milestone.pk,
        to="done",
        done_on=dt.date(2026, 5, 30),
        evidence="Протокол первых торгов № 1",
    )
    assert (done.status, done.is_overdue(dt.date(2026, 6, 2))) == ("done", False)


def test_a_seventh_active_mandatory_direction_is_refused(make_user):
    admin = make_user(Role.ADMINISTRATOR, department="00")
    for n in range(5):
        services.direction_save(user=admin, direction=Direction(code=f"d{n}", name_ru=f"Направление {n}", order=n + 2))
    assert Direction.objects.filter(is_active=True, is_mandatory=True).count() == 6
    with pytest.raises(ValidationError) as error:
        services.direction_save(user=admin, direction=Direction(code="d7", name_ru="Седьмое", order=9))
    assert error.value.messages == ["Действующих обязательных направлений не может быть больше 6."]
    assert not Direction.objects.filter(code="d7").exists()
    # An inactive or optional one is fine.
    services.direction_save(user=admin, direction=Direction(code="d8", name_ru="Необязательное", is_mandatory=False))


# --- permissions ----------------------------------------------------------------------------------------------------


def test_a_lead_edits_only_projects_they_lead_or_curate(make_user, lead, project):
    other_lead = make_user(Role.PROJECT_LEAD, department="00")
    with pytest.raises(AccessDenied):
        services.project_update(user=other_lead, project_id=project.pk, expected_version=1, values={"title": "Чужой"})
    with pytest.raises(AccessDenied):
        make_kpi(other_lead, project)
    Project.objects.filter(pk=project.pk).update(curator=other_lead)
    changed = services.project_update(
        user=other_lead, project_id=project.pk, expected_version=1, values={"title": "Прозрачные торги"}
    )
    assert (changed.title, changed.version) == ("Прозрачные торги", 2)


def test_readers_by_role_and_department(make_user, project):
    from anticor import access

    assert access.can_view(make_user(Role.ANALYST, department="00"), project)
    assert access.can_view(make_user(Role.AUDITOR, department="00"), project)
    assert access.can_view(make_user(Role.INVESTIGATOR, department="75"), project)
    assert not access.can_view(make_user(Role.INVESTIGATOR, department="71"), project)
    assert not access.can_change(make_user(Role.ANALYST, department="00"), project)


def test_stale_project_edit_is_refused(lead, project):
    from anticor.versioning import StaleVersion

    services.project_update(user=lead, project_id=project.pk, expected_version=1, values={"goal": "Новая цель"})
    with pytest.raises(StaleVersion) as conflict:
        services.project_update(user=lead, project_id=project.pk, expected_version=1, values={"goal": "Моя цель"})
    assert conflict.value.changes == {"goal": ("Исключить ручное распределение земельных участков", "Новая цель")}
    assert Project.objects.get(pk=project.pk).goal == "Новая цель"
