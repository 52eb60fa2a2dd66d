"""The agency's own staff: employees, discipline records, convictions and integrity checks (DESIGN.md §4.4).

These are the most sensitive records in the system. Reads go through :mod:`anticor.access` (need-to-know: checks
for internal security only, discipline for internal security and the employee's department head, nobody sees
checks about themselves) and are written to the access log by the views and viewsets.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.bounds import TEXT_NOTE, CheckConstraint, bounded_text, choice_check, past_date, planned_date, service_date
from anticor.identifiers import mask_iin, validate_iin
from anticor.models import CodedReference, StatusEvent, VersionedModel
from integrity.choices import CheckOutcome, CheckStatus, CheckTrigger, DisciplineStatus, EmployeeStatus

PERSONNEL_NUMBER_RE = r"^[0-9A-Z][0-9A-Z-]{0,19}$"
validate_personnel_number = RegexValidator(
    PERSONNEL_NUMBER_RE,
    _("Табельный номер: до 20 знаков — цифры, заглавные латинские буквы и дефис."),
    code="personnel_number_format",
)


def _no_delete(name: str) -> pgtrigger.Protect:
    """Records of staff are never deleted (DESIGN.md §7): they are closed, expired or overturned instead."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete)


def _choice_check(name: str, field: str, choices: type[models.TextChoices]) -> CheckConstraint:
    return choice_check(name, field, choices)


@audited()
class Sanction(CodedReference):
    """A disciplinary sanction for law-enforcement staff; severity orders them (dismissal is the heaviest)."""

    access_area = Area.REFERENCE

    severity = models.PositiveSmallIntegerField(_("тяжесть"))
    is_dismissal = models.BooleanField(_("увольнение"), default=False)

    class Meta(CodedReference.Meta):
        ordering = ["severity", "code"]
        verbose_name = _("дисциплинарное взыскание")
        verbose_name_plural = _("дисциплинарные взыскания")


@audited(exclude=["updated_at"])
class Employee(VersionedModel):
    """An employee of the agency. Dismissed employees stay: their records are kept."""

    access_area = Area.STAFF
    department_lookup = "department"
    self_write_lookup = "user"  # nobody changes their own staff record
    history_includes_related = True
    log_reads = True
    personal_fields = {"iin": mask_iin}  # masked for readers who do not keep the staff records, History included

    personnel_number = models.CharField(
        _("табельный номер"),
        max_length=20,
        unique=True,
        validators=[validate_personnel_number],
        error_messages={"unique": _("Сотрудник с таким табельным номером уже есть.")},
    )
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    iin = models.CharField(
        _("ИИН"),
        max_length=12,
        unique=True,
        validators=[validate_iin],
        error_messages={"unique": _("Сотрудник с таким ИИН уже есть.")},
    )
    department = models.ForeignKey(
        "anticor.Department", verbose_name=_("департамент"), on_delete=models.PROTECT, related_name="employees"
    )
    position = models.CharField(_("должность"), max_length=255)
    special_rank = models.CharField(_("специальное звание"), max_length=100, blank=True)
    hired_on = models.DateField(_("дата поступления на службу"), validators=[service_date])
    status = models.CharField(_("статус"), max_length=16, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    dismissed_on = models.DateField(_("дата увольнения"), null=True, blank=True, validators=[service_date])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee",
        help_text=_("Связь нужна, чтобы сотрудник не видел проверок в отношении себя."),
    )

    class Meta:
        ordering = ["last_name", "first_name", "personnel_number"]
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        triggers = [_no_delete("employee_no_delete")]
        constraints = [
            _choice_check("employee_status_valid", "status", EmployeeStatus),
            CheckConstraint(
                condition=models.Q(iin__regex=r"^\d{12}$"),
                name="employee_iin_12_digits",
                violation_error_message=_("ИИН должен состоять ровно из 12 цифр."),
                violation_error_field="iin",
            ),
            CheckConstraint(
                condition=models.Q(personnel_number__regex=PERSONNEL_NUMBER_RE),
                name="employee_personnel_number_format",
                violation_error_message=_("Табельный номер: до 20 знаков — цифры, заглавные латинские буквы и дефис."),
                violation_error_field="personnel_number",
            ),
            CheckConstraint(
                condition=~models.Q(status=EmployeeStatus.DISMISSED) | models.Q(dismissed_on__isnull=False),
                name="employee_dismissed_has_date",
                violation_error_message=_("Для уволенного сотрудника укажите дату увольнения."),
                violation_error_field="dismissed_on",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personnel_number})"

    def get_absolute_url(self) -> str:
        return reverse("integrity:employee-detail", args=[self.personnel_number])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


@audited(exclude=["updated_at"])
class DisciplinaryRecord(VersionedModel):
    """A sanction imposed on an employee by order; it expires, or is lifted, appealed or overturned — never deleted."""

    access_area = Area.STAFF
    department_lookup = "employee__department"
    self_write_lookup = "employee__user"
    log_reads = True

    employee = models.ForeignKey(
        Employee, verbose_name=_("сотрудник"), on_delete=models.PROTECT, related_name="disciplinary_records"
    )
    offence = bounded_text(_("проступок"))
    committed_on = models.DateField(_("дата совершения проступка"), validators=[past_date])
    discovered_on = models.DateField(_("дата обнаружения проступка"), validators=[past_date])
    corruption_related = models.BooleanField(_("коррупционный проступок"), default=False)
    sanction = models.ForeignKey(
        Sanction, verbose_name=_("взыскание"), on_delete=models.PROTECT, related_name="records"
    )
    negative_grounds = models.BooleanField(
        _("увольнение по отрицательным мотивам"),
        default=False,
        help_text=_("Только для увольнения со службы."),
    )
    order_number = models.CharField(_("номер приказа"), max_length=64)
    imposed_on = models.DateField(_("дата приказа (наложения)"), validators=[past_date])
    expires_on = models.DateField(_("срок действия до"), null=True, blank=True, validators=[planned_date])
    status = models.CharField(
        _("статус"), max_length=16, choices=DisciplineStatus.choices, default=DisciplineStatus.ACTIVE
    )
    status_changed_on = models.DateField(_("дата смены статуса"), null=True, blank=True, validators=[past_date])
    status_reason = bounded_text(_("основание смены статуса"), max_length=TEXT_NOTE, blank=True)

    class Meta:
        ordering = ["-imposed_on", "-id"]
        verbose_name = _("дисциплинарное взыскание сотрудника")
        verbose_name_plural = _("дисциплинарные взыскания сотрудников")
        triggers = [_no_delete("discipline_no_delete")]
        constraints = [
            _choice_check("discipline_status_valid", "status", DisciplineStatus),
            CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("imposed_on")),
                name="discipline_expires_after_imposed",
                violation_error_message=_("Срок действия должен быть позже даты приказа."),
                violation_error_field="expires_on",
            ),
            CheckConstraint(
                condition=models.Q(discovered_on__gte=models.F("committed_on")),
                name="discipline_discovered_after_committed",
                violation_error_message=_("Проступок не может быть обнаружен раньше, чем совершён."),
                violation_error_field="discovered_on",
            ),
            CheckConstraint(
                condition=models.Q(imposed_on__gte=models.F("discovered_on")),
                name="discipline_imposed_after_discovered",
                violation_error_message=_("Взыскание не может быть наложено раньше обнаружения проступка."),
                violation_error_field="imposed_on",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["imposed_on"]),
        ]

    def __str__(self) -> str:
        return _("Взыскание № %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("integrity:discipline-detail", args=[self.pk])


@audited(exclude=["updated_at"])
class Conviction(VersionedModel):
    """A court verdict against an employee for a crime (the collegium counts those of corruption)."""

    access_area = Area.STAFF
    department_lookup = "employee__department"
    self_write_lookup = "employee__user"
    log_reads = True

    employee = models.ForeignKey(
        Employee, verbose_name=_("сотрудник"), on_delete=models.PROTECT, related_name="convictions"
    )
    article = models.ForeignKey(
        "anticor.Article", verbose_name=_("статья УК"), on_delete=models.PROTECT, related_name="+"
    )
    verdict_on = models.DateField(_("дата приговора"), validators=[service_date])
    court = models.CharField(_("суд"), max_length=255, blank=True)
    sentence = bounded_text(_("наказание"), max_length=TEXT_NOTE)

    class Meta:
        ordering = ["-verdict_on", "-id"]
        verbose_name = _("судимость сотрудника")
        verbose_name_plural = _("судимости сотрудников")
        triggers = [_no_delete("conviction_no_delete")]
        indexes = [models.Index(fields=["verdict_on"])]

    def __str__(self) -> str:
        return _("Приговор № %(pk)s") % {"pk": self.pk}


@audited(exclude=["updated_at"])
class IntegrityCheck(VersionedModel):
    """A test of an employee's resilience to corruption in a realistic work situation, with its safeguards."""

    access_area = Area.INTEGRITY_CHECKS
    department_lookup = "employee__department"
    self_lookup = "employee__user"  # nobody sees checks about themselves
    log_reads = True

    employee = models.ForeignKey(
        Employee, verbose_name=_("проверяемый сотрудник"), on_delete=models.PROTECT, related_name="integrity_checks"
    )
    trigger = models.CharField(_("основание проведения"), max_length=16, choices=CheckTrigger.choices)
    grounds = bounded_text(_("основания целевой проверки"), blank=True)
    scenario = bounded_text(_("сценарий"))
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("проверяющий"), on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("утвердил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_on = models.DateField(_("дата утверждения"), null=True, blank=True, validators=[past_date])
    planned_from = models.DateField(_("проведение с"), validators=[planned_date])
    planned_to = models.DateField(_("проведение по"), validators=[planned_date])
    safeguard_realistic = models.BooleanField(_("ситуация реалистична и типична для службы"), default=False)
    safeguard_no_excess_inducement = models.BooleanField(
        _("склонение не сильнее того, с чем сталкивается обычный сотрудник"), default=False
    )
    safeguard_no_provocation = models.BooleanField(_("провокация исключена"), default=False)
    status = models.CharField(_("статус"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.DRAFT)
    conducted_on = models.DateField(_("дата проведения"), null=True, blank=True, validators=[past_date])
    conduct_notes = bounded_text(_("ход проведения"), blank=True)
    outcome = models.CharField(_("результат"), max_length=32, choices=CheckOutcome.choices, blank=True)
    outcome_summary = bounded_text(_("заключение"), blank=True)
    reviewed_on = models.DateField(_("дата рассмотрения"), null=True, blank=True, validators=[past_date])
    follow_up_record = models.OneToOneField(
        DisciplinaryRecord,
        verbose_name=_("последовавшее взыскание"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integrity_check",
    )
    employee_informed_on = models.DateField(_("сотрудник ознакомлен"), null=True, blank=True, validators=[past_date])
    closed_on = models.DateField(_("дата закрытия"), null=True, blank=True, validators=[past_date])
    cancel_reason = bounded_text(_("причина отмены"), max_length=TEXT_NOTE, blank=True)

    class Meta:
        ordering = ["-planned_from", "-id"]
        verbose_name = _("проверка на добропорядочность")
        verbose_name_plural = _("проверки на добропорядочность")
        triggers = [_no_delete("check_no_delete")]
        constraints = [
            _choice_check("check_status_valid", "status", CheckStatus),
            _choice_check("check_trigger_valid", "trigger", CheckTrigger),
            CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=CheckOutcome.values),
                name="check_outcome_valid",
                violation_error_code="invalid_choice",
                violation_error_message=_("Недопустимое значение."),
                violation_error_field="outcome",
            ),
            CheckConstraint(
                condition=models.Q(planned_to__gte=models.F("planned_from")),
                name="check_window_ordered",
                violation_error_message=_("Окончание периода проведения не может быть раньше его начала."),
                violation_error_field="planned_to",
            ),
            CheckConstraint(
                condition=~models.Q(trigger=CheckTrigger.TARGETED) | ~models.Q(grounds=""),
                name="check_targeted_has_grounds",
                violation_error_message=_("Для целевой проверки укажите основания."),
                violation_error_field="grounds",
            ),
            CheckConstraint(
                condition=models.Q(status__in=[CheckStatus.DRAFT, CheckStatus.CANCELLED])
                | models.Q(approver__isnull=False, approved_on__isnull=False),
                name="check_approved_has_approver",
                violation_error_message=_("Утверждённая проверка должна иметь утвердившего и дату утверждения."),
                violation_error_field="approver",
            ),
            CheckConstraint(
                condition=~models.Q(approver=models.F("tester")),
                name="check_approver_is_not_tester",
                violation_error_message=_("Проверку не может утвердить сам проверяющий."),
                violation_error_field="approver",
            ),
            CheckConstraint(
                condition=models.Q(outcome="")
                | models.Q(conducted_on__isnull=False, status__in=[CheckStatus.REVIEWED, CheckStatus.CLOSED]),
                name="check_outcome_after_conduct",
                violation_error_message=_("Результат вносится только после проведения проверки."),
                violation_error_field="outcome",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["conducted_on"])]

    def __str__(self) -> str:
        # No name: the access log and other readers' screens must not reveal who was tested.
        return _("Проверка № %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("integrity:check-detail", args=[self.pk])

    @property
    def safeguards_confirmed(self) -> bool:
        return self.safeguard_realistic and self.safeguard_no_excess_inducement and self.safeguard_no_provocation


class DisciplinaryRecordEvent(StatusEvent):
    access_area = Area.STAFF
    department_lookup = "record__employee__department"

    record = models.ForeignKey(
        DisciplinaryRecord, verbose_name=_("взыскание"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие взыскания")
        verbose_name_plural = _("события взысканий")
        triggers = [
            pgtrigger.Protect(name="discipline_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]


class IntegrityCheckEvent(StatusEvent):
    access_area = Area.INTEGRITY_CHECKS
    department_lookup = "integrity_check__employee__department"
    self_lookup = "integrity_check__employee__user"

    integrity_check = models.ForeignKey(
        IntegrityCheck, verbose_name=_("проверка"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие проверки")
        verbose_name_plural = _("события проверок")
        triggers = [pgtrigger.Protect(name="check_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
