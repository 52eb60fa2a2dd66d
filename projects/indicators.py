"""Indicators of the projects app (DESIGN.md §4.5): KPIs on track.

Scope: the project's ``owner_department``; projects owned by a state body only count in the agency total. The
on-track rule is the one of :func:`projects.kpis.is_on_track` (latest value at least as good as the straight
line from the baseline at the project's start to the target at the target date), evaluated in SQL with the
comparison cross-multiplied by the trajectory's length in days so that it stays exact, as the Python rule is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anticor.indicators.registry import (
    Better,
    Group,
    IndicatorDefinition,
    RecomputeStep,
    StepContext,
    Unit,
    register,
    register_step,
)
from anticor.indicators.sql import aggregate
from projects.choices import Better as KPIBetter
from projects.choices import ProjectStatus

# expected(on) · total = baseline · total + (target − baseline) · clamp(on − start, 0, total)
_TOTAL = "(k.target_on - pr.start_on)"
_ELAPSED = f"least(greatest(m.measured_on - pr.start_on, 0), {_TOTAL})"
_EXPECTED_TIMES_TOTAL = f"(k.baseline * {_TOTAL} + (k.target - k.baseline) * {_ELAPSED})"
_ON_TRACK = f"""CASE WHEN k.better = '{KPIBetter.HIGHER.value}' THEN m.value * {_TOTAL} >= {_EXPECTED_TIMES_TOTAL}
                     ELSE m.value * {_TOTAL} <= {_EXPECTED_TIMES_TOTAL} END"""

# Each KPI of an active project with its latest measurement as of each period's end.
LATEST_KPI_STATUS = f"""
    SELECT DISTINCT ON (p.period, k.id)
           p.period AS fact_period, k.id, coalesce(pr.owner_department_id, 0) AS department_id, {_ON_TRACK} AS on_track
    FROM indicator_period p
    JOIN projects_kpimeasurement m ON m.measured_on <= p.ends_on
    JOIN projects_kpi k ON k.id = m.kpi_id AND NOT k.is_archived
    JOIN projects_project pr ON pr.id = k.project_id AND pr.status = '{ProjectStatus.ACTIVE.value}'
    ORDER BY p.period, k.id, m.measured_on DESC, m.id DESC
"""

register(
    IndicatorDefinition(
        code="kpi_on_track",
        name=_("KPI проектов в графике"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.PROJECTS,
        order=100,
        formula=_(
            "KPI реализуемых проектов, последнее на конец периода значение которых не хуже линии от базового значения "
            "к целевому ÷ KPI реализуемых проектов, имеющие хотя бы одно измерение к концу периода × 100%"
        ),
        # After the KPI measurements filled from the other indicators (stage 1), so a rerun finds them unchanged.
        stage=2,
        sql=aggregate(
            facts=LATEST_KPI_STATUS,
            match="f.fact_period = p.period",
            numerator="count(f.id) FILTER (WHERE f.on_track)",
            denominator="count(f.id)",
        ),
        earliest_sql="SELECT min(measured_on) FROM projects_kpimeasurement",
    )
)


def _record_kpi_measurements(context: StepContext) -> int:
    from projects.services import kpi_indicator_measurements_record

    return kpi_indicator_measurements_record(periods=context.periods, today=context.today)


register_step(
    RecomputeStep(
        name="projects.kpi_measurements", run=_record_kpi_measurements, counter="measurements_written", after_stage=1
    )
)
