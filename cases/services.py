"""Writes of the cases app: every change goes through here, in a transaction, with permission and state checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import AccessDenied, Capability
from anticor.bounds import is_substantial, substance_error
from anticor.dates import add_months
from anticor.indicators import restatements
from anticor.machines import TransitionError
from anticor.models import User
from anticor.versioning import check_version
from cases.choices import (
    CASE_COMPLETING,
    CASE_FINAL,
    CASE_MACHINE,
    RECOMMENDATION_ANSWERED,
    RECOMMENDATION_MACHINE,
    ROOT_CAUSE_DECIDED,
    ROOT_CAUSE_MACHINE,
    ROOT_CAUSE_SETTLED,
    CaseEventKind,
    CaseStatus,
    RecommendationStatus,
    RootCauseEventKind,
    RootCauseStatus,
)
from cases.models import (
    Case,
    CaseEvent,
    Recommendation,
    RecommendationEvent,
    RecommendationMeasure,
    RootCause,
    RootCauseEvent,
    Subject,
)
from cases.recurrence import FIRST_RECURRENCE

if TYPE_CHECKING:
    from anticor.models import Versioned


_M = TypeVar("_M", bound=models.Model)


def _locked(model: type[_M], pk: Any) -> _M:
    return model._default_manager.select_for_update().get(pk=pk)


def _check_version(current: Versioned, expected_version: int | None, values: Mapping[str, Any]) -> None:
    del values  # what the user typed is not what others changed
    check_version(current, expected_version)


def _changes(instance: models.Model, values: Mapping[str, Any]) -> bool:
    """Whether applying ``values`` would change the row (a form saved as it was shown changes nothing)."""
    return any(getattr(instance, name) != value for name, value in values.items())


def _apply(instance: models.Model, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(instance, name, value)


# --- cases -----------------------------------------------------------------------------------------------------------


def case_refresh_search(*, case_ids: Sequence[int]) -> None:
    """Rebuild the Russian full-text vector over number, summary and subject names (set-based, one statement)."""
    names = (
        Subject.objects.filter(case=models.OuterRef("pk"), is_removed=False)
        .values("case")
        .annotate(all_names=StringAgg("full_name", delimiter=" "))
        .values("all_names")
    )
    Case.objects.filter(pk__in=case_ids).update(
        search_vector=SearchVector("registration_number", config="simple", weight="A")
        + SearchVector("summary", config="russian", weight="B")
        + SearchVector(
            Coalesce(models.Subquery(names), Value(""), output_field=models.TextField()), config="russian", weight="A"
        )
        # Names once more, unstemmed: the Russian stemmer is unreliable on surnames (see cases.selectors.case_search).
        + SearchVector(
            Coalesce(models.Subquery(names), Value(""), output_field=models.TextField()), config="simple", weight="A"
        )
    )


def _validate_case(case: Case, *, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    if case.registered_on and case.registered_on > today:
        errors.setdefault("registered_on", []).append(_("Дата регистрации не может быть в будущем."))
    if (
        case.recovered_amount is not None
        and case.damage_amount is not None
        and case.recovered_amount > case.damage_amount
    ):
        errors.setdefault("recovered_amount", []).append(_("Возмещённая сумма не может превышать сумму ущерба."))
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class SubjectData:
    full_name: str
    iin: str
    role: str
    position: str = ""
    post_category: str = "other"
    state_body_id: int | None = None
    id: int | None = None


def _save_subjects(case: Case, subjects: Iterable[SubjectData], *, replace: bool) -> None:
    keep: list[int] = []
    for data in subjects:
        subject = Subject(case=case) if data.id is None else case.subjects.get(pk=data.id)
        _apply(
            subject,
            {
                "full_name": data.full_name,
                "iin": data.iin,
                "role": data.role,
                "position": data.position,
                "post_category": data.post_category,
                "state_body_id": data.state_body_id,
                "is_removed": False,
            },
        )
        subject.full_clean(exclude=["case"])
        subject.save()
        keep.append(subject.pk)
    if replace:
        case.subjects.exclude(pk__in=keep).filter(is_removed=False).update(is_removed=True)


@transaction.atomic
def case_create(
    *,
    user: access.Principal,
    values: Mapping[str, Any],
    article_ids: Sequence[int],
    subjects: Sequence[SubjectData] = (),
    refresh_search: bool = True,
    restatement_reason: str = "",
) -> Case:
    """Register a case in the user's scope. ``values`` are model field values (FK ids as ``<name>_id``).

    A bulk caller (the import) passes ``refresh_search=False`` and refreshes the search vectors once at the end.
    A case registered into an approved half-year needs ``restatement_reason`` (it changes the approved figures).
    """
    case = Case(**values)
    if not access.can_change(user, case):
        raise AccessDenied()
    if case.investigator_id is None and _may_investigate(user, case):
        case.investigator = cast(User, user)  # the investigator who registers a case works it until reassigned
    _validate_case(case, today=timezone.localdate())
    if not article_ids:
        raise ValidationError({"articles": [_("Укажите хотя бы одну статью УК.")]})
    case.full_clean()
    locked = restatements.locked_change_check(before=[], after=case, reason=restatement_reason)
    case.save()
    restatements.locked_change_record(user=user, record=case, periods=locked, reason=restatement_reason)
    case.articles.set(article_ids)
    _save_subjects(case, subjects, replace=False)
    CaseEvent.objects.create(case=case, **_actor(user), kind=CaseEventKind.CREATED, to_status=case.status)
    if refresh_search:
        case_refresh_search(case_ids=[case.pk])
    return case


@transaction.atomic
def case_update(
    *,
    user: access.Principal,
    case_id: int,
    expected_version: int | None,
    values: Mapping[str, Any],
    article_ids: Sequence[int] | None = None,
    subjects: Sequence[SubjectData] | None = None,
    restatement_reason: str = "",
) -> Case:
    """Change a case's details (not its status). Refused when based on a stale version.

    A change of a case that falls into an approved half-year (by its dates before or after the change) needs
    ``restatement_reason``; saving it unchanged does not."""
    case = _locked(Case, case_id)
    if not access.can_change(user, case):
        raise AccessDenied()
    _check_version(case, expected_version, values)
    if case.is_final or case.is_archived:
        raise ValidationError(_("Дело в окончательном статусе или в архиве изменять нельзя."))
    before = restatements.record_dates(case)
    changes = _case_changes(case, values=values, article_ids=article_ids, subjects=subjects)
    _apply(case, values)
    if not access.can_change(user, case):  # moving a case to another department is not the user's to do
        raise AccessDenied()
    _validate_case(case, today=timezone.localdate())
    case.full_clean()
    locked = restatements.locked_change_check(before=before, after=case, reason=restatement_reason) if changes else []
    restatements.locked_change_record(user=user, record=case, periods=locked, reason=restatement_reason)
    case.version = F("version") + 1
    case.save()
    if article_ids is not None:
        if not article_ids:
            raise ValidationError({"articles": [_("Укажите хотя бы одну статью УК.")]})
        case.articles.set(article_ids)
    if subjects is not None:
        _save_subjects(case, subjects, replace=True)
    CaseEvent.objects.create(case=case, **_actor(user), kind=CaseEventKind.EDITED, data={"fields": sorted(values)})
    case_refresh_search(case_ids=[case.pk])
    case.refresh_from_db()
    return case


def _may_investigate(person: access.Principal, case: Case) -> bool:
    """Whether ``person`` may be the assigned investigator of ``case``: an active investigator of its department."""
    department_id = getattr(person, "department_id", None)  # an API client or an anonymous visitor: none
    return (
        not isinstance(person, access.ApiPrincipal)
        and department_id is not None
        and department_id == case.department_id
        and access.has_role(person, access.Role.INVESTIGATOR)  # an active user's roles only
    )


@transaction.atomic
def case_assign(
    *,
    user: access.Principal,
    case_ids: Sequence[int],
    investigator_id: int,
    reason: str = "",
    expected_version: int | None = None,
) -> list[Case]:
    """Assign cases to an investigator (the head's decision, issue 13): one case or many at once.

    All or nothing: when any case may not be assigned the whole batch is refused, naming those cases. The target
    must be an active user of each case's department holding the investigator role. Each change bumps the case's
    version and puts an ``assigned`` event on its timeline; a case already assigned to the target is left as it is.
    ``expected_version`` (one case only) refuses a change based on a stale page.
    """
    if not access.has_capability(user, Capability.ASSIGN_CASES):
        raise AccessDenied(_("Назначать следователя может руководитель департамента."))
    ids = sorted(set(case_ids))
    if not ids:
        raise ValidationError({"cases": [_("Выберите хотя бы одно дело.")]})
    cases = list(
        access.visible(user, Case.objects.select_for_update(of=("self",)))
        .filter(pk__in=ids)
        .select_related("investigator")
        .order_by("registration_number")
    )
    if len(cases) != len(ids):
        raise AccessDenied()
    if expected_version is not None and len(cases) == 1:
        _check_version(cases[0], expected_version, {})
    target = User.objects.filter(pk=investigator_id).first()
    if target is None or not target.is_active or not access.has_role(target, access.Role.INVESTIGATOR):
        raise ValidationError(
            {"investigator": [_("Назначить можно только действующего сотрудника с ролью следователя.")]}
        )
    refused = [case for case in cases if not access.can_change(user, case) or case.is_final or case.is_archived]
    if refused:
        raise ValidationError(
            {
                "cases": [
                    _("Эти дела назначить нельзя (нет прав, окончательный статус или архив): %(numbers)s.")
                    % {"numbers": ", ".join(case.registration_number for case in refused)}
                ]
            }
        )
    foreign = [case for case in cases if not _may_investigate(target, case)]
    if foreign:
        raise ValidationError(
            {
                "investigator": [
                    _("%(name)s — не следователь департамента этих дел: %(numbers)s.")
                    % {
                        "name": target.display_name,
                        "numbers": ", ".join(case.registration_number for case in foreign),
                    }
                ]
            }
        )
    events = []
    for case in cases:
        if case.investigator_id == target.pk:
            continue
        before = case.investigator
        case.investigator = target
        case.version = F("version") + 1
        case.save(update_fields=["investigator", "version", "updated_at"])
        events.append(
            CaseEvent(
                case=case,
                **_actor(user),
                kind=CaseEventKind.ASSIGNED,
                reason=reason.strip(),
                data={
                    "from": before.display_name if before else "",
                    "from_id": before.pk if before else None,
                    "to": target.display_name,
                    "to_id": target.pk,
                },
            )
        )
    CaseEvent.objects.bulk_create(events)
    for case in cases:
        case.refresh_from_db(fields=["version"])
    return cases


def _case_changes(
    case: Case,
    *,
    values: Mapping[str, Any],
    article_ids: Sequence[int] | None,
    subjects: Sequence[SubjectData] | None,
) -> bool:
    """Whether an update would change anything (a form saved as it was shown changes nothing)."""
    if _changes(case, values):
        return True
    if article_ids is not None and set(article_ids) != set(case.articles.values_list("pk", flat=True)):
        return True
    return subjects is not None and _subjects_plan(case, subjects) is not None


@transaction.atomic
def case_archive(*, user: access.Principal, case_id: int, reason: str) -> Case:
    """Put a wrongly entered case aside (cases are never deleted). Heads only; the reason is required."""
    case = _locked(Case, case_id)
    if not access.can_change(user, case) or not access.has_capability(user, Capability.CLOSE_CASES):
        raise AccessDenied(_("Архивировать дело может руководитель департамента."))
    if case.is_archived:
        raise ValidationError(_("Дело уже в архиве."))
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("Укажите причину архивирования.")]})
    case.is_archived = True
    case.archive_reason = reason.strip()
    case.version = F("version") + 1
    case.save(update_fields=["is_archived", "archive_reason", "version", "updated_at"])
    CaseEvent.objects.create(case=case, **_actor(user), kind=CaseEventKind.ARCHIVED, reason=reason.strip())
    case.refresh_from_db()
    return case


def case_allowed_transitions(*, user: access.Principal, case: Case) -> list[str]:
    """The targets the user may choose now: the machine's allowed moves, minus final ones unless a head."""
    if not access.can_change(user, case) or case.is_archived:
        return []
    final = () if access.has_capability(user, Capability.CLOSE_CASES) else CASE_FINAL
    return [status for status, _label in CASE_MACHINE.allowed(case.status, exclude=final)]


@transaction.atomic
def case_transition(
    *,
    user: access.Principal,
    case_id: int,
    to: str,
    reason: str,
    on: dt.date | None = None,
    termination_ground_id: int | None = None,
    merged_into_id: int | None = None,
    expected_version: int | None = None,
    restatement_reason: str = "",
) -> Case:
    """Move a case and write the move on its timeline. A move that sets or moves a date of an approved half-year
    (sending to court, a final decision) needs ``restatement_reason``."""
    case = _locked(Case, case_id)
    if not access.can_change(user, case):
        raise AccessDenied()
    _check_version(case, expected_version, {})
    if case.is_archived:
        raise TransitionError({"to": [_("Дело в архиве: статус не меняется.")]})
    source = case.status
    CASE_MACHINE.check(source, to)
    if to in CASE_FINAL and not access.has_capability(user, Capability.CLOSE_CASES):
        raise AccessDenied(_("Окончательное решение по делу принимает руководитель департамента."))
    if not reason or not reason.strip():
        raise TransitionError({"reason": [_("Укажите основание смены статуса.")]})
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise TransitionError({"on": [_("Дата не может быть в будущем.")]})
    if case.status_changed_on and on < case.status_changed_on:
        raise TransitionError({"on": [_("Дата не может быть раньше предыдущей смены статуса.")]})
    if to == CaseStatus.TERMINATED:
        if termination_ground_id is None:
            raise TransitionError({"termination_ground": [_("Для прекращения дела укажите основание.")]})
        case.termination_ground_id = termination_ground_id
    elif termination_ground_id is not None:
        raise TransitionError({"termination_ground": [_("Основание указывается только при прекращении дела.")]})
    if to == CaseStatus.MERGED:
        target = Case.objects.filter(pk=merged_into_id).first() if merged_into_id else None
        if target is None or target.pk == case.pk or not access.can_view(user, target):
            raise TransitionError({"merged_into": [_("Укажите дело, с которым соединяется данное дело.")]})
        case.merged_into = target
    before = {name: getattr(case, name) for name in ("status", "sent_to_court_on", "closed_on")}
    case.status = to
    case.status_changed_on = on
    if to == CaseStatus.SENT_TO_COURT:
        case.sent_to_court_on = on
    if to in CASE_FINAL:
        case.closed_on = on
    case.version = F("version") + 1
    case.full_clean(exclude=["version"])
    # The completion and outcome figures place a case by these dates, and count it by its status there: the days
    # of a date the move sets or moves, and the completion day of a case that stops (or starts) counting as completed.
    moved = [
        day
        for name in ("sent_to_court_on", "closed_on")
        if before[name] != getattr(case, name)
        for day in (before[name], getattr(case, name))
    ]
    if (before["status"] in CASE_COMPLETING) != (to in CASE_COMPLETING):
        moved.append(before["sent_to_court_on"] or before["closed_on"])
    locked = restatements.locked_dates_check(dates=moved, reason=restatement_reason)
    case.save()
    restatements.locked_change_record(user=user, record=case, periods=locked, reason=restatement_reason)
    CaseEvent.objects.create(
        case=case,
        **_actor(user),
        kind=CaseEventKind.TRANSITION,
        from_status=source,
        to_status=to,
        reason=reason.strip(),
        data={"on": on.isoformat()},
    )
    case.refresh_from_db()
    return case


def _actor(user: access.Principal) -> dict[str, Any]:
    """Who to name on a timeline event: the signed-in user, or the API client of another agency."""
    if isinstance(user, access.ApiPrincipal):
        return {"actor": None, "client_label": user.client.name}
    return {"actor": user if getattr(user, "is_authenticated", False) else None}


# --- root causes and recommendations ---------------------------------------------------------------------------------


def root_cause_allowed_transitions(*, user: access.Principal, cause: RootCause) -> list[str]:
    """The targets the user may choose now: the machine's moves, without regression (the nightly job's) and, unless
    the user may decide on the cause, without elimination and rejection."""
    if not access.can_change(user, cause):
        return []
    excluded = {RootCauseStatus.REGRESSED}
    if not access.can_decide_root_cause(user, cause):
        excluded |= ROOT_CAUSE_DECIDED
    return [status for status, _label in ROOT_CAUSE_MACHINE.allowed(cause.status, exclude=excluded)]


def _elimination_errors(
    *, user: access.Principal, cause: RootCause, on: dt.date | None, evidence: str, approve_no_recommendation: bool
) -> dict[str, list[Any]]:
    """What elimination lacks: a second person, an answered recommendation (or the approved reason none was
    needed), the date of the check and evidence of substance."""
    errors: dict[str, list[Any]] = {}
    if not access.is_second_person(user, cause.identified_by_id):
        errors["to"] = [_("Устранение подтверждает другой сотрудник: вы выявили эту причину.")]
    elif approve_no_recommendation:
        if not cause.no_recommendation_reason:
            errors["approve_no_recommendation"] = [
                _("Обоснование того, что представление не требуется, не записано: одобрять нечего.")
            ]
        elif not access.is_second_person(user, cause.no_recommendation_by_id):
            errors["approve_no_recommendation"] = [_("Обоснование одобряет другой сотрудник: вы его записали.")]
    elif not cause.recommendations.filter(status__in=RECOMMENDATION_ANSWERED).exists():
        errors["to"] = [
            _(
                "Устранение подтверждается после ответа госоргана на представление по этой причине. Если "
                "представление не требовалось, одобрите записанное обоснование."
            )
        ]
    if on is None:
        errors["verified_on"] = [_("Укажите дату проверки устранения.")]
    elif on > timezone.localdate() or on < cause.identified_on:
        errors["verified_on"] = [_("Дата проверки должна быть между датой выявления и сегодняшним днём.")]
    if not evidence.strip():
        errors["verification_evidence"] = [_("Опишите, чем подтверждено устранение причины.")]
    elif not is_substantial(evidence):
        errors["verification_evidence"] = [substance_error()]
    return errors


@transaction.atomic
def root_cause_transition(
    *,
    user: access.Principal,
    root_cause_id: int,
    to: str,
    on: dt.date | None = None,
    evidence: str = "",
    reason: str = "",
    approve_no_recommendation: bool = False,
    expected_version: int | None = None,
    restatement_reason: str = "",
) -> RootCause:
    """Move a root cause and write the move on its timeline.

    Elimination is verified, not declared: by a holder of ``verify_causes`` other than who identified the cause,
    once a recommendation addressing it is answered — or approving the reason, recorded by another person, that
    none was needed — with the date of the check and evidence of substance. Rejection takes a reason and the same
    capability (a rejected cause leaves the ``causes_eliminated`` denominator). A move that changes the figures of
    an approved half-year (a back-dated elimination, a rejection of a cause it counts) needs ``restatement_reason``.
    """
    cause = _locked(RootCause, root_cause_id)
    if not access.can_change(user, cause):
        raise AccessDenied()
    _check_version(cause, expected_version, {})
    if to == RootCauseStatus.REGRESSED:
        raise TransitionError({"to": [_("Возобновление устанавливается автоматически при регистрации нового дела.")]})
    ROOT_CAUSE_MACHINE.check(cause.status, to)
    source, verified_before = cause.status, cause.verified_on
    if to in ROOT_CAUSE_DECIDED and not access.can_decide_root_cause(user, cause):
        raise AccessDenied(_("Подтверждает устранение и отклоняет причины руководитель департамента."))
    reason = reason.strip()
    data: dict[str, Any] = {}
    if to == RootCauseStatus.ELIMINATED:
        errors = _elimination_errors(
            user=user, cause=cause, on=on, evidence=evidence, approve_no_recommendation=approve_no_recommendation
        )
        if errors:
            raise TransitionError(errors)
        verified_on = cast(dt.date, on)  # a missing date is one of the errors refused above
        cause.verified_on = verified_on
        cause.verification_evidence = evidence.strip()
        cause.verified_by = user
        reason = reason or cause.verification_evidence
        data = {"on": verified_on.isoformat(), "no_recommendation_approved": approve_no_recommendation}
    elif to == RootCauseStatus.REJECTED and not reason:
        raise TransitionError({"reason": [_("Укажите, почему причина отклонена.")]})
    elif (
        to == RootCauseStatus.IMPLEMENTED
        and cause.status == RootCauseStatus.IDENTIFIED
        and not cause.no_recommendation_reason
    ):
        raise TransitionError(
            {"to": [_("Без представления меры считаются принятыми, только если записано, почему оно не требуется.")]}
        )
    cause.status = to
    locked = restatements.locked_dates_check(
        dates=_cause_figure_dates(cause, source=source, verified_before=verified_before), reason=restatement_reason
    )
    cause.version = F("version") + 1
    cause.save()
    restatements.locked_change_record(user=user, record=cause, periods=locked, reason=restatement_reason)
    RootCauseEvent.objects.create(
        root_cause=cause, **_actor(user), from_status=source, to_status=to, reason=reason, data=data
    )
    cause.refresh_from_db()
    return cause


def _cause_figure_dates(cause: RootCause, *, source: str, verified_before: dt.date | None) -> list[dt.date | None]:
    """The days whose root-cause figures a move of ``cause`` from ``source`` changes: its verification date when
    it becomes or stops being a verified elimination (or that date moves), all its dates when it becomes or stops
    being rejected (a rejected cause counts nowhere)."""
    if (source == RootCauseStatus.REJECTED) != (cause.status == RootCauseStatus.REJECTED):
        return [*restatements.record_dates(cause), verified_before]
    verified = {RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED}
    if (source in verified) != (cause.status in verified) or verified_before != cause.verified_on:
        return [verified_before, cause.verified_on]
    return []


def _no_recommendation_event(user: access.Principal, cause: RootCause, before: str) -> RootCauseEvent | None:
    """A changed reason that no recommendation is needed: of substance, naming who gave it, and an event (saved by
    the caller with the cause) on the cause's timeline for the verifier to approve."""
    reason = cause.no_recommendation_reason = (cause.no_recommendation_reason or "").strip()
    if reason == before:
        return None
    if cause.status in ROOT_CAUSE_SETTLED:
        raise ValidationError(
            {"no_recommendation_reason": [_("Обоснование меняется только до подтверждения или отклонения причины.")]}
        )
    if reason and not is_substantial(reason):
        raise ValidationError({"no_recommendation_reason": [substance_error()]})
    cause.no_recommendation_by = user if reason and not isinstance(user, access.ApiPrincipal) else None
    return RootCauseEvent(
        root_cause=cause,
        **_actor(user),
        kind=RootCauseEventKind.NO_RECOMMENDATION,
        from_status=cause.status,
        to_status=cause.status,
        reason=reason or _("Обоснование отозвано."),
    )


@transaction.atomic
def root_cause_link_cases(*, user: access.Principal, root_cause_id: int, case_ids: Sequence[int]) -> RootCause:
    """Link a root cause to more cases (one systemic cause behind several cases); each case must be visible."""
    cause = _locked(RootCause, root_cause_id)
    if not access.can_change(user, cause):
        raise AccessDenied()
    cases = list(access.visible(user, Case.objects.filter(pk__in=case_ids)))
    if len(cases) != len(set(case_ids)):
        raise ValidationError({"cases": [_("Некоторые дела не найдены или недоступны.")]})
    already = set(cause.cases.values_list("pk", flat=True))
    new = [case for case in cases if case.pk not in already]
    cause.cases.add(*new)
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, **_actor(user), kind=CaseEventKind.ROOT_CAUSE_LINKED, data={"root_cause": cause.pk})
        for case in new
    )
    return cause


def recommendation_default_due_on(delivered_on: dt.date) -> dt.date:
    """One month after delivery; the 31st of a shorter month becomes its last day."""
    return add_months(delivered_on, 1)


@transaction.atomic
def recommendation_transition(
    *,
    user: access.Principal,
    recommendation_id: int,
    to: str,
    on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
    restatement_reason: str = "",
) -> Recommendation:
    """Move a recommendation and write the move on its timeline. A move that changes ``recommendations_on_time``
    of an approved half-year (an answer in time, a due date set there) needs ``restatement_reason``."""
    rec = _locked(Recommendation, recommendation_id)
    if not access.can_change(user, rec):
        raise AccessDenied()
    _check_version(rec, expected_version, {})
    RECOMMENDATION_MACHINE.check(rec.status, to)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise TransitionError({"on": [_("Дата не может быть в будущем.")]})
    counted_before = _on_time_fact(rec)
    if to == RecommendationStatus.ISSUED:
        if rec.delivered_on and rec.delivered_on < on:
            raise TransitionError({"on": [_("Дата внесения не может быть позже даты вручения.")]})
        rec.issued_on = on
        if rec.delivered_on is None:
            rec.delivered_on = on
        rec.due_on = rec.due_on or recommendation_default_due_on(rec.delivered_on)
    elif to == RecommendationStatus.ANSWERED:
        if not note.strip():
            raise TransitionError({"answer_summary": [_("Кратко изложите содержание ответа.")]})
        if rec.issued_on and on < rec.issued_on:
            raise TransitionError({"on": [_("Ответ не может быть получен раньше внесения представления.")]})
        rec.answered_on = on
        rec.answer_summary = note.strip()
    elif to == RecommendationStatus.VERIFIED:
        if not note.strip():
            raise TransitionError({"verification_note": [_("Опишите результат проверки исполнения.")]})
        rec.verified_on = on
        rec.verification_note = note.strip()
    counted = _on_time_fact(rec)
    moved = [counted_before[0], counted[0]] if counted != counted_before else []
    locked = restatements.locked_dates_check(dates=moved, reason=restatement_reason)
    source = rec.status
    rec.status = to
    rec.version = F("version") + 1
    rec.save()
    restatements.locked_change_record(user=user, record=rec, periods=locked, reason=restatement_reason)
    RecommendationEvent.objects.create(
        recommendation=rec, **_actor(user), from_status=source, to_status=to, reason=note.strip()
    )
    rec.refresh_from_db()
    return rec


def _on_time_fact(rec: Recommendation) -> tuple[dt.date | None, bool]:
    """How ``recommendations_on_time`` sees a recommendation: the day that places it, and whether it was on time."""
    return rec.due_on, bool(rec.due_on and rec.answered_on and rec.answered_on <= rec.due_on)


def _require_write(user: access.Principal, obj: models.Model) -> None:
    if not access.can_change(user, obj):
        raise AccessDenied()


@transaction.atomic
def root_cause_create(
    *, user: access.Principal, values: Mapping[str, Any], case_ids: Sequence[int] = (), restatement_reason: str = ""
) -> RootCause:
    """Record a root cause found behind one or more cases of the user's department; the user is who identified it.
    One identified in an approved half-year needs ``restatement_reason``."""
    cause = RootCause(**values)
    _require_write(user, cause)
    if cause.identified_on and cause.identified_on > timezone.localdate():
        raise ValidationError({"identified_on": [_("Дата выявления не может быть в будущем.")]})
    cause.identified_by = None if isinstance(user, access.ApiPrincipal) else user
    event = _no_recommendation_event(user, cause, "")
    cause.full_clean()
    locked = restatements.locked_change_check(before=[], after=cause, reason=restatement_reason)
    cause.save()
    restatements.locked_change_record(user=user, record=cause, periods=locked, reason=restatement_reason)
    if event is not None:
        event.save()
    if case_ids:
        root_cause_link_cases(user=user, root_cause_id=cause.pk, case_ids=case_ids)
    return cause


@transaction.atomic
def root_cause_update(
    *,
    user: access.Principal,
    root_cause_id: int,
    expected_version: int | None,
    values: Mapping[str, Any],
    restatement_reason: str = "",
) -> RootCause:
    """Change a root cause's details (not its status). A change of a cause that falls into an approved half-year
    (by its dates before or after the change) needs ``restatement_reason``; saving it unchanged does not."""
    cause = _locked(RootCause, root_cause_id)
    _require_write(user, cause)
    _check_version(cause, expected_version, values)
    before = cause.no_recommendation_reason
    dates, changes = restatements.record_dates(cause), _changes(cause, values)
    _apply(cause, values)
    _require_write(user, cause)
    if cause.identified_on and cause.identified_on > timezone.localdate():
        raise ValidationError({"identified_on": [_("Дата выявления не может быть в будущем.")]})
    event = _no_recommendation_event(user, cause, before)
    cause.full_clean()
    locked = restatements.locked_change_check(before=dates, after=cause, reason=restatement_reason) if changes else []
    restatements.locked_change_record(user=user, record=cause, periods=locked, reason=restatement_reason)
    cause.version = F("version") + 1
    cause.save()
    if event is not None:
        event.save()
    cause.refresh_from_db()
    return cause


@dataclass(frozen=True)
class MeasureData:
    description: str
    responsible_person: str
    done_on: dt.date | None = None
    id: int | None = None


def _save_measures(rec: Recommendation, measures: Sequence[MeasureData]) -> None:
    keep = []
    for data in measures:
        measure = rec.measures.get(pk=data.id) if data.id else RecommendationMeasure(recommendation=rec)
        _apply(
            measure,
            {"description": data.description, "responsible_person": data.responsible_person, "done_on": data.done_on},
        )
        measure.full_clean(exclude=["recommendation"])
        measure.save()
        keep.append(measure.pk)
    # A measure removed in the form is deleted; the audit trail keeps its last state (DeleteEvent).
    rec.measures.exclude(pk__in=keep).delete()


def _validate_recommendation(rec: Recommendation) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for name in ("issued_on", "delivered_on", "answered_on"):
        value = getattr(rec, name)
        if value and value > today:
            errors.setdefault(name, []).append(_("Дата не может быть в будущем."))
    if rec.delivered_on and rec.issued_on and rec.delivered_on < rec.issued_on:
        errors.setdefault("delivered_on", []).append(_("Дата вручения не может быть раньше даты внесения."))
    if rec.delivered_on and not rec.due_on:
        rec.due_on = recommendation_default_due_on(rec.delivered_on)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommendation_create(
    *,
    user: access.Principal,
    values: Mapping[str, Any],
    root_cause_ids: Sequence[int] = (),
    measures: Sequence[MeasureData] = (),
    restatement_reason: str = "",
) -> Recommendation:
    """Record a recommendation; one due in an approved half-year needs ``restatement_reason``."""
    rec = Recommendation(**values)
    _require_write(user, rec)
    _validate_recommendation(rec)
    rec.full_clean()
    locked = restatements.locked_change_check(before=[], after=rec, reason=restatement_reason)
    rec.save()
    restatements.locked_change_record(user=user, record=rec, periods=locked, reason=restatement_reason)
    causes = list(access.visible(user, RootCause.objects.filter(pk__in=root_cause_ids)))
    if len(causes) != len(set(root_cause_ids)):
        raise ValidationError({"root_causes": [_("Некоторые причины не найдены или недоступны.")]})
    rec.root_causes.set(causes)
    _save_measures(rec, measures)
    return rec


@transaction.atomic
def recommendation_update(
    *,
    user: access.Principal,
    recommendation_id: int,
    expected_version: int | None,
    values: Mapping[str, Any],
    root_cause_ids: Sequence[int] | None = None,
    measures: Sequence[MeasureData] | None = None,
    restatement_reason: str = "",
) -> Recommendation:
    """Change a recommendation's details (not its status). A change of its fields when it falls into an approved
    half-year (by its due date before or after) needs ``restatement_reason``; its causes and measures do not."""
    rec = _locked(Recommendation, recommendation_id)
    _require_write(user, rec)
    _check_version(rec, expected_version, values)
    dates, changes = restatements.record_dates(rec), _changes(rec, values)
    _apply(rec, values)
    _require_write(user, rec)
    _validate_recommendation(rec)
    rec.full_clean()
    locked = restatements.locked_change_check(before=dates, after=rec, reason=restatement_reason) if changes else []
    restatements.locked_change_record(user=user, record=rec, periods=locked, reason=restatement_reason)
    rec.version = F("version") + 1
    rec.save()
    if root_cause_ids is not None:
        causes = list(access.visible(user, RootCause.objects.filter(pk__in=root_cause_ids)))
        if len(causes) != len(set(root_cause_ids)):
            raise ValidationError({"root_causes": [_("Некоторые причины не найдены или недоступны.")]})
        rec.root_causes.set(causes)
    if measures is not None:
        _save_measures(rec, measures)
    rec.refresh_from_db()
    return rec


# --- writes from the REST API (natural keys, idempotent) -------------------------------------------------------------

_SUBJECT_COMPARED = ("full_name", "role", "position", "post_category", "state_body_id")


def _check_subjects(subjects: Sequence[SubjectData]) -> None:
    """Validate each subject as the model will, naming its row (``subjects.1.iin``); one IIN appears once."""
    errors: dict[str, list[str]] = {}
    first_row: dict[str, int] = {}
    for index, data in enumerate(subjects):
        subject = Subject(**{name: getattr(data, name) for name in (*_SUBJECT_COMPARED, "iin")})
        try:
            subject.full_clean(exclude=["case"], validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[f"subjects.{index}.{name}"] = list(messages)
        if data.iin in first_row:
            errors.setdefault(f"subjects.{index}.iin", []).append(
                _("ИИН повторяется: он уже указан у участника № %(row)s.") % {"row": first_row[data.iin] + 1}
            )
        else:
            first_row[data.iin] = index
    if errors:
        raise ValidationError(errors)


def _subjects_plan(case: Case, subjects: Sequence[SubjectData]) -> list[SubjectData] | None:
    """The subjects to save, matched to the case's by IIN (kept ids), or None when they already are as given."""
    current = list(case.subjects.order_by("is_removed", "id"))  # an active row wins over a removed one
    by_iin: dict[str, Subject] = {}
    for subject in current:
        by_iin.setdefault(subject.iin, subject)
    plan: list[SubjectData] = []
    matched: set[int] = set()
    changed = False
    for data in subjects:
        existing = by_iin.get(data.iin)
        if existing is None:
            changed = True
        else:
            matched.add(existing.pk)
            changed = changed or existing.is_removed
            changed = changed or any(getattr(existing, name) != getattr(data, name) for name in _SUBJECT_COMPARED)
        plan.append(
            SubjectData(
                full_name=data.full_name,
                iin=data.iin,
                role=data.role,
                position=data.position,
                post_category=data.post_category,
                state_body_id=data.state_body_id,
                id=existing.pk if existing is not None else None,
            )
        )
    if any(not subject.is_removed and subject.pk not in matched for subject in current):
        changed = True  # a subject left out of the list is marked removed
    return plan if changed else None


def _lock_key(kind: str, key: str) -> None:
    """A transaction-scoped advisory lock: two writers of the same natural key wait for each other."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{kind}:{key}"])


@transaction.atomic
def case_upsert(
    *,
    user: access.Principal,
    registration_number: str,
    values: Mapping[str, Any],
    article_ids: Sequence[int] | None,
    subjects: Sequence[SubjectData] | None,
    expected_version: int | None = None,
    restatement_reason: str = "",
) -> tuple[Case, bool, bool]:
    """Create the case with this ЕРДР number, or bring the existing one to the given state; returns
    ``(case, created, changed)``.

    Idempotent: when the existing case already is as given, nothing is written — no new version, no timeline
    event, no audit row. ``values`` are model field values (FK ids as ``<name>_id``) without the number;
    ``article_ids`` / ``subjects`` of None leave those as they are (a partial update). Subjects are matched by
    IIN: a known one is updated in place, a new one added, one left out is marked removed (never deleted).
    A case that exists outside the user's scope raises ``Case.DoesNotExist``: its existence is not disclosed.
    """
    values = {name: value for name, value in values.items() if name != "registration_number"}
    if subjects is not None:
        _check_subjects(subjects)
    _lock_key("case", registration_number)
    case = Case.objects.select_for_update().filter(registration_number=registration_number).first()
    if case is None:
        draft = Case(registration_number=registration_number, **values)
        if not access.can_change(user, draft):
            department = getattr(draft, "department", None)
            raise AccessDenied(
                _("Нет прав регистрировать дела департамента %(department)s.")
                % {"department": department.code if department is not None else "—"}
            )
        created = case_create(
            user=user,
            values={**values, "registration_number": registration_number},
            article_ids=list(article_ids or ()),
            subjects=list(subjects or ()),
            restatement_reason=restatement_reason,
        )
        return created, True, True
    if not access.can_view(user, case):
        raise Case.DoesNotExist(registration_number)
    _check_version(case, expected_version, values)
    changed_values = {name: value for name, value in values.items() if getattr(case, name) != value}
    new_articles = None
    if article_ids is not None and set(article_ids) != set(case.articles.values_list("pk", flat=True)):
        new_articles = list(article_ids)
    new_subjects = _subjects_plan(case, subjects) if subjects is not None else None
    if not changed_values and new_articles is None and new_subjects is None:
        return case, False, False
    updated = case_update(
        user=user,
        case_id=case.pk,
        expected_version=None,  # checked above, under the same lock
        values=changed_values,
        article_ids=new_articles,
        subjects=new_subjects,
        restatement_reason=restatement_reason,
    )
    return updated, False, True


@transaction.atomic
def root_cause_patch(
    *,
    user: access.Principal,
    root_cause_id: int,
    expected_version: int | None,
    values: Mapping[str, Any],
    case_ids: Sequence[int] | None = None,
    restatement_reason: str = "",
) -> tuple[RootCause, bool]:
    """Change the given fields and link the given cases; returns ``(cause, changed)``, writing nothing when the
    cause already is as given. Links to cases are only added: ``case_ids`` must keep the visible linked cases."""
    cause = _locked(RootCause, root_cause_id)
    _require_write(user, cause)
    _check_version(cause, expected_version, values)
    changed_values = {name: value for name, value in values.items() if getattr(cause, name) != value}
    new_case_ids: list[int] = []
    if case_ids is not None:
        linked = set(access.visible(user, cause.cases.all()).values_list("pk", flat=True))
        dropped = linked - set(case_ids)
        if dropped:
            numbers = Case.objects.filter(pk__in=dropped).order_by("registration_number")
            raise ValidationError(
                {
                    "cases": [
                        _("Связь причины с делом не снимается: %(numbers)s.")
                        % {"numbers": ", ".join(case.registration_number for case in numbers)}
                    ]
                }
            )
        new_case_ids = [pk for pk in dict.fromkeys(case_ids) if pk not in linked]
    if changed_values:
        cause = root_cause_update(
            user=user,
            root_cause_id=cause.pk,
            expected_version=None,
            values=changed_values,
            restatement_reason=restatement_reason,
        )
    if new_case_ids:
        root_cause_link_cases(user=user, root_cause_id=cause.pk, case_ids=new_case_ids)
    return cause, bool(changed_values or new_case_ids)


@transaction.atomic
def recommendation_patch(
    *,
    user: access.Principal,
    recommendation_id: int,
    expected_version: int | None,
    values: Mapping[str, Any],
    root_cause_ids: Sequence[int] | None = None,
    measures: Sequence[MeasureData] | None = None,
    restatement_reason: str = "",
) -> tuple[Recommendation, bool]:
    """Change what is given; returns ``(recommendation, changed)``, writing nothing when it already is as given."""
    rec = _locked(Recommendation, recommendation_id)
    _require_write(user, rec)
    _check_version(rec, expected_version, values)
    changed_values = {name: value for name, value in values.items() if getattr(rec, name) != value}
    if root_cause_ids is not None and set(root_cause_ids) == set(
        access.visible(user, rec.root_causes.all()).values_list("pk", flat=True)
    ):
        root_cause_ids = None
    if measures is not None:
        current = [
            MeasureData(id=m.pk, description=m.description, responsible_person=m.responsible_person, done_on=m.done_on)
            for m in rec.measures.order_by("id")
        ]
        if sorted(measures, key=lambda m: m.id or 0) == current:
            measures = None
    if not changed_values and root_cause_ids is None and measures is None:
        return rec, False
    rec = recommendation_update(
        user=user,
        recommendation_id=rec.pk,
        expected_version=None,  # checked above, under the same lock
        values=changed_values,
        root_cause_ids=root_cause_ids,
        measures=measures,
        restatement_reason=restatement_reason,
    )
    return rec, True


# --- the nightly job ------------------------------------------------------------------------------------------------


def root_causes_mark_regressed(*, department_code: str | None = None, recurrences: str | None = None) -> int:
    """Mark eliminated causes ``regressed`` when a later case of the same state body and category was registered.

    Called by the nightly indicator job inside its transaction (DESIGN.md §4.2); one set-based statement that also
    writes the move on each cause's timeline, recorded by the row-level audit trail under the job's context.
    ``regressed_on`` is the registration date of the first such case, ``regressed_by`` that case. ``recurrences``
    names a temporary table the job has already filled with ``FIRST_RECURRENCE`` rows, so that the recurrence
    indicator and the marking share one computation. Returns how many causes were marked.
    """
    if recurrences is not None and not recurrences.isidentifier():
        raise ValueError(f"not a table name: {recurrences!r}")
    source = recurrences or f"({FIRST_RECURRENCE})"
    scope = "AND r.department_id = (SELECT id FROM anticor_department WHERE code = %(department)s)"
    with connection.cursor() as cursor:
        # One statement marks the causes and writes each move on its timeline (actor: nobody — the nightly job).
        cursor.execute(
            f"""WITH marked AS (
                    UPDATE cases_rootcause rc
                    SET status = %(regressed)s, regressed_on = r.recurred_on, regressed_by_id = r.case_id,
                        version = rc.version + 1, updated_at = now()
                    FROM {source} r
                    WHERE rc.id = r.root_cause_id AND r.status = %(eliminated)s AND r.case_id IS NOT NULL
                          {scope if department_code else ""}
                    RETURNING rc.id, rc.regressed_on, rc.regressed_by_id
                )
                INSERT INTO cases_rootcauseevent
                    (at, client_label, kind, from_status, to_status, reason, data, root_cause_id)
                SELECT now(), '', %(kind)s, %(eliminated)s, %(regressed)s, %(reason)s,
                       jsonb_build_object('on', marked.regressed_on, 'case', marked.regressed_by_id), marked.id
                FROM marked""",  # noqa: S608 - composed from constants
            {
                "regressed": RootCauseStatus.REGRESSED,
                "eliminated": RootCauseStatus.ELIMINATED,
                "department": department_code,
                "kind": RootCauseEventKind.TRANSITION,
                "reason": str(_("После устранения зарегистрировано новое дело того же госоргана и категории.")),
            },
        )
        return cursor.rowcount
