"""The demo projects filled by seed_demo: six directions (five marked as examples), projects with their rows."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from anticor.access import Role
from projects import kpis, services
from projects.choices import MilestoneStatus
from projects.demo import DEMO_PREFIX, EXAMPLE_DIRECTIONS, PROJECTS, demo_projects
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Direction, Project, KPI, KPIMeasurement, Milestone, Risk, PublicEvent)
    )


def test_demo_projects_cover_six_directions_and_are_created_once(make_user):
    users = {"lead": make_user(Role.PROJECT_LEAD, department="00"), "analyst": make_user(Role.ANALYST, department="00")}
    started = time.monotonic()
    demo_projects(users)
    assert time.monotonic() - started < 5
    # Six active mandatory directions: the seeded anti-corruption one and five examples labelled as such
    active = Direction.objects.filter(is_active=True, is_mandatory=True)
    assert active.count() == 6
    examples = active.filter(is_example=True)
    assert examples.count() == 5
    assert all(name.startswith("Пример: ") for name in examples.values_list("name_ru", flat=True))
    assert set(examples.values_list("code", flat=True)) == {code for code, _ru, _kk in EXAMPLE_DIRECTIONS}
    assert not active.filter(is_example=False).exclude(code="anti_corruption").exists()
    # Projects in every direction, with 2-3 KPIs each and their rows
    expected_projects = sum(len(specs) for specs in PROJECTS.values())
    assert Project.objects.filter(code__startswith=DEMO_PREFIX).count() == expected_projects
    per_direction = dict(Project.objects.values_list("direction__code").annotate(n=Count("id")))
    assert set(per_direction) == set(PROJECTS)
    assert all(2 <= n <= 3 for n in per_direction.values())
    kpis_per_project = Project.objects.annotate(n=Count("kpis")).values_list("n", flat=True)
    assert all(2 <= n <= 3 for n in kpis_per_project)
    assert Project.objects.values("owner_department").distinct().count() > 3
    assert Project.objects.filter(curator=users["analyst"]).exists()
    assert not KPI.objects.filter(measurements__isnull=True).exists()
    assert Milestone.objects.filter(status=MilestoneStatus.DONE).exclude(evidence="").count() > 0
    assert not Milestone.objects.filter(status=MilestoneStatus.DONE, evidence="").exists()
    assert Milestone.objects.filter(status=MilestoneStatus.PLANNED, due_on__lt=services.timezone.localdate()).exists()
    assert Risk.objects.values("likelihood", "impact").distinct().count() > 5
    assert PublicEvent.objects.values("kind").distinct().count() == 4
    # Some KPIs on track, some lagging their trajectory
    statuses = [
        kpis.kpi_status(kpi, kpi.measurements.order_by("-measured_on", "-id").first()).on_track
        for kpi in KPI.objects.select_related("project")
    ]
    assert True in statuses
    assert False in statuses
    # A second run adds nothing
    before = counts()
    demo_projects(users)
    assert counts() == before
