"""One indicator for one scope and period, ready to show — the piece the dashboard and the collegium report share:
its value and unit as people read them, the change since the previous period, the links to the records behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from anticor.formatting import show_value
from anticor.indicators.periods import Period
from anticor.indicators.registry import Better, IndicatorDefinition, Unit, registry

# The columns of a value the pages read (the values of all codes and periods come in one query).
VALUE_FIELDS = ("code", "scope", "period", "value", "numerator", "denominator", "formula_version", "computed_at")


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _url(name: str, params: dict[str, Any]) -> str:
    query = [(key, item) for key, value in params.items() for item in (value if isinstance(value, list) else [value])]
    return f"{reverse(name)}?{urlencode(query)}"


def figure_links(code: str, period: Period, department: str | None) -> list[Link]:
    """Lists of the records behind a figure, as the app that owns the figure's records names them (its
    ``indicators.py`` registers them): only the ordinary list filters are used, so what a link shows is what the
    list shows for those filters. A figure without a list (KPIs) has no link rather than a wrong one."""
    return [Link(label, _url(name, params)) for label, name, params in registry.record_lists(code, period, department)]


def unit_suffix(unit: str) -> str:
    suffixes: dict[str, str] = {Unit.PERCENT: "%", Unit.DAYS: _("дн."), Unit.SCORE: _("балл.")}
    return suffixes.get(unit, "")


def value_index(values: Iterable[Any]) -> dict[tuple[str, str, str], Any]:
    """Values by (code, scope, period)."""
    return {(v.code, v.scope, v.period): v for v in values}


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
