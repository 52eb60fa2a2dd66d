"""Choices and status machines of the projects app (DESIGN.md §4.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.machines import StatusMachine, Tone

MAX_ACTIVE_MANDATORY_DIRECTIONS = 6


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Проект паспорта")
    APPROVED = "approved", _("Утверждён")
    ACTIVE = "active", _("Реализуется")
    COMPLETED = "completed", _("Завершён")
    CANCELLED = "cancelled", _("Отменён")


PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStatus.DRAFT: frozenset({ProjectStatus.APPROVED, ProjectStatus.CANCELLED}),
    ProjectStatus.APPROVED: frozenset({ProjectStatus.ACTIVE, ProjectStatus.CANCELLED}),
    ProjectStatus.ACTIVE: frozenset({ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}),
    ProjectStatus.COMPLETED: frozenset(),
    ProjectStatus.CANCELLED: frozenset(),
}
PROJECT_MACHINE = StatusMachine(
    "project",
    ProjectStatus,
    PROJECT_TRANSITIONS,
    {
        ProjectStatus.DRAFT: Tone.NEUTRAL,
        ProjectStatus.APPROVED: Tone.COURT,
        ProjectStatus.ACTIVE: Tone.PRIMARY,
        ProjectStatus.COMPLETED: Tone.SUCCESS,
        ProjectStatus.CANCELLED: Tone.CLOSED,
    },
    unknown=None,
    order="value",
)


class Better(models.TextChoices):
    HIGHER = "higher", _("Чем больше, тем лучше")
    LOWER = "lower", _("Чем меньше, тем лучше")


class KPISource(models.TextChoices):
    MANUAL = "manual", _("Вводится вручную")
    INDICATOR = "indicator", _("Из показателя (ночной расчёт)")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Запланирована")
    DONE = "done", _("Выполнена")
    CANCELLED = "cancelled", _("Отменена")


MILESTONE_TRANSITIONS: dict[str, frozenset[str]] = {
    MilestoneStatus.PLANNED: frozenset({MilestoneStatus.DONE, MilestoneStatus.CANCELLED}),
    MilestoneStatus.DONE: frozenset(),
    MilestoneStatus.CANCELLED: frozenset({MilestoneStatus.PLANNED}),
}
MILESTONE_MACHINE = StatusMachine(
    "milestone",
    MilestoneStatus,
    MILESTONE_TRANSITIONS,
    {
        MilestoneStatus.PLANNED: Tone.NEUTRAL,
        MilestoneStatus.DONE: Tone.SUCCESS,
        MilestoneStatus.CANCELLED: Tone.NEUTRAL,
    },
    message=_("Такой переход для контрольной точки не допускается."),
    unknown=None,
)


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Актуален")
    MITIGATED = "mitigated", _("Снижен")
    MATERIALIZED = "materialized", _("Реализовался")
    CLOSED = "closed", _("Закрыт")


class PublicEventKind(models.TextChoices):
    HEARING = "hearing", _("Общественные слушания")
    MEETING = "meeting", _("Встреча с населением")
    SURVEY = "survey", _("Опрос")
    MEDIA = "media", _("Выступление в СМИ")
