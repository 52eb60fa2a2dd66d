"""Reads of the projects app: latest measurements, KPI statuses, the directions overview, the project page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from anticor import access
from anticor.formatting import as_decimal, show_number
from projects.choices import MilestoneStatus, ProjectStatus, RiskStatus
from projects.kpis import KPIStatus, kpi_status
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, Risk

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HIGH_RISK_SCORE = 15


def gap_unit(unit: str) -> str:
    """Differences of percentages are percentage points."""
    return _("п.") if unit.strip() == "%" else unit


def gap_text(status: KPIStatus) -> str:
    """Why the KPI is (not) on track, in words: «отстаёт на 5 п.», «опережает на 2 п.», «на траектории»."""
    gap = status.gap
    if gap is None:
        return _("нет измерений")
    unit = gap_unit(status.kpi.unit)
    if as_decimal(gap) == 0:
        return _("на траектории")
    if gap < 0:
        return _("отстаёт на %(gap)s %(unit)s") % {"gap": show_number(-gap), "unit": unit}
    return _("опережает на %(gap)s %(unit)s") % {"gap": show_number(gap), "unit": unit}


def latest_measurements(kpi_ids: Iterable[int]) -> dict[int, KPIMeasurement]:
    """The latest measurement of each KPI (by date, then entry), in one query."""
    rows = (
        KPIMeasurement.objects.filter(kpi_id__in=list(kpi_ids))
        .order_by("kpi_id", "-measured_on", "-id")
        .distinct("kpi_id")
    )
    return {row.kpi_id: row for row in rows}


def kpi_statuses(projects: Iterable[Project]) -> dict[int, list[KPIStatus]]:
    """The statuses of the (non-archived) KPIs of ``projects``, by project id: two queries whatever the count."""
    by_id = {project.pk: project for project in projects}
    kpis = list(KPI.objects.filter(project_id__in=by_id, is_archived=False).order_by("project_id", "id"))
    latest = latest_measurements(kpi.pk for kpi in kpis)
    result: dict[int, list[KPIStatus]] = defaultdict(list)
    for kpi in kpis:
        kpi.project = by_id[kpi.project_id]
        result[kpi.project_id].append(kpi_status(kpi, latest.get(kpi.pk)))
    return result


# --- directions overview --------------------------------------------------------------------------------------------


@dataclass
class DirectionHealth:
    direction: Direction
    by_status: dict[str, int] = field(default_factory=dict)
    projects: int = 0
    kpis_on_track: int = 0
    kpis_off_track: int = 0
    kpis_unmeasured: int = 0
    overdue_milestones: int = 0
    high_risks: int = 0

    @property
    def status_counts(self) -> list[tuple[str, StrOrPromise, int]]:
        return [(value, label, self.by_status.get(value, 0)) for value, label in ProjectStatus.choices]


def directions_overview(user: access.Principal, today: dt.date) -> list[DirectionHealth]:
    """Each active direction with its visible projects by status and their health; a fixed number of queries."""
    rows = {d.pk: DirectionHealth(direction=d) for d in Direction.objects.filter(is_active=True)}
    projects = access.visible(user, Project.objects.filter(direction_id__in=rows))
    for item in projects.values("direction_id", "status").annotate(n=Count("id")).order_by():
        health = rows[item["direction_id"]]
        health.by_status[item["status"]] = item["n"]
        health.projects += item["n"]
    current = list(
        projects.exclude(status__in=[ProjectStatus.COMPLETED, ProjectStatus.CANCELLED]).only(
            "id", "direction_id", "start_on"
        )
    )
    direction_of = {project.pk: project.direction_id for project in current}
    for project_id, statuses in kpi_statuses(current).items():
        health = rows[direction_of[project_id]]
        for status in statuses:
            if status.on_track is None:
                health.kpis_unmeasured += 1
            elif status.on_track:
                health.kpis_on_track += 1
            else:
                health.kpis_off_track += 1
    current_ids = [p.pk for p in current]
    overdue = (
        Milestone.objects.filter(project_id__in=current_ids, status=MilestoneStatus.PLANNED, due_on__lt=today)
        .values("project__direction_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in overdue:
        rows[item["project__direction_id"]].overdue_milestones = item["n"]
    risks = (
        Risk.objects.filter(project_id__in=current_ids, status=RiskStatus.OPEN)
        .alias(risk_score=F("likelihood") * F("impact"))
        .filter(risk_score__gte=HIGH_RISK_SCORE)
        .values("project__direction_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in risks:
        rows[item["project__direction_id"]].high_risks = item["n"]
    return list(rows.values())


# --- the project page -----------------------------------------------------------------------------------------------


@dataclass
class KPIRow:
    status: KPIStatus
    measurements: list[KPIMeasurement]
    expected: Decimal | None
    gap: str
    chart: str = ""

    @property
    def kpi(self) -> KPI:
        return self.status.kpi


def project_kpi_rows(project: Project) -> list[KPIRow]:
    """The KPIs of a project with all their measurements (one query each for KPIs and measurements)."""
    kpis = list(KPI.objects.filter(project=project, is_archived=False).select_related("responsible"))
    measured: dict[int, list[KPIMeasurement]] = defaultdict(list)
    for measurement in KPIMeasurement.objects.filter(kpi__in=kpis).order_by("kpi_id", "measured_on", "id"):
        measured[measurement.kpi_id].append(measurement)
    rows = []
    for kpi in kpis:
        kpi.project = project
        points = measured.get(kpi.pk, [])
        status = kpi_status(kpi, points[-1] if points else None)
        row = KPIRow(
            status=status,
            measurements=points,
            expected=as_decimal(status.expected) if status.expected is not None else None,
            gap=gap_text(status),
        )
        rows.append(row)
    return rows


def risk_matrix(risks: Iterable[Risk]) -> list[dict[str, Any]]:
    """5×5 likelihood (rows, 5 on top) × impact (columns) with the open risks counted in each cell."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for risk in risks:
        if risk.status == RiskStatus.OPEN:
            counts[(risk.likelihood, risk.impact)] += 1
    matrix = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            score = likelihood * impact
            level = "high" if score >= HIGH_RISK_SCORE else "medium" if score >= 6 else "low"
            cells.append({"impact": impact, "score": score, "level": level, "count": counts[(likelihood, impact)]})
        matrix.append({"likelihood": likelihood, "cells": cells})
    return matrix


def project_filter_q(q: str) -> Q:
    return Q(code__icontains=q) | Q(title__icontains=q) | Q(goal__icontains=q)
