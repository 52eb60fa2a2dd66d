"""The registry of indicator definitions. Each app registers its own in ``<app>/indicators.py``.

A definition carries the SQL that computes it for every period and department at once (see
:mod:`anticor.indicators.sql`); the engine only runs definitions, so adding an indicator never touches the engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from anticor.indicators.periods import Period


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
    # Definitions of a later stage run after the steps that follow the earlier ones (kpi_on_track reads the KPI
    # measurements the projects step has just written from other indicators).
    stage: int = 1
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


@dataclass(frozen=True)
class RecomputeStep:
    """An app's own write that belongs to the recompute's transaction (marking regressed causes, filling KPIs).

    ``run(context)`` returns how many rows it changed, added to the run's ``counter`` field. It runs after the
    definitions of stage ``after_stage`` have been stored (0: before any definition).
    """

    name: str
    run: Callable[[StepContext], int]
    counter: str
    after_stage: int = 1


@dataclass(frozen=True)
class StepContext:
    run_id: int
    today: dt.date
    periods: tuple[str, ...]  # the period codes computed by this run
    scope: str | None  # None: every scope


# One list of the records behind a figure: its label, the URL name of the list page and the list's filters.
RecordList = tuple[Any, str, dict[str, Any]]
# What an app knows of the lists behind its figures: (indicator code, period, department code or None) → lists.
RecordListsProvider = Callable[[str, "Period", str | None], list[RecordList]]


class Registry:
    def __init__(self) -> None:
        self._definitions: dict[str, IndicatorDefinition] = {}
        self._steps: dict[str, RecomputeStep] = {}
        self._record_lists: list[RecordListsProvider] = []
        self._report_parts: dict[str, Callable[..., Any]] = {}

    def register_record_lists(self, provider: RecordListsProvider) -> RecordListsProvider:
        """An app's lists of the records behind its figures (links from the dashboard and the report)."""
        if provider not in self._record_lists:
            self._record_lists.append(provider)
        return provider

    def record_lists(self, code: str, period: Period, department: str | None) -> list[RecordList]:
        return [found for provider in self._record_lists for found in provider(code, period, department)]

    def register_report_part(self, name: str, part: Callable[..., Any]) -> Callable[..., Any]:
        """A part of the collegium report that an app computes from its own records (e.g. recurring categories)."""
        self._report_parts[name] = part
        return part

    def report_part(self, name: str) -> Callable[..., Any] | None:
        return self._report_parts.get(name)

    def register_step(self, step: RecomputeStep) -> RecomputeStep:
        self._steps[step.name] = step
        return step

    def steps(self, *, after_stage: int) -> list[RecomputeStep]:
        return [step for step in self._steps.values() if step.after_stage == after_stage]

    def stages(self) -> list[int]:
        """The stages after 0 (0 is "before any definition")."""
        stages = {d.stage for d in self._definitions.values()} | {s.after_stage for s in self._steps.values()}
        return sorted(stages - {0})

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


def validate_indicator_code(value: str) -> None:
    """A KPI binds only to an indicator the registry knows (a blank code binds to none)."""
    if value and value not in registry:
        raise ValidationError(
            _("Показателя с кодом «%(code)s» нет в реестре показателей."),
            code="unknown_indicator",
            params={"code": value},
        )


def register(definition: IndicatorDefinition) -> IndicatorDefinition:
    """Register a definition on behalf of the calling app (``cases.indicators`` → ``cases``)."""
    if not definition.app_label:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        definition = dataclasses.replace(definition, app_label=caller.split(".")[0])
    return registry.register(definition)


def register_step(step: RecomputeStep) -> RecomputeStep:
    return registry.register_step(step)


def autodiscover() -> None:
    """Import every installed app's ``indicators`` module (called from ``AnticorConfig.ready``)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("indicators")
