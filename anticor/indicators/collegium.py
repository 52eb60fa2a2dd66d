"""The collegium half-year report: every indicator per department and for the agency beside the previous
half-year, the staff integrity summary, the recurring root-cause categories, the approval and its restatements.

The page costs a fixed number of queries whatever the number of departments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.formatting import show_value
from anticor.indicators.figures import VALUE_FIELDS, Figure, figure_links, unit_suffix, value_index
from anticor.indicators.labels import PeriodError, parse_period
from anticor.indicators.models import AGENCY, IndicatorRestatement, IndicatorRun, IndicatorValue, LockedPeriod
from anticor.indicators.periods import Period, PeriodKind
from anticor.indicators.registry import registry
from anticor.indicators.restatements import restatement_changes
from anticor.indicators.selectors import indicator_definitions
from anticor.models import Department

TOP_CATEGORIES = 10


@dataclass
class ScopeReport:
    """The indicators of one scope (the agency or a department) in the half-year, beside the previous one."""

    scope: str
    label: str
    department: Any
    figures: list[Figure]
    legacy: list[Figure]
    short_label: str = ""

    @property
    def has_values(self) -> bool:
        return any(f.value is not None or f.previous is not None for f in self.figures + self.legacy)


@dataclass
class StaffRow:
    """The staff integrity summary of one scope: counts of employees and checks (from the staff_* indicators)."""

    scope: str
    label: str
    convicted: Decimal | None
    disciplined: Decimal | None
    dismissed_negative: Decimal | None
    checks_conducted: Decimal | None
    checks_failed: Decimal | None  # the fail rate's numerator
    checks_with_outcome: Decimal | None  # its denominator
    fail_rate: Decimal | None


@dataclass
class CategoryRow:
    code: str
    name: str
    identified: int
    departments: int
    regressed: int
    eliminated: int


@dataclass
class RestatementRow:
    """A locked figure beside the recomputed one, with the reason the engine recorded."""

    name: str
    scope_label: str
    old: str
    new: str
    old_ratio: str
    new_ratio: str
    reason: str
    at: Any
    item: Any
    changes: Any = None  # restatements.RestatementChanges: the records changed since the approval


@dataclass
class Collegium:
    period: Period
    previous: Period
    agency: ScopeReport
    departments: list[ScopeReport]
    staff: list[StaffRow]
    categories: list[CategoryRow]
    lock: Any  # the LockedPeriod, or None
    restatements: list[RestatementRow]
    last_run: Any

    @property
    def scopes(self) -> list[ScopeReport]:
        return [self.agency, *self.departments]

    @property
    def is_over(self) -> bool:
        """Whether the half-year has ended (only then can its report be approved)."""
        return self.period.ends_on < timezone.localdate()


class CollegiumPeriodError(PeriodError):
    pass


def collegium_period(text: Any) -> Period:
    period = parse_period(text)
    if period.kind != PeriodKind.HALF:
        raise CollegiumPeriodError(
            _("Отчёт коллегии составляется за полугодие: укажите период вида 2022-H1 или 2022-H2.")
        )
    return period


def require_agency_reader(user: access.Principal) -> None:
    """The collegium report covers every department: readers of the whole agency only."""
    if access.scope_for(user, access.Area.INDICATORS) != access.Scope.ALL:
        raise access.AccessDenied(_("Отчёт коллегии доступен тем, кто читает показатели всего агентства."))


def _staff_row(scope: str, label: str, values: dict, period: Period) -> StaffRow:
    def get(code: str) -> Any:
        return values.get((code, scope, period.code))

    def number(code: str) -> Decimal | None:
        value = get(code)
        return value.value if value is not None else None

    fail = get("integrity_check_fail_rate")
    return StaffRow(
        scope=scope,
        label=label,
        convicted=number("staff_convicted"),
        disciplined=number("staff_disciplined"),
        dismissed_negative=number("staff_dismissed_negative"),
        checks_conducted=number("integrity_checks_conducted"),
        checks_failed=fail.numerator if fail is not None else None,
        checks_with_outcome=fail.denominator if fail is not None else None,
        fail_rate=fail.value if fail is not None else None,
    )


def _recurring_categories(period: Period) -> list[CategoryRow]:
    part = registry.report_part("recurring_categories")
    return part(period, limit=TOP_CATEGORIES) if part is not None else []


def _restatement_row(item: Any, labels: dict[str, str]) -> RestatementRow:
    definition = registry.get(item.code) if item.code in registry else None
    unit = unit_suffix(definition.unit) if definition else ""

    def ratio(numerator: Any, denominator: Any) -> str:
        if denominator is None:
            return show_value(numerator) if numerator is not None else ""
        return f"{show_value(numerator)} / {show_value(denominator)}"

    return RestatementRow(
        name=str(definition.name) if definition else item.code,
        scope_label=labels.get(item.scope, item.scope),
        old=show_value(item.old_value, unit),
        new=show_value(item.new_value, unit),
        old_ratio=ratio(item.old_numerator, item.old_denominator),
        new_ratio=ratio(item.new_numerator, item.new_denominator),
        reason=item.reason,
        at=item.at,
        item=item,
    )


def _short_label(department: Any) -> str:
    """«75 — город Алматы»: the region names a territorial department; the central office keeps its name."""
    if department.region is not None and not department.is_central_office:
        return f"{department.code} — {department.region.name}"
    return f"{department.code} — {department.name}"


def collegium(*, user: access.Principal, period: Period) -> Collegium:
    """The half-year report: every indicator per department and for the agency with the previous half-year,
    the staff integrity summary, the recurring root-cause categories, the approval and restatements.

    Queries: departments, values of both half-years, categories, lock, restatements, last run — whatever the
    number of departments.
    """
    require_agency_reader(user)
    previous = period.previous
    departments = list(Department.objects.filter(is_active=True).select_related("region").order_by("code"))
    values = value_index(
        access.visible(user, IndicatorValue.objects.filter(period__in=[period.code, previous.code])).only(*VALUE_FIELDS)
    )

    def scope_report(scope: str, label: str, department: Any, short_label: str = "") -> ScopeReport:
        figures: list[Figure] = []
        legacy: list[Figure] = []
        for definition in indicator_definitions():
            figure = Figure(
                definition=definition,
                value=values.get((definition.code, scope, period.code)),
                previous=values.get((definition.code, scope, previous.code)),
                links=figure_links(definition.code, period, department.code if department else None),
            )
            (legacy if definition.legacy else figures).append(figure)
        return ScopeReport(
            scope=scope,
            label=label,
            department=department,
            figures=figures,
            legacy=legacy,
            short_label=short_label or label,
        )

    agency = scope_report(AGENCY, str(_("Агентство в целом")), None)
    reports = [scope_report(d.code, f"{d.code} — {d.name}", d, _short_label(d)) for d in departments]
    staff = [_staff_row(AGENCY, agency.label, values, period)]
    staff += [_staff_row(r.scope, r.short_label, values, period) for r in reports]
    lock = LockedPeriod.objects.select_related("approved_by").filter(period=period.code).first()
    labels = {AGENCY: agency.label, **{r.scope: r.short_label for r in reports}}
    items = list(
        access.visible(user, IndicatorRestatement.objects.filter(period=period.code)).order_by("scope", "code", "id")
    )
    changes = restatement_changes(user=user, restatements=items)
    restatements = [replace(_restatement_row(item, labels), changes=changes.get(item.pk)) for item in items]
    return Collegium(
        period=period,
        previous=previous,
        agency=agency,
        departments=[r for r in reports if r.has_values],
        staff=[
            row
            for row in staff
            if row.scope == AGENCY
            or any(getattr(row, name) is not None for name in ("convicted", "disciplined", "checks_conducted"))
        ],
        categories=_recurring_categories(period),
        lock=lock,
        restatements=restatements,
        last_run=IndicatorRun.objects.select_related("requested_by").order_by("-id").first(),
    )
