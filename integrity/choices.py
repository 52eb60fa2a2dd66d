"""Choices and status machines of the integrity app (DESIGN.md §4.4): one transition table per machine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.machines import Palette, StatusMachine, Tone


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Проходит службу")
    DISMISSED = "dismissed", _("Уволен")


EMPLOYEE_PALETTE = Palette(
    "employee", EmployeeStatus, {EmployeeStatus.ACTIVE: Tone.SUCCESS, EmployeeStatus.DISMISSED: Tone.CLOSED}
)


class DisciplineStatus(models.TextChoices):
    ACTIVE = "active", _("Действует")
    LIFTED = "lifted", _("Снято досрочно")
    EXPIRED = "expired", _("Погашено по истечении срока")
    APPEALED = "appealed", _("Обжалуется")
    OVERTURNED = "overturned", _("Отменено")


# from → allowed targets. Expiry is set by the daily task only; an appeal ends upheld (active) or overturned.
DISCIPLINE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisciplineStatus.ACTIVE: frozenset(
        {DisciplineStatus.LIFTED, DisciplineStatus.APPEALED, DisciplineStatus.OVERTURNED, DisciplineStatus.EXPIRED}
    ),
    DisciplineStatus.APPEALED: frozenset({DisciplineStatus.ACTIVE, DisciplineStatus.OVERTURNED}),
    DisciplineStatus.LIFTED: frozenset(),
    DisciplineStatus.EXPIRED: frozenset(),
    DisciplineStatus.OVERTURNED: frozenset(),
}
DISCIPLINE_MACHINE = StatusMachine(
    "discipline",
    DisciplineStatus,
    DISCIPLINE_TRANSITIONS,
    {
        DisciplineStatus.ACTIVE: Tone.DANGER,
        DisciplineStatus.LIFTED: Tone.SUCCESS,
        DisciplineStatus.EXPIRED: Tone.SUCCESS,
        DisciplineStatus.APPEALED: Tone.WARNING,
        DisciplineStatus.OVERTURNED: Tone.CLOSED,
    },
    order="value",
)
# Set by a person (with a reason); EXPIRED only by the daily task.
DISCIPLINE_MANUAL_TARGETS = frozenset(
    {DisciplineStatus.LIFTED, DisciplineStatus.APPEALED, DisciplineStatus.OVERTURNED, DisciplineStatus.ACTIVE}
)


class CheckTrigger(models.TextChoices):
    TARGETED = "targeted", _("Целевая (по основаниям)")
    RANDOM = "random", _("Выборочная")


class CheckStatus(models.TextChoices):
    DRAFT = "draft", _("Проект")
    APPROVED = "approved", _("Утверждена")
    CONDUCTED = "conducted", _("Проведена")
    REVIEWED = "reviewed", _("Рассмотрена")
    CLOSED = "closed", _("Закрыта")
    CANCELLED = "cancelled", _("Отменена")


CHECK_TRANSITIONS: dict[str, frozenset[str]] = {
    CheckStatus.DRAFT: frozenset({CheckStatus.APPROVED, CheckStatus.CANCELLED}),
    CheckStatus.APPROVED: frozenset({CheckStatus.CONDUCTED, CheckStatus.CANCELLED}),
    CheckStatus.CONDUCTED: frozenset({CheckStatus.REVIEWED}),
    CheckStatus.REVIEWED: frozenset({CheckStatus.CLOSED}),
    CheckStatus.CLOSED: frozenset(),
    CheckStatus.CANCELLED: frozenset(),
}
CHECK_MACHINE = StatusMachine(
    "check",
    CheckStatus,
    CHECK_TRANSITIONS,
    {
        CheckStatus.DRAFT: Tone.NEUTRAL,
        CheckStatus.APPROVED: Tone.PRIMARY,
        CheckStatus.CONDUCTED: Tone.COURT,
        CheckStatus.REVIEWED: Tone.WARNING,
        CheckStatus.CLOSED: Tone.SUCCESS,
        CheckStatus.CANCELLED: Tone.CLOSED,
    },
)


class CheckOutcome(models.TextChoices):
    PASSED = "passed", _("Пройдена")
    FAILED = "failed", _("Не пройдена")
    INCONCLUSIVE = "inconclusive", _("Результат не установлен")
    PROCEDURAL_FAILURE = "procedural_failure", _("Нарушена процедура проверки")


CHECK_OUTCOME_PALETTE = Palette(
    "check_outcome",
    CheckOutcome,
    {
        CheckOutcome.PASSED: Tone.SUCCESS,
        CheckOutcome.FAILED: Tone.DANGER,
        CheckOutcome.INCONCLUSIVE: Tone.NEUTRAL,
        CheckOutcome.PROCEDURAL_FAILURE: Tone.NEUTRAL,
    },
)
