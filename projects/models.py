"""The six mandatory project directions: projects, KPIs and their measurements, milestones, risks, public events."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.bounds import (
    PERCENT,
    PERCENT_MESSAGE,
    CheckConstraint,
    DateBounds,
    bounded_text,
    choice_check,
    normalize_unit,
    percent_errors,
    planned_date,
)
from anticor.indicators.registry import validate_indicator_code
from anticor.models import LocalizedNameMixin, Versioned
from projects.choices import (
    Better,
    KPISource,
    MilestoneStatus,
    ProjectStatus,
    PublicEventKind,
    RiskStatus,
)


def _choice_check(name: str, field: str, choices: type[models.TextChoices]) -> CheckConstraint:
    return choice_check(name, field, choices)


@audited()
class Direction(LocalizedNameMixin):
    """A project direction; six are mandatory for every state body (reference data kept by administrators)."""

    access_area = Area.REFERENCE

    code = models.SlugField(_("код"), max_length=64, unique=True)
    is_mandatory = models.BooleanField(_("обязательное направление"), default=True)
    is_example = models.BooleanField(
        _("пример"), default=False, help_text=_("Направление-пример из демонстрационных данных, не утверждённое.")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("направление")
        verbose_name_plural = _("направления")


class ProjectScoped(models.Model):
    """Rows of a project: they follow the project's department for reading and its owners for writing."""

    access_area = Area.PROJECTS
    department_lookup = "project__owner_department"
    owner_path = "project"

    class Meta:
        abstract = True


@audited(exclude=["updated_at"])
class Project(Versioned):
    access_area = Area.PROJECTS
    department_lookup = "owner_department"
    owner_fields = ("lead", "curator")
    history_includes_related = True

    direction = models.ForeignKey(
        Direction, verbose_name=_("направление"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(
        _("шифр"), max_length=32, unique=True, help_text=_("Например, ПК-2026-01: латиница, цифры, дефис.")
    )
    title = models.CharField(_("наименование"), max_length=300)
    goal = bounded_text(_("цель"))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("руководитель проекта"), on_delete=models.PROTECT, related_name="+"
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("куратор"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_department = models.ForeignKey(
        "anticor.Department",
        verbose_name=_("департамент-владелец"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    owner_state_body = models.ForeignKey(
        "anticor.StateBody",
        verbose_name=_("госорган-владелец"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    start_on = models.DateField(_("начало"), validators=[planned_date])
    end_on = models.DateField(_("окончание"), validators=[planned_date])
    status = models.CharField(_("статус"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    partners = bounded_text(_("партнёры"), blank=True, help_text=_("Общественные советы, НПО, эксперты."))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        ordering = ["direction__order", "code"]
        verbose_name = _("проект")
        verbose_name_plural = _("проекты")
        constraints = [
            _choice_check("project_status_valid", "status", ProjectStatus),
            CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")),
                name="project_dates_ordered",
                violation_error_message=_("Окончание проекта не может быть раньше начала."),
                violation_error_field="end_on",
            ),
            CheckConstraint(
                condition=models.Q(owner_department__isnull=False) | models.Q(owner_state_body__isnull=False),
                name="project_has_owner",
                violation_error_message=_("Укажите департамент-владелец или госорган-владелец."),
                violation_error_field="owner_department",
            ),
        ]
        indexes = [models.Index(fields=["direction", "status"]), models.Index(fields=["owner_department"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


@audited()
class KPI(Versioned, ProjectScoped):
    """A key indicator of a project: from the baseline (at the project's start) to the target (at the target date)."""

    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.PROTECT, related_name="kpis")
    name = models.CharField(_("наименование"), max_length=300)
    unit = models.CharField(_("единица измерения"), max_length=50)
    baseline = models.DecimalField(_("базовое значение"), max_digits=18, decimal_places=4)
    target = models.DecimalField(_("целевое значение"), max_digits=18, decimal_places=4)
    target_on = models.DateField(_("срок достижения"), validators=[planned_date])
    better = models.CharField(_("лучше, когда"), max_length=8, choices=Better.choices, default=Better.HIGHER)
    method = bounded_text(_("методика расчёта"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("источник"), max_length=16, choices=KPISource.choices, default=KPISource.MANUAL)
    indicator_code = models.CharField(
        _("код показателя"), max_length=64, blank=True, validators=[validate_indicator_code]
    )
    indicator_scope = models.CharField(
        _("охват показателя"), max_length=8, blank=True, help_text=_("agency или код департамента.")
    )
    is_archived = models.BooleanField(_("в архиве"), default=False)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("ключевой показатель (KPI)")
        verbose_name_plural = _("ключевые показатели (KPI)")
        constraints = [
            CheckConstraint(
                condition=~models.Q(target=models.F("baseline")),
                name="kpi_target_differs",
                violation_error_message=_("Целевое значение должно отличаться от базового."),
                violation_error_field="target",
            ),
            _choice_check("kpi_better_valid", "better", Better),
            _choice_check("kpi_source_valid", "source", KPISource),
            CheckConstraint(
                condition=~models.Q(source=KPISource.INDICATOR) | ~models.Q(indicator_code=""),
                name="kpi_indicator_bound",
                violation_error_message=_("Для показателя из расчёта укажите код показателя."),
                violation_error_field="indicator_code",
            ),
            CheckConstraint(
                condition=~models.Q(unit=PERCENT)
                | models.Q(baseline__gte=0, baseline__lte=100, target__gte=0, target__lte=100),
                name="kpi_percent_within_0_100",
                violation_error_message=PERCENT_MESSAGE,
                violation_error_field="target",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.unit = normalize_unit(self.unit)
        errors = percent_errors(self.unit, baseline=self.baseline, target=self.target)
        if errors:
            raise ValidationError(errors)


@audited()
class KPIMeasurement(models.Model):
    """One value of a KPI at a date; history is kept (a correction is a new measurement)."""

    access_area = Area.PROJECTS
    department_lookup = "kpi__project__owner_department"
    owner_path = "kpi__project"

    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(
        _("дата измерения"), validators=[DateBounds(future_message=_("Дата измерения не может быть в будущем."))]
    )
    period = models.CharField(_("период"), max_length=16, blank=True, help_text=_("Например, 2026-Q1."))
    value = models.DecimalField(_("значение"), max_digits=18, decimal_places=4)
    source = models.CharField(_("источник"), max_length=16, choices=KPISource.choices, default=KPISource.MANUAL)
    evidence = bounded_text(_("подтверждение"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    class Meta:
        ordering = ["kpi", "measured_on", "id"]
        verbose_name = _("измерение KPI")
        verbose_name_plural = _("измерения KPI")
        indexes = [models.Index(fields=["kpi", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} ({self.measured_on})"

    def clean(self) -> None:
        super().clean()
        if self.kpi_id is not None:
            errors = percent_errors(self.kpi.unit, value=self.value)
            if errors:
                raise ValidationError(errors)


@audited()
class Milestone(Versioned, ProjectScoped):
    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("наименование"), max_length=300)
    due_on = models.DateField(_("срок"), validators=[planned_date])
    done_on = models.DateField(
        _("дата выполнения"),
        null=True,
        blank=True,
        validators=[DateBounds(future_message=_("Дата выполнения не может быть в будущем."))],
    )
    evidence = bounded_text(_("подтверждение выполнения"), blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("контрольная точка")
        verbose_name_plural = _("контрольные точки")
        constraints = [
            _choice_check("milestone_status_valid", "status", MilestoneStatus),
            CheckConstraint(
                condition=~models.Q(status=MilestoneStatus.DONE)
                | (models.Q(done_on__isnull=False) & ~models.Q(evidence="")),
                name="milestone_done_has_evidence",
                violation_error_message=_("Выполнение подтверждается датой и описанием подтверждения."),
                violation_error_field="evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == MilestoneStatus.PLANNED and self.due_on < today


@audited()
class Risk(Versioned, ProjectScoped):
    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.PROTECT, related_name="risks")
    description = bounded_text(_("описание"))
    likelihood = models.PositiveSmallIntegerField(
        _("вероятность (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("влияние (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mitigation = bounded_text(_("меры реагирования"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("владелец риска"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("статус"), max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)

    class Meta:
        ordering = ["project", "-likelihood", "-impact", "id"]
        verbose_name = _("риск")
        verbose_name_plural = _("риски")
        constraints = [
            _choice_check("risk_status_valid", "status", RiskStatus),
            CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_5",
                violation_error_message=_("Вероятность оценивается от 1 до 5."),
                violation_error_field="likelihood",
            ),
            CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5),
                name="risk_impact_1_5",
                violation_error_message=_("Влияние оценивается от 1 до 5."),
                violation_error_field="impact",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@audited()
class PublicEvent(Versioned, ProjectScoped):
    """Interaction with the public carried by a project: hearings, meetings, surveys, media."""

    project = models.ForeignKey(
        Project, verbose_name=_("проект"), on_delete=models.PROTECT, related_name="public_events"
    )
    held_on = models.DateField(_("дата"), validators=[planned_date])
    kind = models.CharField(_("вид"), max_length=16, choices=PublicEventKind.choices)
    title = models.CharField(_("тема"), max_length=300)
    participants = models.PositiveIntegerField(_("участников"), default=0)
    outcome = bounded_text(_("итоги"), blank=True)

    class Meta:
        ordering = ["project", "-held_on", "id"]
        verbose_name = _("мероприятие с общественностью")
        verbose_name_plural = _("мероприятия с общественностью")
        constraints = [_choice_check("public_event_kind_valid", "kind", PublicEventKind)]

    def __str__(self) -> str:
        return self.title
