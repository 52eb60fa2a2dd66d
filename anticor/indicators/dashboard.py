"""What the indicator pages read: the dashboard of one scope, the collegium half-year report, the run page.

Every figure of a page comes from a fixed number of queries (values of all codes and trend periods at once,
the last run, the departments), so a page costs the same whatever the number of departments or periods.
Figures link to the records behind them through the ordinary list filters of the cases app.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anticor import access
from anticor.indicators import periods
from anticor.indicators.models import IndicatorRestatement, IndicatorRun, IndicatorValue, LockedPeriod
from anticor.indicators.periods import Period, PeriodKind
from anticor.indicators.registry import Better, Group, IndicatorDefinition, Unit, registry
from anticor.indicators.restatements import restatement_changes
from anticor.models import Department
from cases.models import RootCauseCategory

AGENCY = "agency"

# --- periods (parsed by the engine's :mod:`anticor.indicators.periods`) -------------------------------------------

MONTHS = (
    gettext_lazy("январь"),
    gettext_lazy("февраль"),
    gettext_lazy("март"),
    gettext_lazy("апрель"),
    gettext_lazy("май"),
    gettext_lazy("июнь"),
    gettext_lazy("июль"),
    gettext_lazy("август"),
    gettext_lazy("сентябрь"),
    gettext_lazy("октябрь"),
    gettext_lazy("ноябрь"),
    gettext_lazy("декабрь"),
)
ROMAN = ("I", "II", "III", "IV")


class PeriodError(ValueError):
    """A period parameter that is not one of 2022, 2022-H1, 2022-Q3, 2022-07 (or out of range)."""


def parse_period(text: Any) -> Period:
    """The engine's period for a URL parameter; PeriodError with the engine's translated message otherwise."""
    try:
        return periods.parse_period(text if isinstance(text, str) else "")
    except ValidationError as error:
        raise PeriodError(" ".join(error.messages)) from error


def period_label(period: Period) -> str:
    year = period.starts_on.year
    if period.kind == PeriodKind.YEAR:
        return _("%(year)s год") % {"year": year}
    if period.kind == periods.PeriodKind.HALF:
        return _("%(index)s-е полугодие %(year)s") % {"index": 1 if period.starts_on.month == 1 else 2, "year": year}
    if period.kind == PeriodKind.QUARTER:
        return _("%(index)s квартал %(year)s") % {"index": ROMAN[(period.starts_on.month - 1) // 3], "year": year}
    return f"{MONTHS[period.starts_on.month - 1]} {year}"


def period_short_label(period: Period) -> str:
    """A label short enough for a chart axis: 2022, 22-H1, 22-Q3, 07.22."""
    if period.kind == PeriodKind.YEAR:
        return period.code
    if period.kind == PeriodKind.MONTH:
        return f"{period.starts_on.month:02d}.{period.starts_on.year % 100:02d}"
    return period.code[2:]


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the window of ``months`` months ending at ``day`` (the day after the same date back)."""
    ordinal = day.year * 12 + day.month - 1 - months
    year, month = divmod(ordinal, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=1)


TREND_LENGTH = {PeriodKind.YEAR: 5, PeriodKind.HALF: 6, PeriodKind.QUARTER: 8, PeriodKind.MONTH: 12}


def trend_periods(period: Period) -> list[Period]:
    """The periods of the same kind ending with ``period``, oldest first."""
    found = [period]
    while len(found) < TREND_LENGTH[period.kind] and found[-1].starts_on.year > periods.FIRST_YEAR:
        found.append(found[-1].previous)
    return found[::-1]


def period_choices(years: Iterable[int]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Options of the period selector grouped by year, newest year first."""
    groups = []
    for year in sorted(set(years), reverse=True):
        codes = [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{i}" for i in range(1, 5))]
        codes += [f"{year}-{month:02d}" for month in range(1, 13)]
        groups.append((str(year), [(code, period_label(periods.parse_period(code))) for code in codes]))
    return groups


# --- trend charts ----------------------------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 360, 150
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 62, 22, 12, 26
LEGACY_CHART_WIDTH = 280


def show_value(value: Decimal | None, unit: str = "") -> str:
    """A value as people read it: up to one decimal, a decimal comma, no trailing zeros; «—» for no value."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal("0.1"))
    text = f"{number:,.1f}".replace(",", "\u00a0").replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text}\u00a0{unit}" if unit and unit != "%" else f"{text}{unit}"


def trend_chart(
    *,
    key: str,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    unit: str = "",
    threshold: Decimal | None = None,
    width: int = CHART_WIDTH,
) -> SafeString:
    """A small server-rendered SVG: values over periods as a line (gaps where there is no value), the threshold
    as a dashed line. No JavaScript; each point carries its value as a tooltip."""
    values = [float(v) for _label, v in points if v is not None]
    if threshold is not None:
        values.append(float(threshold))
    low = min([0.0, *values])
    high = max([*values, 1.0]) if values else 1.0
    if unit == "%":
        high = max(high, 10.0)
    ceiling = high
    high += (high - low) * 0.1
    if unit == "%" and ceiling <= 100:
        high = min(high, 100.0)  # a share never goes above 100%
    elif unit != "%":
        high = float(math.ceil(high))  # counts, days and points: a whole number at the top of the axis
    bottom, right = CHART_HEIGHT - CHART_BOTTOM, width - CHART_RIGHT
    step = (right - CHART_LEFT) / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(CHART_LEFT + i * step, 1) if len(points) > 1 else (CHART_LEFT + right) / 2

    def y(v: float) -> float:
        return round(bottom - (v - low) * (bottom - CHART_TOP) / (high - low or 1), 1)

    parts = [
        format_html(
            '<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="trend-{}-title"><title id="trend-{}-title">{}</title>',
            width,
            CHART_HEIGHT,
            key,
            key,
            title,
        ),
        format_html(
            '<g class="trend-chart__axes"><line x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}"/></g><g class="trend-chart__labels">'
            '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">{}</text></g>',
            CHART_LEFT,
            CHART_TOP,
            CHART_LEFT,
            bottom,
            CHART_LEFT,
            bottom,
            right,
            bottom,
            CHART_LEFT - 5,
            bottom + 4,
            show_value(Decimal(str(low)), unit),
            CHART_LEFT - 5,
            CHART_TOP + 8,
            show_value(Decimal(str(high)), unit),
        ),
        format_html_join(
            "",
            '<text class="trend-chart__period" x="{}" y="{}" text-anchor="middle">{}</text>',
            (
                (x(i), CHART_HEIGHT - 8, label)
                for i, (label, _v) in enumerate(points)
                # A narrow chart labels every other period, counting back from the current one.
                if width >= CHART_WIDTH or (len(points) - 1 - i) % 2 == 0
            ),
        ),
    ]
    if threshold is not None:
        parts.append(
            format_html(
                '<line class="trend-chart__threshold" x1="{}" y1="{}" x2="{}" y2="{}"><title>{}</title></line>',
                CHART_LEFT,
                y(float(threshold)),
                right,
                y(float(threshold)),
                _("Порог: %(value)s") % {"value": show_value(threshold, unit)},
            )
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i)},{y(float(value))}")
    if segment:
        segments.append(segment)
    for line in segments:
        if len(line) > 1:
            parts.append(format_html('<polyline class="trend-chart__line" points="{}"/>', " ".join(line)))
    parts.append(
        format_html_join(
            "",
            '<circle class="trend-chart__point{}" cx="{}" cy="{}" r="{}"><title>{}: {}</title></circle>',
            (
                (
                    " trend-chart__point--current" if i == len(points) - 1 else "",
                    x(i),
                    y(float(value)),
                    4 if i == len(points) - 1 else 3,
                    label,
                    show_value(value, unit),
                )
                for i, (label, value) in enumerate(points)
                if value is not None
            ),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html


# --- links to the records behind a figure ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _url(name: str, params: dict[str, Any]) -> str:
    query = [(key, item) for key, value in params.items() for item in (value if isinstance(value, list) else [value])]
    return f"{reverse(name)}?{urlencode(query)}"


def _iso(day: dt.date) -> str:
    return day.isoformat()


def last_tenth_starts_on(period: Period) -> dt.date:
    """The first day of the last tenth of the period's days, as end_of_period_registrations counts it: day i
    (0-based) of an N-day period is in the last tenth when 10·i ≥ 9·N."""
    return period.starts_on + dt.timedelta(days=-(-9 * period.days // 10))


def figure_links(code: str, period: Period, department: str | None) -> list[Link]:
    """Lists of the records behind a figure: the numerator's cases first, then the denominator's.

    Only the ordinary list filters are used, so what a link shows is what the list shows for those filters.
    Staff figures of a half-year link to the staff summary (readers of indicators do not see the staff records);
    KPI figures have no list: no link rather than a wrong one.
    """
    p = period.code
    dept: dict[str, Any] = {"department": department} if department else {}
    live = {**dept, "archived": "false"}  # archived cases count nowhere
    cases = "cases:case-list"
    causes = "cases:root-cause-list"
    recs = "cases:recommendation-list"
    end = _iso(period.ends_on)
    completed = {**live, "completed_in": p}
    decided = {**live, "decided_in": p}
    verified = {"status": ["eliminated", "regressed"]}  # verified eliminated, even if it came back since
    numerator, denominator = _("Дела числителя"), _("Дела знаменателя")
    links: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
        "root_cause_coverage": [
            (_("Завершённые дела с причинами"), cases, {**completed, "has_root_cause": "true"}),
            (_("Все завершённые дела"), cases, completed),
            (_("Завершённые дела без причин"), cases, {**completed, "has_root_cause": "false"}),
        ],
        "damage_recovery_rate": [(_("Завершённые дела"), cases, completed)],
        "rehabilitation_rate": [
            (_("Оправдания и реабилитирующие прекращения"), cases, {**decided, "rehabilitating": "true"}),
            (
                denominator,
                cases,
                {**decided, "status": ["terminated", "terminated_by_court", "convicted", "acquitted"]},
            ),
        ],
        "court_confirmation_rate": [
            (_("Обвинительные приговоры"), cases, {**decided, "status": "convicted"}),
            (_("Все решения суда"), cases, {**decided, "status": ["convicted", "acquitted", "terminated_by_court"]}),
        ],
        "end_of_period_registrations": [
            (
                _("Зарегистрированы в последнюю десятую часть периода"),
                cases,
                {**live, "registered_from": _iso(last_tenth_starts_on(period)), "registered_to": end},
            ),
            (_("Все зарегистрированные в периоде"), cases, {**live, "registered_in": p}),
        ],
        "backdated_entries": [
            (_("Внесены позднее 30 дней"), cases, {**live, "entered_in": p, "backdated": "true"}),
            (_("Все внесённые в периоде"), cases, {**live, "entered_in": p}),
        ],
        "cases_registered": [(numerator, cases, {**live, "registered_in": p})],
        "cases_sent_to_court": [(numerator, cases, {**live, "sent_to_court_in": p})],
        "officials_rank_score": [(_("Дела, направленные в суд"), cases, {**live, "sent_to_court_in": p})],
        "recommendations_on_time": [
            (_("Отвеченные в срок"), recs, {**dept, "due_in": p, "answered_on_time": "true"}),
            (_("Все со сроком в периоде"), recs, {**dept, "due_in": p}),
        ],
        "causes_eliminated": [
            (
                _("Устранённые причины"),
                causes,
                {
                    **dept,
                    **verified,
                    "identified_from": _iso(months_before(period.ends_on, 12)),
                    "identified_to": end,
                    "verified_to": end,
                },
            ),
        ],
        "days_to_eliminate": [
            (_("Причины, устранение которых подтверждено"), causes, {**dept, **verified, "verified_in": p}),
        ],
        "recurrence_rate": [
            (
                _("Устранённые за 24 месяца причины"),
                causes,
                {**dept, **verified, "verified_from": _iso(months_before(period.ends_on, 24)), "verified_to": end},
            ),
        ],
    }
    found = [Link(label, _url(name, params)) for label, name, params in links.get(code, [])]
    if not found and code in STAFF_CODES and period.kind == periods.PeriodKind.HALF:
        # The staff summary (figures without names) is what readers of indicators may see of the staff records.
        found = [Link(_("Сводка по личному составу"), _url("integrity:summary", {"period": p}))]
    return found


# --- figures ---------------------------------------------------------------------------------------------------------


def unit_suffix(unit: str) -> str:
    return {Unit.PERCENT: "%", Unit.DAYS: _("дн."), Unit.SCORE: _("балл.")}.get(unit, "")


@dataclass
class Figure:
    """One indicator for one scope and period, ready to show: value, formula, trend, flag and links."""

    definition: IndicatorDefinition
    value: Any = None  # the IndicatorValue, or None when never computed
    previous: Any = None  # the IndicatorValue of the previous period (the collegium report)
    trend: list[tuple[Period, Decimal | None]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    chart: SafeString | str = ""

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def number(self) -> Decimal | None:
        return self.value.value if self.value is not None else None

    @property
    def previous_number(self) -> Decimal | None:
        return self.previous.value if self.previous is not None else None

    @property
    def unit(self) -> str:
        return unit_suffix(self.definition.unit)

    @property
    def shown(self) -> str:
        return show_value(self.number, self.unit)

    @property
    def previous_shown(self) -> str:
        return show_value(self.previous_number, self.unit)

    @property
    def has_ratio(self) -> bool:
        return self.value is not None and self.value.denominator is not None

    @property
    def numerator_shown(self) -> str:
        return show_value(self.value.numerator) if self.value is not None else "—"

    @property
    def denominator_shown(self) -> str:
        return show_value(self.value.denominator) if self.value is not None else "—"

    @property
    def flagged(self) -> bool:
        return self.definition.exceeds_threshold(self.number)

    @property
    def threshold_shown(self) -> str:
        return show_value(self.definition.threshold, self.unit) if self.definition.threshold is not None else ""

    @property
    def change(self) -> Decimal | None:
        if self.number is None or self.previous_number is None:
            return None
        return self.number - self.previous_number

    @property
    def change_shown(self) -> str:
        change = self.change
        if change is None:
            return "—"
        sign = "+" if change > 0 else ("−" if change < 0 else "±")
        unit = _("п.") if self.definition.unit == Unit.PERCENT else self.unit
        return f"{sign}{show_value(abs(change), unit)}"

    @property
    def change_is_better(self) -> bool | None:
        """Whether the change since the previous period goes the better way (None: no change or no direction)."""
        change = self.change
        if not change or self.definition.better == Better.NONE or self.definition.legacy:
            return None
        return (change > 0) == (self.definition.better == Better.HIGHER)


def _value_index(values: Iterable[Any]) -> dict[tuple[str, str, str], Any]:
    return {(v.code, v.scope, v.period): v for v in values}


def definitions(*, legacy: bool | None = None) -> list[IndicatorDefinition]:
    found = registry.all()
    return [d for d in found if legacy is None or d.legacy == legacy]


GROUP_ORDER = (Group.ROOT_CAUSES, Group.PROSECUTION, Group.SIGNALS, Group.PROJECTS, Group.STAFF)


@dataclass
class FigureGroup:
    code: str
    label: str
    figures: list[Figure]


# --- access ----------------------------------------------------------------------------------------------------------


def readable_scope(user: Any, scope: str) -> None:
    """Raise AccessDenied unless the user may read indicators of ``scope`` (agency or a department code)."""
    granted = access.scope_for(user, access.Area.INDICATORS)
    if granted == access.Scope.ALL:
        return
    if granted == access.Scope.DEPARTMENT and scope != AGENCY:
        own = set(Department.objects.filter(pk__in=access.department_ids(user)).values_list("code", flat=True))
        if scope in own:
            return
    raise access.AccessDenied(_("Показатели этого охвата вам недоступны."))


def default_scope(user: Any) -> str:
    """Readers of the whole agency start with the agency; a department head with their department."""
    if access.scope_for(user, access.Area.INDICATORS) == access.Scope.ALL:
        return AGENCY
    department = getattr(user, "department", None)
    return department.code if department is not None else AGENCY


def default_period(user: Any) -> Period:
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


def dashboard(*, user: Any, scope: str, period: Period) -> Dashboard:
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
    values = _value_index(
        access.visible(user, IndicatorValue.objects.filter(scope=scope, period__in=codes)).only(
            "code", "scope", "period", "value", "numerator", "denominator", "formula_version", "computed_at"
        )
    )
    department_code = department.code if department is not None else None
    by_group: dict[str, list[Figure]] = {}
    legacy: list[Figure] = []
    for definition in definitions():
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
    order = {code: index for index, code in enumerate(GROUP_ORDER)}
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


def scope_choices(user: Any) -> list[tuple[str, str]]:
    """The scopes the user may pick: the agency and every department, or their own department only."""
    if access.scope_for(user, access.Area.INDICATORS) == access.Scope.ALL:
        departments = Department.objects.filter(is_active=True).order_by("code")
        return [(AGENCY, _("Агентство в целом")), *((d.code, f"{d.code} — {d.name}") for d in departments)]
    departments = Department.objects.filter(pk__in=access.department_ids(user))
    return [(d.code, f"{d.code} — {d.name}") for d in departments]


def selector_years(user: Any, period: Period) -> list[int]:
    """Years offered by the period selector: those with values, and the shown and current years."""
    bounds = access.visible(user, IndicatorValue.objects.all()).aggregate(first=Min("period"), last=Max("period"))
    years = {period.starts_on.year, timezone.localdate().year}
    if bounds["first"] and bounds["last"]:
        years |= set(range(int(bounds["first"][:4]), int(bounds["last"][:4]) + 1))
    return sorted(years)


# --- the collegium half-year report ----------------------------------------------------------------------------------

STAFF_CODES = (
    "staff_convicted",
    "staff_disciplined",
    "staff_dismissed_negative",
    "integrity_checks_conducted",
    "integrity_check_fail_rate",
)
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


def require_agency_reader(user: Any) -> None:
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


def recurring_categories(period: Period, *, limit: int = TOP_CATEGORIES) -> list[CategoryRow]:
    """Root-cause categories that recur, in one aggregate query over the causes.

    A category *recurs* in the half-year when at least one of its causes regressed in it (an eliminated cause came
    back: a new case of the same state body and category) or when causes of it were identified in two or more
    departments in it (the same weakness found in several regions). Ranked by regressions, then departments, then
    causes identified.
    """
    window = (period.starts_on, period.ends_on)
    identified = Q(root_causes__identified_on__range=window)
    rows = (
        RootCauseCategory.objects.annotate(
            identified=Count("root_causes", filter=identified),
            departments=Count("root_causes__department", filter=identified, distinct=True),
            regressed=Count("root_causes", filter=Q(root_causes__regressed_on__range=window)),
            eliminated=Count("root_causes", filter=Q(root_causes__verified_on__range=window)),
        )
        .filter(Q(regressed__gt=0) | Q(departments__gte=2))
        .order_by("-regressed", "-departments", "-identified", "code")
        .values("code", "name_ru", "name_kk", "identified", "departments", "regressed", "eliminated")[:limit]
    )
    language = translation.get_language() or "ru"
    return [
        CategoryRow(
            code=row["code"],
            name=(row["name_kk"] if language.startswith("kk") and row["name_kk"] else row["name_ru"]),
            identified=row["identified"],
            departments=row["departments"],
            regressed=row["regressed"],
            eliminated=row["eliminated"],
        )
        for row in rows
    ]


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


def collegium(*, user: Any, period: Period) -> Collegium:
    """The half-year report: every indicator per department and for the agency with the previous half-year,
    the staff integrity summary, the recurring root-cause categories, the approval and restatements.

    Queries: departments, values of both half-years, categories, lock, restatements, last run — whatever the
    number of departments.
    """
    require_agency_reader(user)
    previous = period.previous
    departments = list(Department.objects.filter(is_active=True).select_related("region").order_by("code"))
    values = _value_index(
        access.visible(user, IndicatorValue.objects.filter(period__in=[period.code, previous.code])).only(
            "code", "scope", "period", "value", "numerator", "denominator", "formula_version", "computed_at"
        )
    )

    def scope_report(scope: str, label: str, department: Any, short_label: str = "") -> ScopeReport:
        figures, legacy = [], []
        for definition in definitions():
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
        categories=recurring_categories(period),
        lock=lock,
        restatements=restatements,
        last_run=IndicatorRun.objects.select_related("requested_by").order_by("-id").first(),
    )


def run_for(*, user: Any, pk: int) -> Any:
    """A run, for readers of indicators; None when there is no such run."""
    if not access.can_read_area(user, access.Area.INDICATORS):
        raise access.AccessDenied()
    return IndicatorRun.objects.select_related("requested_by").filter(pk=pk).first()


def half_year_choices(years: Iterable[int]) -> list[tuple[str, str]]:
    """Half-years for the collegium report's selector, newest first."""
    return [
        (code, period_label(periods.parse_period(code)))
        for year in sorted(set(years), reverse=True)
        for code in (f"{year}-H2", f"{year}-H1")
    ]


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RunView:
    """A run as its page shows it: the stored row plus the live progress a running job publishes."""

    run: Any
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.run.is_finished and self.run.status == "succeeded":
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.run.is_finished


def run_progress(run: Any) -> RunView:
    """The run with its progress: live from the cache while it runs, else the figures it finished with."""
    from anticor.indicators.selectors import indicator_run_progress

    done, total = indicator_run_progress(run=run)
    return RunView(run=run, done=done, total=total)
