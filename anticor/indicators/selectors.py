"""Reads of the indicator engine, always through the permission point (``anticor.access.visible``).

Visibility: readers of the whole agency (analysts, project leads, auditors, clients without a department limit)
see every row. Department-scoped readers (department heads; clients limited to departments) see their
departments' rows only — not the agency totals: a total aggregates every department's records (staff discipline
among them), which such a reader may not read, and with their own figure it would give away the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from anticor import access
from anticor.cache import cache_get
from anticor.indicators.models import (
    Indicator,
    IndicatorRestatement,
    IndicatorRun,
    IndicatorValue,
    LockedPeriod,
    RunStatus,
)
from anticor.indicators.registry import IndicatorDefinition, registry
from anticor.indicators.restatements import RestatementChanges, restatement_changes


def indicator_definitions(*, legacy: bool | None = None) -> list[IndicatorDefinition]:
    """Registered definitions in display order; ``legacy`` picks the legacy ones or the others."""
    return [d for d in registry.all() if legacy is None or d.legacy == legacy]


def indicators(*, user: access.Principal) -> QuerySet[Indicator]:
    return access.visible(user, Indicator.objects.all())


def indicator_values(
    *, user: access.Principal, code: str | None = None, scope: str | None = None, period: str | None = None
) -> QuerySet[IndicatorValue]:
    """Stored values the user may read, each with ``is_locked`` and its latest restatement (``restated_*``).

    A locked value is the approved figure; ``restated_value`` is what the data say now, when it differs.
    """
    latest = IndicatorRestatement.objects.filter(
        code=OuterRef("code"), scope=OuterRef("scope"), period=OuterRef("period")
    ).order_by("-id")
    queryset = IndicatorValue.objects.select_related("department").annotate(
        is_locked=Exists(LockedPeriod.objects.filter(period=OuterRef("period"))),
        restated_value=Subquery(latest.values("new_value")[:1]),
        restated_numerator=Subquery(latest.values("new_numerator")[:1]),
        restated_denominator=Subquery(latest.values("new_denominator")[:1]),
        restated_reason=Subquery(latest.values("reason")[:1]),
        restated_at=Subquery(latest.values("at")[:1]),
        restated_id=Subquery(latest.values("id")[:1]),
    )
    if code is not None:
        queryset = queryset.filter(code=code)
    if scope is not None:
        queryset = queryset.filter(scope=scope)
    if period is not None:
        queryset = queryset.filter(period=period)
    return access.visible(user, queryset)


@dataclass(frozen=True)
class Figure:
    """One indicator × scope × period as the collegium sees it: the stored (possibly locked) value and its
    restatements, oldest first."""

    value: IndicatorValue
    locked: LockedPeriod | None
    restatements: list[IndicatorRestatement]

    @property
    def current(self):
        """The figure the data give today: the latest restatement's, else the stored one."""
        return self.restatements[-1].new_value if self.restatements else self.value.value


def indicator_figure(*, user: access.Principal, code: str, scope: str, period: str) -> Figure | None:
    value = indicator_values(user=user, code=code, scope=scope, period=period).first()
    if value is None:
        return None
    restatements = access.visible(
        user, IndicatorRestatement.objects.filter(code=code, scope=scope, period=period).order_by("id")
    )
    return Figure(
        value=value, locked=LockedPeriod.objects.filter(period=period).first(), restatements=list(restatements)
    )


def value_restatement_changes(
    *, user: access.Principal, values: Iterable[IndicatorValue]
) -> dict[int, RestatementChanges]:
    """What changed behind the latest restatements of values from :func:`indicator_values` (by restatement id):
    a fixed number of queries per period, whatever the number of values."""
    latest = [
        IndicatorRestatement(
            pk=value.restated_id,
            code=value.code,
            scope=value.scope,
            department_id=value.department_id,
            period=value.period,
            at=value.restated_at,
        )
        for value in cast(Iterable[Any], values)  # with the restated_* annotations of indicator_values
        if getattr(value, "restated_id", None) is not None
    ]
    return restatement_changes(user=user, restatements=latest)


def indicator_restatements(*, user: access.Principal, period: str | None = None) -> QuerySet[IndicatorRestatement]:
    queryset = IndicatorRestatement.objects.select_related("run", "department")
    if period is not None:
        queryset = queryset.filter(period=period)
    return access.visible(user, queryset)


def locked_periods() -> QuerySet[LockedPeriod]:
    return LockedPeriod.objects.select_related("approved_by")


def indicator_runs(*, user: access.Principal) -> QuerySet[IndicatorRun]:
    return access.visible(user, IndicatorRun.objects.select_related("requested_by"))


def indicator_run_progress(*, run: IndicatorRun) -> tuple[int, int]:
    """(done, total) steps: live from the cache while the run is going, else the figures it finished with."""
    if run.status == RunStatus.RUNNING:
        from anticor.indicators.services import progress_key

        live = cache_get(progress_key(run.pk))
        if live is not None:
            return tuple(live)
    return run.progress_done, run.progress_total
