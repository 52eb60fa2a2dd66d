"""Stored indicator values, the runs that wrote them, locked periods and restatements (DESIGN.md §4.5).

Imported from ``anticor.models`` so the models belong to the ``anticor`` app.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.bounds import CheckConstraint, UniqueConstraint, choice_check
from anticor.machines import Palette, Tone

AGENCY = "agency"
SCOPE_RE = r"^(agency|\d{2})$"
PERIOD_RE = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"


def _department_field(*, related_name: str = "+") -> models.ForeignKey:
    """The department a row belongs to (NULL for the agency), the key of department-scoped reads."""
    return models.ForeignKey(
        "anticor.Department",
        verbose_name=_("департамент"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


def _half_year_check(name: str) -> CheckConstraint:
    return CheckConstraint(
        condition=models.Q(period__regex=r"^\d{4}-H[12]$"),
        name=name,
        violation_error_message=_("Утверждается полугодие, например 2026-H1."),
        violation_error_field="period",
    )


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Выполняется")
    SUCCEEDED = "succeeded", _("Выполнен")
    FAILED = "failed", _("Ошибка")
    SKIPPED = "skipped", _("Пропущен: идёт другой расчёт")


RUN_PALETTE = Palette(
    "indicator_run",
    RunStatus,
    {
        RunStatus.QUEUED: Tone.PRIMARY,
        RunStatus.RUNNING: Tone.PRIMARY,
        RunStatus.SUCCEEDED: Tone.SUCCESS,
        RunStatus.FAILED: Tone.DANGER,
        RunStatus.SKIPPED: Tone.WARNING,
    },
)


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("По расписанию")
    MANUAL = "manual", _("Вручную")
    COMMAND = "command", _("Командой")


class Indicator(models.Model):
    """The catalogue of registered indicators, mirrored from the code registry by every recompute and migrate.

    The definitions live in code (``<app>/indicators.py``); this table lets the database and the API list them,
    and keeps indicators that were retired from the code visible beside their old values (``is_active`` False).
    Names and formulas are taken from the registry at read time, so they follow the reader's language.
    """

    access_area = Area.INDICATORS

    code = models.CharField(_("код"), max_length=64, unique=True)
    app_label = models.CharField(_("приложение"), max_length=64)
    group = models.CharField(_("группа"), max_length=32)
    unit = models.CharField(_("единица"), max_length=16)
    better = models.CharField(_("лучше, когда"), max_length=8)
    legacy = models.BooleanField(_("прежний показатель"), default=False)
    version = models.PositiveSmallIntegerField(_("версия формулы"))
    threshold = models.DecimalField(_("порог"), max_digits=24, decimal_places=4, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_active = models.BooleanField(_("рассчитывается"), default=True)

    class Meta:
        ordering = ["legacy", "order", "code"]
        verbose_name = _("показатель")
        verbose_name_plural = _("показатели")

    def __str__(self) -> str:
        return self.code

    @property
    def definition(self):
        from anticor.indicators.registry import registry

        return registry.get(self.code) if self.code in registry else None


class IndicatorRun(models.Model):
    """One recompute: who or what started it, what it covered, how far it got, and what it changed.

    Live progress of a running job is published through the cache (its transaction is not visible until commit);
    the ``progress_*`` fields hold the final figures.
    """

    access_area = Area.INDICATORS

    trigger = models.CharField(_("запуск"), max_length=16, choices=RunTrigger.choices)
    reason = models.CharField(_("основание"), max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто запустил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    periods = ArrayField(models.CharField(max_length=7), verbose_name=_("периоды"), default=list, blank=True)
    scope = models.CharField(_("охват"), max_length=8, blank=True, help_text=_("Пусто — агентство и все департаменты."))
    status = models.CharField(_("статус"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("выполнено шагов"), default=0)
    progress_total = models.PositiveIntegerField(_("всего шагов"), default=0)
    rows_written = models.PositiveIntegerField(_("записано значений"), default=0)
    restatements_written = models.PositiveIntegerField(_("записано пересмотров"), default=0)
    causes_regressed = models.PositiveIntegerField(_("причин отмечено как возобновившиеся"), default=0)
    measurements_written = models.PositiveIntegerField(_("записано измерений KPI"), default=0)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("расчёт показателей")
        verbose_name_plural = _("расчёты показателей")
        constraints = [
            choice_check("indicator_run_status_valid", "status", RunStatus),
            choice_check("indicator_run_trigger_valid", "trigger", RunTrigger),
            CheckConstraint(
                condition=~models.Q(reason=""),
                name="indicator_run_has_reason",
                violation_error_message=_("Укажите основание расчёта."),
                violation_error_field="reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "-id"])]

    def __str__(self) -> str:
        return _("Расчёт № %(pk)s") % {"pk": self.pk}

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED}


class IndicatorValue(models.Model):
    """The value of one indicator for one scope (the agency or a department) and one period.

    ``department`` repeats the scope as a key so that department-scoped readers see their departments' rows through
    the single permission point; agency rows (department NULL) aggregate every department's records and are shown
    only to readers of the whole agency.
    """

    access_area = Area.INDICATORS
    department_lookup = "department"

    code = models.CharField(_("показатель"), max_length=64)
    scope = models.CharField(_("охват"), max_length=8)
    department = _department_field(related_name="indicator_values")
    period = models.CharField(_("период"), max_length=7)
    value = models.DecimalField(_("значение"), max_digits=24, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("числитель"), max_digits=24, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("знаменатель"), max_digits=24, decimal_places=4, null=True, blank=True)
    formula_version = models.PositiveSmallIntegerField(_("версия формулы"))
    run = models.ForeignKey(IndicatorRun, verbose_name=_("расчёт"), on_delete=models.PROTECT, related_name="values")
    computed_at = models.DateTimeField(_("рассчитано"))

    class Meta:
        ordering = ["code", "period", "scope"]
        verbose_name = _("значение показателя")
        verbose_name_plural = _("значения показателей")
        constraints = [
            UniqueConstraint(
                fields=["code", "scope", "period"],
                name="indicator_value_unique",
                violation_error_code="unique",
                violation_error_message=_("Значение этого показателя за этот период и охват уже есть."),
                violation_error_field="period",
            ),
            CheckConstraint(
                condition=models.Q(scope__regex=SCOPE_RE),
                name="indicator_value_scope_valid",
                violation_error_message=_("Охват — agency или код департамента из двух цифр."),
                violation_error_field="scope",
            ),
            CheckConstraint(
                condition=models.Q(period__regex=PERIOD_RE),
                name="indicator_value_period_valid",
                violation_error_message=_("Неверный период (например, 2026, 2026-H1, 2026-Q1, 2026-03)."),
                violation_error_field="period",
            ),
            CheckConstraint(
                condition=models.Q(scope=AGENCY, department__isnull=True)
                | (~models.Q(scope=AGENCY) & models.Q(department__isnull=False)),
                name="indicator_value_department_matches_scope",
                violation_error_message=_("Департамент значения должен соответствовать охвату."),
                violation_error_field="department",
            ),
        ]
        indexes = [models.Index(fields=["period", "code"]), models.Index(fields=["department", "period"])]

    def __str__(self) -> str:
        return f"{self.code} {self.scope} {self.period}"


@audited()
class LockedPeriod(models.Model):
    """A half-year whose collegium report was approved: its stored values no longer change silently."""

    access_area = Area.INDICATORS

    period = models.CharField(_("период"), max_length=7, unique=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("утвердил"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("утверждено"), auto_now_add=True)
    note = models.TextField(_("примечание"), blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("утверждённый период")
        verbose_name_plural = _("утверждённые периоды")
        constraints = [
            _half_year_check("locked_period_half_year"),
        ]
        triggers = [pgtrigger.Protect(name="locked_period_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.period


@audited()
class IndicatorRestatement(models.Model):
    """A recomputed figure that differs from the locked one: kept beside it, with the reason, never over it."""

    access_area = Area.INDICATORS
    department_lookup = "department"

    code = models.CharField(_("показатель"), max_length=64)
    scope = models.CharField(_("охват"), max_length=8)
    department = _department_field()
    period = models.CharField(_("период"), max_length=7)
    old_value = models.DecimalField(_("утверждённое значение"), max_digits=24, decimal_places=4, null=True, blank=True)
    old_numerator = models.DecimalField(
        _("утверждённый числитель"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    old_denominator = models.DecimalField(
        _("утверждённый знаменатель"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    new_value = models.DecimalField(_("пересчитанное значение"), max_digits=24, decimal_places=4, null=True, blank=True)
    new_numerator = models.DecimalField(
        _("пересчитанный числитель"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    new_denominator = models.DecimalField(
        _("пересчитанный знаменатель"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    reason = models.TextField(_("основание"))
    run = models.ForeignKey(
        IndicatorRun, verbose_name=_("расчёт"), on_delete=models.PROTECT, related_name="restatements"
    )
    at = models.DateTimeField(_("время"), auto_now_add=True)

    class Meta:
        ordering = ["code", "period", "scope", "at", "id"]
        verbose_name = _("пересмотр значения показателя")
        verbose_name_plural = _("пересмотры значений показателей")
        constraints = [
            CheckConstraint(
                condition=~models.Q(reason__regex=r"^\s*$"),
                name="restatement_has_reason",
                violation_error_message=_("Пересмотр утверждённого значения без основания не допускается."),
                violation_error_field="reason",
            ),
            CheckConstraint(
                condition=models.Q(scope__regex=SCOPE_RE),
                name="restatement_scope_valid",
                violation_error_message=_("Охват — agency или код департамента из двух цифр."),
                violation_error_field="scope",
            ),
        ]
        indexes = [models.Index(fields=["code", "scope", "period", "-id"])]
        triggers = [pgtrigger.Protect(name="restatement_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.code} {self.scope} {self.period}: {self.old_value} → {self.new_value}"


RESTATEMENT_REASON_MIN_LENGTH = 10


class LockedPeriodChange(models.Model):
    """A change of a record that falls into an approved half-year, with the reason its author had to give.

    Written by the record's service in the transaction of the change (``anticor.indicators.restatements``); the
    next recompute carries the reasons into the restatements of that period, and the restatement pages list the
    changed records from the audit trail beside them. Append-only.
    """

    access_area = Area.INDICATORS
    department_lookup = "department"

    period = models.CharField(_("период"), max_length=7)
    record_model = models.CharField(_("вид записи"), max_length=100)
    record_id = models.PositiveBigIntegerField(_("id записи"))
    record_label = models.CharField(_("запись"), max_length=255)
    department = _department_field()
    reason = models.TextField(_("основание изменения"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто изменил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("кто изменил (как показано)"), max_length=255)
    at = models.DateTimeField(_("время"), auto_now_add=True)

    class Meta:
        ordering = ["period", "at", "id"]
        verbose_name = _("изменение утверждённого периода")
        verbose_name_plural = _("изменения утверждённых периодов")
        constraints = [
            CheckConstraint(
                condition=models.Q(reason__regex=r"\S(.|\s){8,}\S"),  # RESTATEMENT_REASON_MIN_LENGTH
                name="locked_period_change_has_reason",
                violation_error_message=_("Укажите основание изменения утверждённого отчёта (не короче 10 символов)."),
                violation_error_field="reason",
            ),
            _half_year_check("locked_period_change_half_year"),
        ]
        indexes = [models.Index(fields=["period", "at"]), models.Index(fields=["record_model", "record_id"])]
        triggers = [
            pgtrigger.Protect(name="locked_period_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.record_label}"
