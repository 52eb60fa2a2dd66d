"""Corruption cases, their subjects, root causes, recommendations and timeline (DESIGN.md §4.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.bounds import (
    TEXT_DOCUMENT,
    TEXT_NOTE,
    CheckConstraint,
    DateBounds,
    UniqueConstraint,
    bounded_text,
    choice_check,
    past_date,
    planned_date,
)
from anticor.identifiers import validate_iin, validate_registration_number
from anticor.models import CodedReference, StatusEvent, VersionedModel
from cases.choices import (
    CASE_FINAL,
    CaseEventKind,
    CaseStatus,
    PostCategory,
    RecommendationStatus,
    RootCauseEventKind,
    RootCauseStatus,
    SubjectRole,
)


@audited()
class Sector(CodedReference):
    """A sector of public life where corruption cases arise (land, procurement, health...)."""

    access_area = Area.REFERENCE

    class Meta(CodedReference.Meta):
        verbose_name = _("сфера")
        verbose_name_plural = _("сферы")


@audited()
class TerminationGround(CodedReference):
    """A ground for terminating a case; a rehabilitating one means the person should not have been prosecuted."""

    access_area = Area.REFERENCE

    rehabilitating = models.BooleanField(_("реабилитирующее"), default=False)

    class Meta(CodedReference.Meta):
        verbose_name = _("основание прекращения")
        verbose_name_plural = _("основания прекращения")


@audited()
class RootCauseCategory(CodedReference):
    """A category of the taxonomy of causes and conditions of corruption; maintained by analysts."""

    access_area = Area.REFERENCE

    description = bounded_text(_("описание"), blank=True)

    class Meta(CodedReference.Meta):
        verbose_name = _("категория причин и условий")
        verbose_name_plural = _("категории причин и условий")


non_negative = MinValueValidator(Decimal(0), _("Сумма не может быть отрицательной."))


def _user_field(verbose_name: Any) -> models.ForeignKey:
    """Who did something to a record; empty for rows entered before it was recorded, or by an API client."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


def _status_check(name: str, field: str, choices: type[models.TextChoices]) -> CheckConstraint:
    return choice_check(name, field, choices)


validate_recommendation_number = RegexValidator(
    r"^[^\W_][\w./№-]*$",
    _("Номер представления: буквы, цифры и знаки «-», «/», «.», «№», без пробелов; начинается с буквы или цифры."),
    code="recommendation_number_format",
)


@audited(exclude=["search_vector", "updated_at"])
class Case(VersionedModel):
    """A criminal case (ЕРДР record). Never deleted: archived or merged, with a reason."""

    access_area = Area.CASES
    history_includes_related = True  # subjects, links and measures show in its History
    department_lookup = "department"

    registration_number = models.CharField(
        _("номер ЕРДР"), max_length=15, unique=True, validators=[validate_registration_number]
    )
    registered_on = models.DateField(
        _("дата регистрации"),
        validators=[DateBounds(future_message=_("Дата регистрации не может быть в будущем."))],
    )
    department = models.ForeignKey(
        "anticor.Department", verbose_name=_("департамент"), on_delete=models.PROTECT, related_name="cases"
    )
    articles = models.ManyToManyField("anticor.Article", verbose_name=_("статьи УК"), related_name="cases")
    state_body = models.ForeignKey(
        "anticor.StateBody", verbose_name=_("государственный орган"), on_delete=models.PROTECT, related_name="cases"
    )
    sector = models.ForeignKey(Sector, verbose_name=_("сфера"), on_delete=models.PROTECT, related_name="cases")
    summary = bounded_text(_("фабула"), max_length=TEXT_DOCUMENT)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("следователь"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    damage_amount = models.DecimalField(
        _("ущерб, тенге"), max_digits=18, decimal_places=2, default=Decimal(0), validators=[non_negative]
    )
    recovered_amount = models.DecimalField(
        _("возмещено, тенге"), max_digits=18, decimal_places=2, default=Decimal(0), validators=[non_negative]
    )
    status = models.CharField(_("статус"), max_length=32, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    status_changed_on = models.DateField(_("дата смены статуса"), null=True, blank=True, validators=[past_date])
    sent_to_court_on = models.DateField(_("дата направления в суд"), null=True, blank=True, validators=[past_date])
    closed_on = models.DateField(_("дата окончательного решения"), null=True, blank=True, validators=[past_date])
    termination_ground = models.ForeignKey(
        TerminationGround,
        verbose_name=_("основание прекращения"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("соединено с делом"), on_delete=models.PROTECT, null=True, blank=True
    )
    is_archived = models.BooleanField(_("в архиве"), default=False)
    archive_reason = bounded_text(_("причина архивирования"), max_length=TEXT_NOTE, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("уголовное дело")
        verbose_name_plural = _("уголовные дела")
        constraints = [
            CheckConstraint(
                condition=models.Q(registration_number__regex=r"^\d{15}$"),
                name="case_registration_number_15_digits",
                violation_error_message=_("Номер ЕРДР должен состоять ровно из 15 цифр."),
                violation_error_field="registration_number",
            ),
            CheckConstraint(
                condition=models.Q(damage_amount__gte=0),
                name="case_damage_non_negative",
                violation_error_message=_("Сумма не может быть отрицательной."),
                violation_error_field="damage_amount",
            ),
            CheckConstraint(
                condition=models.Q(recovered_amount__gte=0),
                name="case_recovered_non_negative",
                violation_error_message=_("Сумма не может быть отрицательной."),
                violation_error_field="recovered_amount",
            ),
            CheckConstraint(
                condition=models.Q(recovered_amount__lte=models.F("damage_amount")),
                name="case_recovered_le_damage",
                violation_error_message=_("Возмещено не может быть больше ущерба."),
                violation_error_field="recovered_amount",
            ),
            _status_check("case_status_valid", "status", CaseStatus),
            CheckConstraint(
                condition=~models.Q(status=CaseStatus.TERMINATED) | models.Q(termination_ground__isnull=False),
                name="case_terminated_has_ground",
                violation_error_message=_("Для прекращённого дела укажите основание прекращения."),
                violation_error_field="termination_ground",
            ),
            CheckConstraint(
                condition=~models.Q(status=CaseStatus.MERGED) | models.Q(merged_into__isnull=False),
                name="case_merged_has_target",
                violation_error_message=_("Для соединённого дела укажите дело, с которым оно соединено."),
                violation_error_field="merged_into",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "registered_on"]),
            models.Index(fields=["registered_on"]),
            models.Index(fields=["state_body"]),
            models.Index(fields=["sector"]),
            GinIndex(fields=["search_vector"], name="case_search_gin"),
        ]

    def __str__(self) -> str:
        return self.registration_number

    def get_absolute_url(self) -> str:
        return reverse("cases:case-detail", args=[self.registration_number])

    @property
    def is_final(self) -> bool:
        return self.status in CASE_FINAL


@audited()
class Subject(models.Model):
    """A person in a case."""

    access_area = Area.CASES
    department_lookup = "case__department"

    case = models.ForeignKey(Case, verbose_name=_("дело"), on_delete=models.PROTECT, related_name="subjects")
    full_name = models.CharField(_("ФИО"), max_length=255)
    iin = models.CharField(_("ИИН"), max_length=12, validators=[validate_iin])
    position = models.CharField(_("должность"), max_length=255, blank=True)
    post_category = models.CharField(
        _("категория должности"), max_length=32, choices=PostCategory.choices, default=PostCategory.OTHER
    )
    state_body = models.ForeignKey(
        "anticor.StateBody",
        verbose_name=_("место работы (госорган)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("процессуальное положение"), max_length=16, choices=SubjectRole.choices)
    is_removed = models.BooleanField(_("исключён из дела"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("участник дела")
        verbose_name_plural = _("участники дела")
        constraints = [
            CheckConstraint(
                condition=models.Q(iin__regex=r"^\d{12}$"),
                name="subject_iin_12_digits",
                violation_error_message=_("ИИН должен состоять ровно из 12 цифр."),
                violation_error_field="iin",
            ),
            _status_check("subject_role_valid", "role", SubjectRole),
            _status_check("subject_post_category_valid", "post_category", PostCategory),
        ]
        indexes = [models.Index(fields=["iin"])]

    def __str__(self) -> str:
        return self.full_name


@audited(exclude=["updated_at"])
class RootCause(VersionedModel):
    """A cause or condition of corruption; one systemic cause may stand behind several cases."""

    access_area = Area.CASES
    history_includes_related = True  # subjects, links and measures show in its History
    department_lookup = "department"

    department = models.ForeignKey(
        "anticor.Department", verbose_name=_("департамент"), on_delete=models.PROTECT, related_name="root_causes"
    )
    category = models.ForeignKey(
        RootCauseCategory, verbose_name=_("категория"), on_delete=models.PROTECT, related_name="root_causes"
    )
    description = bounded_text(_("описание"))
    state_body = models.ForeignKey(
        "anticor.StateBody",
        verbose_name=_("ответственный госорган"),
        on_delete=models.PROTECT,
        related_name="root_causes",
    )
    cases = models.ManyToManyField(Case, verbose_name=_("дела"), related_name="root_causes", blank=True)
    identified_on = models.DateField(
        _("дата выявления"), validators=[DateBounds(future_message=_("Дата выявления не может быть в будущем."))]
    )
    identified_by = _user_field(_("кто выявил"))
    status = models.CharField(
        _("статус"), max_length=16, choices=RootCauseStatus.choices, default=RootCauseStatus.IDENTIFIED
    )
    no_recommendation_reason = bounded_text(_("почему представление не требуется"), max_length=TEXT_NOTE, blank=True)
    no_recommendation_by = _user_field(_("кто обосновал, что представление не требуется"))
    verified_on = models.DateField(_("дата подтверждения устранения"), null=True, blank=True, validators=[past_date])
    verified_by = _user_field(_("кто подтвердил устранение"))
    verification_evidence = bounded_text(_("подтверждение устранения"), max_length=TEXT_NOTE, blank=True)
    regressed_on = models.DateField(_("дата возобновления"), null=True, blank=True, validators=[past_date])
    regressed_by = models.ForeignKey(
        Case,
        verbose_name=_("дело, выявившее возобновление"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-identified_on", "-id"]
        verbose_name = _("причина и условие")
        verbose_name_plural = _("причины и условия")
        constraints = [
            _status_check("root_cause_status_valid", "status", RootCauseStatus),
            CheckConstraint(
                condition=~models.Q(status=RootCauseStatus.ELIMINATED)
                | (models.Q(verified_on__isnull=False) & ~models.Q(verification_evidence="")),
                name="root_cause_eliminated_is_verified",
                violation_error_message=_("Устранение подтверждается датой и описанием подтверждения."),
                violation_error_field="verification_evidence",
            ),
            CheckConstraint(
                condition=models.Q(verified_by__isnull=True)
                | (
                    (models.Q(identified_by__isnull=True) | ~models.Q(verified_by=models.F("identified_by")))
                    & (
                        models.Q(no_recommendation_by__isnull=True)
                        | ~models.Q(verified_by=models.F("no_recommendation_by"))
                    )
                ),
                name="root_cause_verified_by_second_person",
                violation_error_message=_(
                    "Устранение подтверждает не тот, кто выявил причину или обосновал, что представление не требуется."
                ),
                violation_error_field="verified_by",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["state_body", "category"]),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("cases:root-cause-detail", args=[self.pk])


@audited(exclude=["updated_at"])
class Recommendation(VersionedModel):
    """Представление об устранении причин и условий: sent to a state body, answer due within one month."""

    access_area = Area.CASES
    history_includes_related = True  # subjects, links and measures show in its History
    department_lookup = "department"

    number = models.CharField(_("номер"), max_length=64, validators=[validate_recommendation_number])
    department = models.ForeignKey(
        "anticor.Department", verbose_name=_("департамент"), on_delete=models.PROTECT, related_name="recommendations"
    )
    addressee = models.ForeignKey(
        "anticor.StateBody", verbose_name=_("адресат"), on_delete=models.PROTECT, related_name="recommendations"
    )
    root_causes = models.ManyToManyField(
        RootCause, verbose_name=_("причины и условия"), related_name="recommendations", blank=True
    )
    issued_on = models.DateField(_("дата внесения"), null=True, blank=True, validators=[past_date])
    delivered_on = models.DateField(_("дата вручения"), null=True, blank=True, validators=[past_date])
    due_on = models.DateField(_("срок ответа"), null=True, blank=True, validators=[planned_date])
    answered_on = models.DateField(_("дата ответа"), null=True, blank=True, validators=[past_date])
    answer_summary = bounded_text(_("содержание ответа"), blank=True)
    verified_on = models.DateField(_("дата проверки исполнения"), null=True, blank=True, validators=[past_date])
    verification_note = bounded_text(_("результат проверки исполнения"), blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("представление")
        verbose_name_plural = _("представления")
        constraints = [
            _status_check("recommendation_status_valid", "status", RecommendationStatus),
            UniqueConstraint(
                fields=["department", "number"],
                name="recommendation_number_unique",
                violation_error_code="unique",
                violation_error_message=_("Представление с таким номером в этом департаменте уже есть."),
                violation_error_field="number",
            ),
            CheckConstraint(
                condition=models.Q(delivered_on__isnull=True)
                | models.Q(issued_on__isnull=False, delivered_on__gte=models.F("issued_on")),
                name="recommendation_delivered_after_issue",
                violation_error_message=_("Дата вручения не может быть раньше даты внесения."),
                violation_error_field="delivered_on",
            ),
            CheckConstraint(
                condition=models.Q(answered_on__isnull=True) | models.Q(answered_on__gte=models.F("issued_on")),
                name="recommendation_answered_after_issue",
                violation_error_message=_("Дата ответа не может быть раньше даты внесения."),
                violation_error_field="answered_on",
            ),
            CheckConstraint(
                condition=models.Q(due_on__isnull=True)
                | (
                    (models.Q(delivered_on__isnull=True) | models.Q(due_on__gte=models.F("delivered_on")))
                    & (models.Q(issued_on__isnull=True) | models.Q(due_on__gte=models.F("issued_on")))
                ),
                name="recommendation_due_after_delivery",
                violation_error_message=_("Срок ответа не может быть раньше даты внесения и даты вручения."),
                violation_error_field="due_on",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("cases:recommendation-detail", args=[self.pk])

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == RecommendationStatus.ISSUED and self.due_on is not None and self.due_on < today


@audited()
class RecommendationMeasure(models.Model):
    """One measure of a recommendation, with the person responsible at the state body."""

    access_area = Area.CASES
    department_lookup = "recommendation__department"

    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("представление"), on_delete=models.PROTECT, related_name="measures"
    )
    description = bounded_text(_("мера"))
    responsible_person = models.CharField(_("ответственное лицо"), max_length=255)
    done_on = models.DateField(_("дата исполнения"), null=True, blank=True, validators=[past_date])

    class Meta:
        ordering = ["id"]
        verbose_name = _("мера по представлению")
        verbose_name_plural = _("меры по представлению")

    def __str__(self) -> str:
        return self.description[:80]


class CaseEvent(models.Model):
    """The case's timeline (transitions, assignments, links), apart from the row-level audit trail. Append-only."""

    access_area = Area.CASES
    department_lookup = "case__department"

    case = models.ForeignKey(Case, verbose_name=_("дело"), on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("время"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    client_label = models.CharField(_("API-клиент"), max_length=200, blank=True)
    kind = models.CharField(_("событие"), max_length=32, choices=CaseEventKind.choices)
    from_status = models.CharField(_("из статуса"), max_length=32, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("в статус"), max_length=32, choices=CaseStatus.choices, blank=True)
    reason = models.TextField(_("основание / комментарий"), blank=True)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("событие дела")
        verbose_name_plural = _("события дела")
        indexes = [models.Index(fields=["case", "at"])]
        constraints = [_status_check("case_event_kind_valid", "kind", CaseEventKind)]
        triggers = [pgtrigger.Protect(name="case_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class RootCauseEvent(StatusEvent):
    """The root cause's timeline: status changes and the reason no recommendation was needed (issue 11)."""

    access_area = Area.CASES
    department_lookup = "root_cause__department"

    root_cause = models.ForeignKey(
        RootCause, verbose_name=_("причина и условие"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(
        _("событие"), max_length=32, choices=RootCauseEventKind.choices, default=RootCauseEventKind.TRANSITION
    )
    from_status = models.CharField(_("из статуса"), max_length=16, choices=RootCauseStatus.choices, blank=True)
    to_status = models.CharField(_("в статус"), max_length=16, choices=RootCauseStatus.choices)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие причины и условия")
        verbose_name_plural = _("события причин и условий")
        indexes = [models.Index(fields=["root_cause", "at"])]
        constraints = [_status_check("root_cause_event_kind_valid", "kind", RootCauseEventKind)]
        triggers = [
            pgtrigger.Protect(name="root_cause_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]


class RecommendationEvent(StatusEvent):
    """The recommendation's timeline: its status changes (issue 11)."""

    access_area = Area.CASES
    department_lookup = "recommendation__department"

    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("представление"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("из статуса"), max_length=16, choices=RecommendationStatus.choices, blank=True)
    to_status = models.CharField(_("в статус"), max_length=16, choices=RecommendationStatus.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие представления")
        verbose_name_plural = _("события представлений")
        indexes = [models.Index(fields=["recommendation", "at"])]
        triggers = [
            pgtrigger.Protect(name="recommendation_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]


# Links (many-to-many rows) are audited too, so a case's History shows articles and root causes added or removed.
for _link in (Case.articles.through, RootCause.cases.through, Recommendation.root_causes.through):
    audited()(_link)
