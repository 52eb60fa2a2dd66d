"""Writes of the integrity app. Every safeguard of the Integrity Check lives here, not in a form (DESIGN.md §4.4).

Each function checks who acts (through :mod:`anticor.access`), enforces the status machine, validates with
``full_clean()`` and writes its status event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import AccessDenied, ApiPrincipal, Area, Capability, Role
from anticor.dates import add_months
from anticor.versioning import check_version
from integrity.choices import (
    CHECK_MACHINE,
    DISCIPLINE_MACHINE,
    DISCIPLINE_MANUAL_TARGETS,
    CheckOutcome,
    CheckStatus,
    CheckTrigger,
    DisciplineStatus,
    EmployeeStatus,
)
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    DisciplinaryRecordEvent,
    Employee,
    IntegrityCheck,
    IntegrityCheckEvent,
)

if TYPE_CHECKING:
    from anticor.models import User, Versioned

# Legal deadlines for imposing a sanction (the warnings of DESIGN.md §4.4).
MONTHS_FROM_DISCOVERY = 1
MONTHS_FROM_OFFENCE = 6
# A check is a bounded operation: an open-ended window would approve testing someone indefinitely.
MAX_CHECK_WINDOW_DAYS = 90


def _actor(user: access.Principal) -> dict[str, Any]:
    if isinstance(user, ApiPrincipal):
        return {"actor": None, "client_label": user.client.name}
    return {"actor": user if getattr(user, "is_authenticated", False) else None}


def _require_write_area(user: access.Principal, area: str) -> None:
    if not access.can_write_area(user, area):
        raise AccessDenied()


def _require_change(user: access.Principal, obj: models.Model) -> None:
    if not access.can_change(user, obj):
        raise AccessDenied()


def _apply(instance: models.Model, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(instance, name, value)


def _not_in_future(errors: dict[str, list[str]], field: str, value: dt.date | None, today: dt.date) -> None:
    if value is not None and value > today:
        errors.setdefault(field, []).append(_("Дата не может быть в будущем."))


def _raise(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _bump(instance: Versioned) -> None:
    instance.version = F("version") + 1
    instance.save()
    instance.refresh_from_db()


# --- employees --------------------------------------------------------------------------------------------------------


def _validate_employee(employee: Employee) -> None:
    errors: dict[str, list[str]] = {}
    if employee.status == EmployeeStatus.DISMISSED and employee.dismissed_on is None:
        errors["dismissed_on"] = [_("Укажите дату увольнения.")]
    if employee.status == EmployeeStatus.ACTIVE:
        employee.dismissed_on = None
    if employee.dismissed_on and employee.hired_on and employee.dismissed_on < employee.hired_on:
        errors["dismissed_on"] = [_("Дата увольнения не может быть раньше поступления на службу.")]
    _not_in_future(errors, "hired_on", employee.hired_on, timezone.localdate())
    _raise(errors)


@transaction.atomic
def employee_create(*, user: access.Principal, values: Mapping[str, Any]) -> Employee:
    _require_write_area(user, Area.STAFF)
    employee = Employee(**values)
    _validate_employee(employee)
    employee.full_clean()
    _require_change(user, employee)  # a department-scoped writer creates staff of their departments only
    employee.save()
    return employee


@transaction.atomic
def employee_update(
    *, user: access.Principal, employee_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> Employee:
    employee = Employee.objects.select_for_update().get(pk=employee_id)
    _require_change(user, employee)
    check_version(employee, expected_version)
    _apply(employee, values)
    _require_change(user, employee)
    _validate_employee(employee)
    employee.full_clean()
    _bump(employee)
    return employee


# --- discipline -------------------------------------------------------------------------------------------------------


def discipline_default_expires_on(imposed_on: dt.date) -> dt.date:
    """A sanction is in force for DISCIPLINE_EXPIRY_MONTHS (twelve by default) from the order date."""
    return add_months(imposed_on, settings.DISCIPLINE_EXPIRY_MONTHS)


def discipline_deadline_warnings(record: DisciplinaryRecord) -> list[str]:
    """Missed legal deadlines: more than one month after discovery or six months after the offence.

    Warnings, not refusals: the order exists and must be recorded; the lateness is for internal security to see.
    """
    warnings = []
    if (
        record.imposed_on
        and record.discovered_on
        and record.imposed_on > add_months(record.discovered_on, MONTHS_FROM_DISCOVERY)
    ):
        warnings.append(_("Взыскание наложено позднее одного месяца со дня обнаружения проступка."))
    if (
        record.imposed_on
        and record.committed_on
        and record.imposed_on > add_months(record.committed_on, MONTHS_FROM_OFFENCE)
    ):
        warnings.append(_("Взыскание наложено позднее шести месяцев со дня совершения проступка."))
    return warnings


def _validate_discipline(record: DisciplinaryRecord) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    sanction = record.sanction if record.sanction_id else None
    if sanction is not None and not sanction.is_active and record._state.adding:
        errors["sanction"] = [_("Это взыскание исключено из перечня.")]
    if record.negative_grounds and sanction is not None and not sanction.is_dismissal:
        errors["negative_grounds"] = [_("Отрицательные мотивы указываются только при увольнении со службы.")]
    if sanction is not None and sanction.is_dismissal:
        record.expires_on = None  # a dismissal does not expire
    if record.committed_on and record.discovered_on and record.discovered_on < record.committed_on:
        errors["discovered_on"] = [_("Проступок не может быть обнаружен раньше, чем совершён.")]
    if record.discovered_on and record.imposed_on and record.imposed_on < record.discovered_on:
        errors["imposed_on"] = [_("Взыскание не может быть наложено раньше обнаружения проступка.")]
    if record.expires_on and record.imposed_on and record.expires_on <= record.imposed_on:
        errors["expires_on"] = [_("Срок действия должен заканчиваться позже даты наложения.")]
    for field in ("committed_on", "discovered_on", "imposed_on"):
        _not_in_future(errors, field, getattr(record, field), today)
    if record.employee_id and record.imposed_on and record.imposed_on < record.employee.hired_on:
        errors["imposed_on"] = [_("Дата приказа раньше поступления сотрудника на службу.")]
    _raise(errors)


def _default_expiry(record: DisciplinaryRecord) -> None:
    """No expiry given: the default term from the order date (a dismissal has none)."""
    if (
        record.sanction_id
        and record.imposed_on
        and record.imposed_on <= timezone.localdate()  # a future order date is refused below (and may not add up)
        and record.expires_on is None
        and not record.sanction.is_dismissal
    ):
        record.expires_on = discipline_default_expires_on(record.imposed_on)


def _dismiss_if_needed(record: DisciplinaryRecord) -> None:
    if record.sanction.is_dismissal and record.employee.status != EmployeeStatus.DISMISSED:
        employee = Employee.objects.select_for_update().get(pk=record.employee_id)
        employee.status = EmployeeStatus.DISMISSED
        employee.dismissed_on = record.imposed_on
        _bump(employee)


def _discipline_event(record: DisciplinaryRecord, *, user: access.Principal, source: str, to: str, reason: str) -> None:
    DisciplinaryRecordEvent.objects.create(
        record=record, from_status=source, to_status=to, reason=reason, **_actor(user)
    )


@transaction.atomic
def discipline_create(
    *, user: access.Principal, values: Mapping[str, Any], follow_up_of_check_id: int | None = None
) -> DisciplinaryRecord:
    """Record a sanction imposed by order. With ``follow_up_of_check_id`` it is the follow-up of a failed check."""
    _require_write_area(user, Area.STAFF)
    record = DisciplinaryRecord(**values)
    if record.employee_id:
        _require_change(user, record)
    _default_expiry(record)
    _validate_discipline(record)
    record.full_clean()
    record.status_changed_on = record.imposed_on
    record.save()
    _discipline_event(record, user=user, source="", to=record.status, reason=record.order_number)
    _dismiss_if_needed(record)
    if follow_up_of_check_id is not None:
        check_link_follow_up(user=user, check_id=follow_up_of_check_id, record_id=record.pk)
    return record


# What a correction may change; the status moves through discipline_transition, with a reason.
_DISCIPLINE_EDITABLE = frozenset(
    {
        "offence",
        "committed_on",
        "discovered_on",
        "corruption_related",
        "sanction",
        "negative_grounds",
        "order_number",
        "imposed_on",
        "expires_on",
    }
)


@transaction.atomic
def discipline_update(
    *, user: access.Principal, record_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> DisciplinaryRecord:
    """Correct what was entered (not the status: that moves through :func:`discipline_transition`)."""
    record = DisciplinaryRecord.objects.select_for_update().get(pk=record_id)
    _require_change(user, record)
    check_version(record, expected_version)
    if "employee" in values and values["employee"].pk != record.employee_id:
        raise ValidationError({"employee": [_("Взыскание нельзя перенести на другого сотрудника.")]})
    fixed = set(values) - _DISCIPLINE_EDITABLE - {"employee"}
    if fixed:
        raise ValidationError({name: [_("Это поле здесь не изменяется.")] for name in sorted(fixed)})
    _apply(record, values)
    _default_expiry(record)  # a cleared expiry, or a dismissal corrected to a lesser sanction, must still expire
    _validate_discipline(record)
    record.full_clean()
    _bump(record)
    _dismiss_if_needed(record)
    return record


@transaction.atomic
def discipline_transition(
    *,
    user: access.Principal,
    record_id: int,
    to: str,
    reason: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> DisciplinaryRecord:
    """Lift, appeal, uphold (back to active) or overturn a sanction, always with a reason."""
    record = DisciplinaryRecord.objects.select_for_update().get(pk=record_id)
    _require_change(user, record)
    check_version(record, expected_version)
    if to not in DISCIPLINE_MANUAL_TARGETS:
        raise ValidationError({"to": [_("Этот статус устанавливается только автоматически.")]})
    DISCIPLINE_MACHINE.check(record.status, to)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Укажите основание.")]})
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _not_in_future(errors, "on", on, timezone.localdate())
    if on < record.imposed_on:
        errors.setdefault("on", []).append(_("Дата не может быть раньше наложения взыскания."))
    _raise(errors)
    source = record.status
    record.status, record.status_reason, record.status_changed_on = to, reason, on
    _bump(record)
    _discipline_event(record, user=user, source=source, to=to, reason=reason)
    if to == DisciplineStatus.OVERTURNED and record.sanction.is_dismissal:
        _reinstate(record)
    return record


def _reinstate(record: DisciplinaryRecord) -> None:
    """An overturned dismissal puts the employee back in service (unless another dismissal stands)."""
    employee = Employee.objects.select_for_update().get(pk=record.employee_id)
    other_dismissal = (
        DisciplinaryRecord.objects.filter(employee=employee, sanction__is_dismissal=True)
        .exclude(pk=record.pk)
        .exclude(status=DisciplineStatus.OVERTURNED)
        .exists()
    )
    if (
        employee.status == EmployeeStatus.DISMISSED
        and employee.dismissed_on == record.imposed_on
        and not other_dismissal
    ):
        employee.status, employee.dismissed_on = EmployeeStatus.ACTIVE, None
        _bump(employee)


@transaction.atomic
def discipline_expire_due(*, today: dt.date | None = None) -> int:
    """Mark active sanctions whose term has run out as expired; idempotent (the daily task calls it).

    Set-based: one UPDATE … RETURNING and one bulk insert of events, however many sanctions expire.
    """
    today = today or timezone.localdate()
    due = DisciplinaryRecord.objects.select_for_update(skip_locked=True).filter(
        status=DisciplineStatus.ACTIVE, expires_on__lte=today
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    DisciplinaryRecord.objects.filter(pk__in=ids).update(
        status=DisciplineStatus.EXPIRED, status_changed_on=F("expires_on"), version=F("version") + 1
    )
    reason = _("Срок действия взыскания истёк.")
    DisciplinaryRecordEvent.objects.bulk_create(
        DisciplinaryRecordEvent(
            record_id=pk, from_status=DisciplineStatus.ACTIVE, to_status=DisciplineStatus.EXPIRED, reason=reason
        )
        for pk in ids
    )
    return len(ids)


# --- convictions ------------------------------------------------------------------------------------------------------


@transaction.atomic
def conviction_create(*, user: access.Principal, values: Mapping[str, Any]) -> Conviction:
    _require_write_area(user, Area.STAFF)
    conviction = Conviction(**values)
    errors: dict[str, list[str]] = {}
    _not_in_future(errors, "verdict_on", conviction.verdict_on, timezone.localdate())
    _raise(errors)
    conviction.full_clean()
    _require_change(user, conviction)
    conviction.save()
    return conviction


# --- integrity checks -------------------------------------------------------------------------------------------------


def _check_event(check: IntegrityCheck, *, user: access.Principal, source: str, to: str, reason: str = "") -> None:
    IntegrityCheckEvent.objects.create(
        integrity_check=check, from_status=source, to_status=to, reason=reason, **_actor(user)
    )


def _validate_check(check: IntegrityCheck) -> None:
    errors: dict[str, list[str]] = {}
    if check.trigger == CheckTrigger.TARGETED and not (check.grounds or "").strip():
        errors["grounds"] = [_("Для целевой проверки укажите основания.")]
    if check.planned_from and check.planned_to and check.planned_to < check.planned_from:
        errors["planned_to"] = [_("Окончание периода проведения не может быть раньше его начала.")]
    elif (
        check.planned_from and check.planned_to and (check.planned_to - check.planned_from).days > MAX_CHECK_WINDOW_DAYS
    ):
        errors["planned_to"] = [
            _("Период проведения не может превышать %(days)s дней.") % {"days": MAX_CHECK_WINDOW_DAYS}
        ]
    if check.employee_id and check.employee.status != EmployeeStatus.ACTIVE and check._state.adding:
        errors["employee"] = [_("Проверка назначается только действующему сотруднику.")]
    if check.employee_id and check.tester_id and check.employee.user_id == check.tester_id:
        errors["tester"] = [_("Сотрудник не может проверять сам себя.")]
    elif check.tester_id and not access.has_role(check.tester, Role.INTERNAL_SECURITY):
        errors["tester"] = [_("Проверку проводит сотрудник службы собственной безопасности.")]
    _raise(errors)


def _locked_check(user: access.Principal, check_id: int, expected_version: int | None = None) -> IntegrityCheck:
    """The check, locked for the change; one that is about the user does not exist for them. A step taken on an
    older version of the check than the one now is refused with what changed meanwhile."""
    check = IntegrityCheck.objects.select_for_update().select_related("employee").get(pk=check_id)
    if not access.can_view(user, check):
        raise IntegrityCheck.DoesNotExist
    _require_change(user, check)
    check_version(check, expected_version)
    return check


def _move(check: IntegrityCheck, *, user: access.Principal, to: str, reason: str = "") -> IntegrityCheck:
    source = check.status
    CHECK_MACHINE.check(source, to)
    check.status = to
    check.full_clean()
    _bump(check)
    _check_event(check, user=user, source=source, to=to, reason=reason)
    return check


@transaction.atomic
def check_create(*, user: access.Principal, values: Mapping[str, Any]) -> IntegrityCheck:
    """A draft check. The tester is the officer who will conduct it (by default, whoever plans it)."""
    _require_write_area(user, Area.INTEGRITY_CHECKS)
    values = dict(values)
    if values.get("tester") is None:
        if isinstance(user, ApiPrincipal):
            raise ValidationError({"tester": [_("Укажите проверяющего.")]})
        values["tester"] = user
    check = IntegrityCheck(status=CheckStatus.DRAFT, **values)
    _validate_check(check)
    check.full_clean()
    _require_change(user, check)  # also refuses a check about the user themselves
    check.save()
    _check_event(check, user=user, source="", to=CheckStatus.DRAFT)
    return check


_DRAFT_FIELDS = frozenset(
    {
        "trigger",
        "grounds",
        "scenario",
        "tester",
        "planned_from",
        "planned_to",
        "safeguard_realistic",
        "safeguard_no_excess_inducement",
        "safeguard_no_provocation",
    }
)


@transaction.atomic
def check_update(
    *, user: access.Principal, check_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> IntegrityCheck:
    """Edit the plan of a draft (its scenario, window and safeguards checklist); an approved plan is frozen."""
    check = _locked_check(user, check_id, expected_version)
    if check.status != CheckStatus.DRAFT:
        raise ValidationError(_("Изменять план можно только у проекта проверки; утверждённый план неизменен."))
    unknown = set(values) - _DRAFT_FIELDS
    if unknown:
        raise ValidationError({name: [_("Это поле здесь не изменяется.")] for name in sorted(unknown)})
    _apply(check, values)
    _validate_check(check)
    check.full_clean()
    _bump(check)
    return check


@transaction.atomic
def check_approve(
    *, user: access.Principal, check_id: int, on: dt.date | None = None, expected_version: int | None = None
) -> IntegrityCheck:
    """Approval by a named officer who is neither the tester nor from the tested employee's department,
    and only once the safeguards checklist is confirmed."""
    check = _locked_check(user, check_id, expected_version)
    if isinstance(user, ApiPrincipal) or not access.has_capability(user, Capability.APPROVE_INTEGRITY_CHECKS):
        raise AccessDenied(_("Утверждать проверки может только уполномоченный сотрудник собственной безопасности."))
    approver = cast("User", user)  # the capability is held by people only (roles), never by an anonymous visitor
    errors: dict[str, list[str]] = {}
    if check.status == CheckStatus.DRAFT:
        if approver.pk == check.tester_id:
            errors.setdefault("approver", []).append(_("Проверяющий не может утвердить свою проверку."))
        if approver.department_id is None or approver.department_id == check.employee.department_id:
            errors.setdefault("approver", []).append(
                _("Утверждающий не может быть из департамента проверяемого сотрудника.")
            )
        if not check.safeguards_confirmed:
            errors.setdefault("safeguards", []).append(
                _(
                    "Перед утверждением подтвердите все гарантии: реалистичность, отсутствие чрезмерного склонения "
                    "и провокации."
                )
            )
        on = on or timezone.localdate()
        _not_in_future(errors, "on", on, timezone.localdate())
        if on > check.planned_to:
            errors.setdefault("on", []).append(_("Период проведения уже прошёл: измените план."))
    _raise(errors)
    check.approver, check.approved_on = approver, on
    return _move(check, user=user, to=CheckStatus.APPROVED)


@transaction.atomic
def check_conduct(
    *, user: access.Principal, check_id: int, conducted_on: dt.date, notes: str, expected_version: int | None = None
) -> IntegrityCheck:
    """Record that the check took place: only once approved, within the approved window."""
    check = _locked_check(user, check_id, expected_version)
    if check.status != CheckStatus.APPROVED:
        raise ValidationError({"to": [_("Проверку можно провести только после утверждения.")]})
    if conducted_on is None:
        raise ValidationError({"conducted_on": [_("Укажите дату проведения.")]})
    errors: dict[str, list[str]] = {}
    _not_in_future(errors, "conducted_on", conducted_on, timezone.localdate())
    if not check.planned_from <= conducted_on <= check.planned_to:
        errors.setdefault("conducted_on", []).append(_("Дата проведения вне утверждённого периода."))
    if check.approved_on and conducted_on < check.approved_on:
        errors.setdefault("conducted_on", []).append(_("Проверка не может быть проведена до её утверждения."))
    if not (notes or "").strip():
        errors["notes"] = [_("Опишите ход проведения.")]
    _raise(errors)
    check.conducted_on, check.conduct_notes = conducted_on, notes.strip()
    return _move(check, user=user, to=CheckStatus.CONDUCTED)


@transaction.atomic
def check_review(
    *,
    user: access.Principal,
    check_id: int,
    outcome: str,
    summary: str,
    reviewed_on: dt.date | None = None,
    expected_version: int | None = None,
) -> IntegrityCheck:
    """The outcome, recorded only after the check was conducted."""
    check = _locked_check(user, check_id, expected_version)
    if check.status != CheckStatus.CONDUCTED:
        raise ValidationError({"outcome": [_("Результат фиксируется только после проведения проверки.")]})
    errors: dict[str, list[str]] = {}
    if outcome not in CheckOutcome.values:
        errors["outcome"] = [_("Выберите результат проверки.")]
    if not (summary or "").strip():
        errors["summary"] = [_("Изложите заключение.")]
    reviewed_on = reviewed_on or timezone.localdate()
    _not_in_future(errors, "reviewed_on", reviewed_on, timezone.localdate())
    if reviewed_on < cast(dt.date, check.conducted_on):  # a conducted check has its date
        errors.setdefault("reviewed_on", []).append(_("Рассмотрение не может предшествовать проведению."))
    _raise(errors)
    check.outcome, check.outcome_summary, check.reviewed_on = outcome, summary.strip(), reviewed_on
    return _move(check, user=user, to=CheckStatus.REVIEWED, reason=str(CheckOutcome(outcome).label))


@transaction.atomic
def check_link_follow_up(
    *, user: access.Principal, check_id: int, record_id: int, expected_version: int | None = None
) -> IntegrityCheck:
    """Link the disciplinary record that followed a failed check (same employee, imposed after the check)."""
    check = _locked_check(user, check_id, expected_version)
    record = DisciplinaryRecord.objects.select_for_update().get(pk=record_id)
    _require_change(user, record)
    errors: dict[str, list[str]] = {}
    if check.outcome != CheckOutcome.FAILED:
        errors["follow_up_record"] = [_("Взыскание связывается только с непройденной проверкой.")]
    elif record.employee_id != check.employee_id:
        errors["follow_up_record"] = [_("Взыскание наложено на другого сотрудника.")]
    elif check.conducted_on and record.discovered_on < check.conducted_on:
        errors["follow_up_record"] = [_("Проступок обнаружен до проведения проверки: это не её последствие.")]
    elif check.follow_up_record_id not in (None, record.pk):
        errors["follow_up_record"] = [_("С проверкой уже связано другое взыскание.")]
    elif IntegrityCheck.objects.filter(follow_up_record=record).exclude(pk=check.pk).exists():
        errors["follow_up_record"] = [_("Это взыскание уже связано с другой проверкой.")]
    _raise(errors)
    check.follow_up_record = record
    check.full_clean()
    _bump(check)
    return check


@transaction.atomic
def check_inform(
    *, user: access.Principal, check_id: int, informed_on: dt.date, expected_version: int | None = None
) -> IntegrityCheck:
    """The date the employee was informed of the check and its outcome."""
    check = _locked_check(user, check_id, expected_version)
    if informed_on is None:
        raise ValidationError({"informed_on": [_("Укажите дату ознакомления.")]})
    errors: dict[str, list[str]] = {}
    if check.status != CheckStatus.REVIEWED:
        errors["informed_on"] = [_("Сотрудника знакомят после рассмотрения результата.")]
    elif informed_on < cast(dt.date, check.reviewed_on):  # a reviewed check has its date
        errors["informed_on"] = [_("Дата ознакомления раньше рассмотрения результата.")]
    _not_in_future(errors, "informed_on", informed_on, timezone.localdate())
    _raise(errors)
    check.employee_informed_on = informed_on
    check.full_clean()
    _bump(check)
    return check


@transaction.atomic
def check_close(
    *, user: access.Principal, check_id: int, on: dt.date | None = None, expected_version: int | None = None
) -> IntegrityCheck:
    """Close a reviewed check: the employee was informed, and a failed one has its follow-up sanction."""
    check = _locked_check(user, check_id, expected_version)
    errors: dict[str, list[str]] = {}
    on = on or timezone.localdate()
    if check.status == CheckStatus.REVIEWED:
        if check.employee_informed_on is None:
            errors["informed_on"] = [_("Перед закрытием укажите дату ознакомления сотрудника.")]
        if check.outcome == CheckOutcome.FAILED and check.follow_up_record_id is None:
            errors["follow_up_record"] = [_("Непройденная проверка закрывается только с последовавшим взысканием.")]
        _not_in_future(errors, "on", on, timezone.localdate())
        if check.employee_informed_on and on < check.employee_informed_on:
            errors.setdefault("on", []).append(_("Проверку нельзя закрыть раньше ознакомления сотрудника."))
    _raise(errors)
    check.closed_on = on
    return _move(check, user=user, to=CheckStatus.CLOSED)


@transaction.atomic
def check_cancel(
    *, user: access.Principal, check_id: int, reason: str, expected_version: int | None = None
) -> IntegrityCheck:
    check = _locked_check(user, check_id, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Укажите причину отмены.")]})
    check.cancel_reason = reason
    return _move(check, user=user, to=CheckStatus.CANCELLED, reason=reason)


def check_next_step(check: IntegrityCheck) -> str:
    """What has to happen next, in words for the check page."""
    if check.status == CheckStatus.DRAFT:
        if not check.safeguards_confirmed:
            return _("Подтвердите гарантии в плане проверки, затем передайте её на утверждение.")
        return _(
            "Ожидает утверждения сотрудником, который не является проверяющим и не работает в департаменте "
            "проверяемого."
        )
    if check.status == CheckStatus.APPROVED:
        return _("Проведите проверку в утверждённый период и зафиксируйте её ход.")
    if check.status == CheckStatus.CONDUCTED:
        return _("Рассмотрите материалы и зафиксируйте результат.")
    if check.status == CheckStatus.REVIEWED:
        steps = []
        if check.outcome == CheckOutcome.FAILED and check.follow_up_record_id is None:
            steps.append(_("наложите взыскание по результатам проверки"))
        if check.employee_informed_on is None:
            steps.append(_("ознакомьте сотрудника"))
        if steps:
            return _("Перед закрытием: %(steps)s.") % {"steps": "; ".join(str(step) for step in steps)}
        return _("Всё готово: проверку можно закрыть.")
    return ""
