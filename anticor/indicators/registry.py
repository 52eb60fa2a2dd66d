"""The registry of indicator definitions. Each app registers its own in ``<app>/indicators.py``.

A definition carries the SQL that computes it for every period and department at once (see
:mod:`anticor.indicators.sql`); the engine only runs definitions, so adding an indicator never touches the engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Better(models.TextChoices):
    HIGHER = "higher", _("Чем больше, тем лучше")
    LOWER = "lower", _("Чем меньше, тем лучше")
    NONE = "none", _("Без оценки")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    COUNT = "count", _("количество")
    DAYS = "days", _("дней")
    SCORE = "score", _("баллов")


class Group(models.TextChoices):
    """How dashboards group indicators: the method first, gaming signals flagged, legacy counts apart."""

    ROOT_CAUSES = "root_causes", _("Причины и условия коррупции")
    PROSECUTION = "prosecution", _("Качество уголовного преследования")
    PROJECTS = "projects", _("Проектное управление")
    STAFF = "staff", _("Очищение собственных рядов")
    SIGNALS = "signals", _("Сигналы погони за показателями")
    LEGACY = "legacy", _("Прежние количественные показатели")


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator: what it means, how it is computed and which way is better.

    ``sql`` is a SELECT returning ``period, department_id, total, numerator, denominator, value`` for every row of
    the temporary tables ``indicator_period`` and ``indicator_department`` (build it with
    :func:`anticor.indicators.sql.aggregate`). ``threshold`` is the value beyond which the figure is flagged (in the
    ``better`` direction's wrong side); ``version`` is bumped when the formula changes, so stored values show which
    formula produced them and a recompute rewrites them.
    """

    code: str
    name: Promise | str
    unit: str
    better: str
    formula: Promise | str
    sql: str
    group: str
    version: int = 1
    legacy: bool = False
    threshold: Decimal | None = None
    threshold_note: Promise | str = ""
    earliest_sql: str = ""  # a scalar query: the first date this indicator has facts for (bounds the default periods)
    order: int = 100
    app_label: str = field(default="", compare=False)

    @property
    def is_ratio(self) -> bool:
        return self.unit == Unit.PERCENT

    def exceeds_threshold(self, value: Decimal | None) -> bool:
        """Whether a value is on the wrong side of the threshold (a gaming signal to flag)."""
        if value is None or self.threshold is None:
            return False
        return value > self.threshold if self.better == Better.LOWER else value < self.threshold


class Registry:
    def __init__(self) -> None:
        self._definitions: dict[str, IndicatorDefinition] = {}

    def register(self, definition: IndicatorDefinition) -> IndicatorDefinition:
        existing = self._definitions.get(definition.code)
        if existing is not None and existing != definition:
            raise ValueError(f"indicator {definition.code!r} is already registered")
        self._definitions[definition.code] = definition
        return definition

    def unregister(self, code: str) -> None:
        self._definitions.pop(code, None)

    def get(self, code: str) -> IndicatorDefinition:
        return self._definitions[code]

    def __contains__(self, code: object) -> bool:
        return code in self._definitions

    def __len__(self) -> int:
        return len(self._definitions)

    def all(self) -> list[IndicatorDefinition]:
        """Definitions in display order: the method's indicators first, legacy ones last."""
        return sorted(self._definitions.values(), key=lambda d: (d.legacy, d.order, d.code))

    def codes(self) -> list[str]:
        return [definition.code for definition in self.all()]

    @contextlib.contextmanager
    def temporarily(self, *definitions: IndicatorDefinition) -> Iterator[None]:
        """Register definitions for the duration of a block (tests of the engine)."""
        added = [d for d in definitions if d.code not in self._definitions]
        for definition in added:
            self.register(definition)
        try:
            yield
        finally:
            for definition in added:
                self.unregister(definition.code)


registry = Registry()


def register(definition: IndicatorDefinition) -> IndicatorDefinition:
    """Register a definition on behalf of the calling app (``cases.indicators`` → ``cases``)."""
    if not definition.app_label:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        definition = dataclasses.replace(definition, app_label=caller.split(".")[0])
    return registry.register(definition)


def autodiscover() -> None:
    """Import every installed app's ``indicators`` module (called from ``AnticorConfig.ready``)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("indicators")
