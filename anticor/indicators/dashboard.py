"""The dashboard of one scope (the agency or a department): every indicator for one period with its trend, and
the scopes and years its selectors offer.

Every figure of the page comes from a fixed number of queries (values of all codes and trend periods at once,
the last run, the department), so the page costs the same whatever the number of departments or periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from anticor import access
from anticor.indicators import periods
from anticor.indicators.charts import CHART_WIDTH, LEGACY_CHART_WIDTH, trend_chart
from anticor.indicators.figures import VALUE_FIELDS, Figure, figure_links, value_index
from anticor.indicators.labels import period_short_label, trend_periods
from anticor.indicators.models import AGENCY, IndicatorRun, IndicatorValue
from anticor.indicators.periods import Period, PeriodKind
from anticor.indicators.registry import Group
from anticor.indicators.selectors import indicator_definitions
from anticor.models import Department

GROUP_ORDER = (Group.ROOT_CAUSES, Group.PROSECUTION, Group.SIGNALS, Group.PROJECTS, Group.STAFF)


@dataclass
class FigureGroup:
    code: str
    label: str | Promise
    figures: list[Figure]


# --- access ----------------------------------------------------------------------------------------------------------


def readable_scope(user: access.Principal, scope: str) -> None:
    """Raise AccessDenied unless the user may read indicators of ``scope`` (agency or a department code)."""
    granted = access.scope_for(user, access.Area.INDICATORS)
    if granted == access.Scope.ALL:
        return
    if granted == access.Scope.DEPARTMENT and scope != AGENCY:
        own = set(Department.objects.filter(pk__in=access.department_ids(user)).values_list("code", flat=True))
        if scope in own:
            return
    raise access.AccessDenied(_("Показатели этого охвата вам недоступны."))


def default_scope(user: access.Principal) -> str:
    """Readers of the whole agency start with the agency; a department head with their department."""
    if access.scope_for(user, access.Area.INDICATORS) == access.Scope.ALL:
        return AGENCY
    department = getattr(user, "department", None)
    return department.code if department is not None else AGENCY


def default_period(user: access.Principal) -> Period:
    """The latest finished half-year that has values (what a collegium reviews); else the current half-year."""
    current = periods.period_containing(timezone.localdate(), PeriodKind.HALF)
    latest = (
        access.visible(user, IndicatorValue.objects.filter(period__regex=r"^\d{4}-H[12]$", period__lt=current.code))
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return periods.parse_period(latest) if latest else current


# --- the dashboard ---------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: str
    department: Any  # the Department, or None for the agency
    period: Period
    groups: list[FigureGroup]
    legacy: list[Figure]
    last_run: Any
    flagged: list[Figure]

    @property
    def figures(self) -> list[Figure]:
        return [figure for group in self.groups for figure in group.figures] + self.legacy

    @property
    def has_values(self) -> bool:
        return any(figure.value is not None for figure in self.figures)


def department_for_scope(scope: str) -> Any:
    if scope == AGENCY:
        return None
    department = Department.objects.filter(code=scope).first()
    if department is None:
        raise ScopeError(
            _("Неизвестный охват «%(scope)s»: укажите agency или код департамента.") % {"scope": scope[:20]}
        )
    return department


class ScopeError(ValueError):
    """A scope parameter that is neither ``agency`` nor the code of a department."""


def dashboard(*, user: access.Principal, scope: str, period: Period) -> Dashboard:
    """Every indicator of one scope for one period, with its trend over the periods of the same kind before it.

    Queries: the department (none for the agency), the values of all codes and trend periods at once, the last run.
    """
    if not isinstance(scope, str) or not re.fullmatch(r"agency|\d{2}", scope):
        raise ScopeError(
            _("Неизвестный охват «%(scope)s»: укажите agency или код департамента.") % {"scope": str(scope)[:20]}
        )
    readable_scope(user, scope)
    department = department_for_scope(scope)
    trend = trend_periods(period)
    codes = [p.code for p in trend]
    values = value_index(
        access.visible(user, IndicatorValue.objects.filter(scope=scope, period__in=codes)).only(*VALUE_FIELDS)
    )
    department_code = department.code if department is not None else None
    by_group: dict[str, list[Figure]] = {}
    legacy: list[Figure] = []
    for definition in indicator_definitions():
        figure = Figure(
            definition=definition,
            value=values.get((definition.code, scope, period.code)),
            trend=[(p, getattr(values.get((definition.code, scope, p.code)), "value", None)) for p in trend],
            links=figure_links(definition.code, period, department_code),
        )
        figure.chart = trend_chart(
            key=f"{definition.code}-{scope}",
            title=_("%(name)s по периодам") % {"name": definition.name},
            points=[(period_short_label(p), v) for p, v in figure.trend],
            unit=figure.unit,
            threshold=definition.threshold,
            width=LEGACY_CHART_WIDTH if definition.legacy else CHART_WIDTH,
        )
        if definition.legacy:
            legacy.append(figure)
        else:
            by_group.setdefault(definition.group, []).append(figure)
    order: dict[str, int] = {code: index for index, code in enumerate(GROUP_ORDER)}
    groups = [
        FigureGroup(code, Group(code).label if code in Group.values else code, figures)
        for code, figures in sorted(by_group.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    flagged = [figure for group in groups for figure in group.figures if figure.flagged]
    return Dashboard(
        scope=scope,
        department=department,
        period=period,
        groups=groups,
        legacy=legacy,
        last_run=IndicatorRun.objects.select_related("requested_by").order_by("-id").first(),
        flagged=flagged,
    )


def scope_choices(user: access.Principal) -> list[tuple[str, str]]:
    """The scopes the user may pick: the agency and every department, or their own department only."""
    if access.scope_for(user, access.Area.INDICATORS) == access.Scope.ALL:
        departments = Department.objects.filter(is_active=True).order_by("code")
        return [(AGENCY, _("Агентство в целом")), *((d.code, f"{d.code} — {d.name}") for d in departments)]
    departments = Department.objects.filter(pk__in=access.department_ids(user))
    return [(d.code, f"{d.code} — {d.name}") for d in departments]


def selector_years(user: access.Principal, period: Period) -> list[int]:
    """Years offered by the period selectors (the dashboard's and the report's): those with values, and the shown
    and current years."""
    bounds = access.visible(user, IndicatorValue.objects.all()).aggregate(first=Min("period"), last=Max("period"))
    years = {period.starts_on.year, timezone.localdate().year}
    if bounds["first"] and bounds["last"]:
        years |= set(range(int(bounds["first"][:4]), int(bounds["last"][:4]) + 1))
    return sorted(years)
