"""FilterSets of the indicator resources; the same ones serve the dashboards and the API (DESIGN.md §6.3)."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anticor.indicators.models import SCOPE_RE, IndicatorRun, IndicatorValue, RunStatus, RunTrigger
from anticor.indicators.periods import parse_period
from anticor.indicators.registry import registry


def _indicator_choices() -> list[tuple[str, str | Promise]]:
    return [(d.code, d.name) for d in registry.all()]


def _validate_period(value: str) -> None:
    parse_period(value)  # the engine's message for a malformed period


class IndicatorValueFilterSet(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(label=_("Показатель"), choices=_indicator_choices)
    scope = django_filters.CharFilter(
        label=_("Охват"),
        validators=[RegexValidator(SCOPE_RE, _("Охват: agency или двузначный код департамента."))],
    )
    period = django_filters.CharFilter(label=_("Период"), validators=[_validate_period])

    class Meta:
        model = IndicatorValue
        fields = ["code", "scope", "period"]


class IndicatorRunFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Статус"), choices=RunStatus.choices)
    trigger = django_filters.ChoiceFilter(label=_("Запуск"), choices=RunTrigger.choices)

    class Meta:
        model = IndicatorRun
        fields = ["status", "trigger"]
