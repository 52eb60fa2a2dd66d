"""Choices and the status machines of the cases app: one transition table per machine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.machines import StatusMachine, Tone


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Зарегистрировано")
    INVESTIGATING = "investigating", _("Расследуется")
    SUSPENDED = "suspended", _("Приостановлено")
    SENT_TO_COURT = "sent_to_court", _("Направлено в суд")
    CONVICTED = "convicted", _("Обвинительный приговор")
    ACQUITTED = "acquitted", _("Оправдательный приговор")
    TERMINATED = "terminated", _("Прекращено")
    TERMINATED_BY_COURT = "terminated_by_court", _("Прекращено судом")
    MERGED = "merged", _("Соединено с другим делом")


CASE_FINAL = frozenset(
    {
        CaseStatus.CONVICTED,
        CaseStatus.ACQUITTED,
        CaseStatus.TERMINATED,
        CaseStatus.TERMINATED_BY_COURT,
        CaseStatus.MERGED,
    }
)

# from → allowed targets (DESIGN.md §4.2). Any non-final status may also be merged into another case.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.REGISTERED: frozenset({CaseStatus.INVESTIGATING, CaseStatus.MERGED}),
    CaseStatus.INVESTIGATING: frozenset(
        {CaseStatus.SUSPENDED, CaseStatus.SENT_TO_COURT, CaseStatus.TERMINATED, CaseStatus.MERGED}
    ),
    CaseStatus.SUSPENDED: frozenset({CaseStatus.INVESTIGATING, CaseStatus.MERGED}),
    CaseStatus.SENT_TO_COURT: frozenset(
        {CaseStatus.CONVICTED, CaseStatus.ACQUITTED, CaseStatus.TERMINATED_BY_COURT, CaseStatus.MERGED}
    ),
    **{status: frozenset() for status in CASE_FINAL},
}

# The colour groups the statuses: in progress (blue), paused (amber), in court (violet), conviction (green),
# acquittal or termination (red), merged (grey).
CASE_MACHINE = StatusMachine(
    "case",
    CaseStatus,
    CASE_TRANSITIONS,
    {
        CaseStatus.REGISTERED: Tone.NEUTRAL,
        CaseStatus.INVESTIGATING: Tone.PRIMARY,
        CaseStatus.SUSPENDED: Tone.WARNING,
        CaseStatus.SENT_TO_COURT: Tone.COURT,
        CaseStatus.CONVICTED: Tone.SUCCESS,
        CaseStatus.ACQUITTED: Tone.DANGER,
        CaseStatus.TERMINATED: Tone.DANGER,
        CaseStatus.TERMINATED_BY_COURT: Tone.DANGER,
        CaseStatus.MERGED: Tone.CLOSED,
    },
)

# "Completed in a period": reaching sent_to_court or a final status.
CASE_COMPLETING = frozenset({CaseStatus.SENT_TO_COURT, *CASE_FINAL})


class PostCategory(models.TextChoices):
    """Used only by the legacy rank score (DESIGN.md §4.5, officials_rank_score)."""

    POLITICAL = "political", _("Политическая должность")
    CORPS_A = "corps_a", _("Административная должность корпуса «А»")
    SENIOR_ADMINISTRATIVE = "senior_administrative", _("Руководящая административная должность")
    ADMINISTRATIVE = "administrative", _("Административная должность")
    OTHER = "other", _("Иное")


class SubjectRole(models.TextChoices):
    SUSPECT = "suspect", _("Подозреваемый")
    ACCUSED = "accused", _("Обвиняемый")
    CONVICTED = "convicted", _("Осуждённый")
    ACQUITTED = "acquitted", _("Оправданный")
    WITNESS = "witness", _("Свидетель")


class RootCauseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Выявлена")
    RECOMMENDED = "recommended", _("Внесено представление")
    IMPLEMENTED = "implemented", _("Меры приняты")
    ELIMINATED = "eliminated", _("Устранена (подтверждено)")
    REGRESSED = "regressed", _("Возобновилась")
    REJECTED = "rejected", _("Отклонена")


# Elimination is verified, not declared (issue 11): a second person with ``verify_causes`` moves a cause to
# eliminated once a recommendation addressing it is answered — or, where none was needed, approving the reason
# recorded for that; identified → implemented is that path (measures taken without a recommendation). Rejection
# takes a reason and the same capability. cases.services.root_cause_transition holds these requirements.
ROOT_CAUSE_TRANSITIONS: dict[str, frozenset[str]] = {
    RootCauseStatus.IDENTIFIED: frozenset(
        {RootCauseStatus.RECOMMENDED, RootCauseStatus.IMPLEMENTED, RootCauseStatus.REJECTED}
    ),
    RootCauseStatus.RECOMMENDED: frozenset({RootCauseStatus.IMPLEMENTED, RootCauseStatus.REJECTED}),
    RootCauseStatus.IMPLEMENTED: frozenset({RootCauseStatus.ELIMINATED, RootCauseStatus.RECOMMENDED}),
    # Regression is set by the nightly job only; a regressed cause gets a new recommendation.
    RootCauseStatus.ELIMINATED: frozenset({RootCauseStatus.REGRESSED}),
    RootCauseStatus.REGRESSED: frozenset({RootCauseStatus.RECOMMENDED}),
    RootCauseStatus.REJECTED: frozenset(),
}
ROOT_CAUSE_MACHINE = StatusMachine(
    "root_cause",
    RootCauseStatus,
    ROOT_CAUSE_TRANSITIONS,
    {
        RootCauseStatus.IDENTIFIED: Tone.NEUTRAL,
        RootCauseStatus.RECOMMENDED: Tone.PRIMARY,
        RootCauseStatus.IMPLEMENTED: Tone.COURT,
        RootCauseStatus.ELIMINATED: Tone.SUCCESS,
        RootCauseStatus.REGRESSED: Tone.DANGER,
        RootCauseStatus.REJECTED: Tone.CLOSED,
    },
)


# Moves that decide on a cause: only a holder of ``verify_causes`` makes them.
ROOT_CAUSE_DECIDED = frozenset({RootCauseStatus.ELIMINATED, RootCauseStatus.REJECTED})
# A cause verified eliminated (or come back since) or rejected: its reason that no recommendation was needed is fixed.
ROOT_CAUSE_SETTLED = frozenset({RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED, RootCauseStatus.REJECTED})


class RootCauseEventKind(models.TextChoices):
    TRANSITION = "transition", _("Смена статуса")
    NO_RECOMMENDATION = "no_recommendation", _("Обоснование: представление не требуется")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Проект")
    ISSUED = "issued", _("Внесено")
    ANSWERED = "answered", _("Получен ответ")
    VERIFIED = "verified", _("Исполнение проверено")


RECOMMENDATION_TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.DRAFT: frozenset({RecommendationStatus.ISSUED}),
    RecommendationStatus.ISSUED: frozenset({RecommendationStatus.ANSWERED}),
    RecommendationStatus.ANSWERED: frozenset({RecommendationStatus.VERIFIED}),
    RecommendationStatus.VERIFIED: frozenset(),
}
RECOMMENDATION_MACHINE = StatusMachine(
    "recommendation",
    RecommendationStatus,
    RECOMMENDATION_TRANSITIONS,
    {
        RecommendationStatus.DRAFT: Tone.NEUTRAL,
        RecommendationStatus.ISSUED: Tone.PRIMARY,
        RecommendationStatus.ANSWERED: Tone.COURT,
        RecommendationStatus.VERIFIED: Tone.SUCCESS,
    },
)


# A recommendation in these statuses has the state body's answer: the cause it addresses may be verified eliminated.
RECOMMENDATION_ANSWERED = frozenset({RecommendationStatus.ANSWERED, RecommendationStatus.VERIFIED})


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Регистрация в системе")
    EDITED = "edited", _("Изменение сведений")
    TRANSITION = "transition", _("Смена статуса")
    ASSIGNED = "assigned", _("Назначение следователя")
    ROOT_CAUSE_LINKED = "root_cause_linked", _("Связь с причиной")
    ROOT_CAUSE_UNLINKED = "root_cause_unlinked", _("Связь с причиной снята")
    ARCHIVED = "archived", _("Архивирование")
