"""Writes of role membership: the only code that adds users to role groups or removes them (issue 11).

Every change of membership is a :class:`RoleChange` row written in the same transaction. Nobody changes their own
roles. A grant of a two-person role (``access.TWO_PERSON_ROLES``) is only proposed by an administrator and takes
effect when another holder of internal security confirms it; other changes are applied at once. The first holders
of the two-person roles come from ``manage.py bootstrap_role`` (:func:`role_bootstrap`), and demo data and test
fixtures use :func:`roles_seed`; both record rows in ``bootstrap`` mode.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import TWO_PERSON_ROLES, AccessDenied, Capability, Role
from anticor.audit import Source
from anticor.models import RoleChange, User
from anticor.roles.models import ROLE_CHANGE_MACHINE, RoleChangeAction, RoleChangeMode, RoleChangeStatus

MIN_REASON_LENGTH = 10


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {field: [_("Укажите основание (не короче %(min)d символов).") % {"min": MIN_REASON_LENGTH}]}
        )
    return reason


def _holds(user: User, role: str) -> bool:
    return user.groups.filter(name=role).exists()


def _apply(change: RoleChange) -> None:
    """Change the membership the row describes (the group is created with its permissions by ``sync_roles``)."""
    group, _created = Group.objects.get_or_create(name=change.role)
    if change.action == RoleChangeAction.GRANT:
        change.user.groups.add(group)
    else:
        change.user.groups.remove(group)
    change.user.__dict__.pop("_anticor_roles", None)


def _locked_user(user_id: int) -> User:
    """The subject, locked: two administrators changing one person's roles at once are serialised."""
    try:
        return User.objects.select_for_update().get(pk=user_id)
    except User.DoesNotExist:
        raise ValidationError({"user": [_("Пользователь не найден.")]}) from None


def _check_change(*, user: User, role: str, action: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [_("Неизвестная роль.")]})
    if action not in RoleChangeAction.values:
        raise ValidationError({"action": [_("Неизвестное действие.")]})
    holds = _holds(user, role)
    if action == RoleChangeAction.GRANT:
        if not user.is_active:
            raise ValidationError({"user": [_("Учётная запись отключена: роль не назначается.")]})
        if holds:
            raise ValidationError({"role": [_("У пользователя уже есть эта роль.")]})
    elif not holds:
        raise ValidationError({"role": [_("У пользователя нет этой роли.")]})
    if RoleChange.objects.filter(user=user, role=role, status=RoleChangeStatus.PROPOSED).exists():
        raise ValidationError({"role": [_("По этой роли пользователя уже есть заявка, ожидающая решения.")]})


def _save(change: RoleChange, *, validate_constraints: bool = True) -> RoleChange:
    change.full_clean(validate_constraints=validate_constraints)
    change.save()
    return change


@transaction.atomic
def role_change_propose(
    *, actor: access.Principal, user_id: int, role: str, action: str, reason: str, ip: str | None = None
) -> RoleChange:
    """An administrator grants or revokes a role of another person.

    A grant of a two-person role stays ``proposed`` (no effect) until confirmed; everything else is applied now.
    """
    if not access.has_capability(actor, Capability.MANAGE_ROLES):
        raise AccessDenied()
    user = _locked_user(user_id)
    if not access.can_change_roles_of(actor, user):
        raise AccessDenied(_("Нельзя изменять собственные роли."))
    reason = _clean_reason(reason)
    _check_change(user=user, role=role, action=action)
    two_person = action == RoleChangeAction.GRANT and role in TWO_PERSON_ROLES
    change = _save(
        RoleChange(
            user=user,
            role=role,
            action=action,
            mode=RoleChangeMode.TWO_PERSON if two_person else RoleChangeMode.IMMEDIATE,
            status=RoleChangeStatus.PROPOSED if two_person else RoleChangeStatus.CONFIRMED,
            reason=reason,
            source=Source.WEB,
            proposed_by=access.signed_in_user(actor),  # the capability was checked: a person
            proposed_ip=ip,
        )
    )
    if not two_person:
        _apply(change)
    return change


def role_grant_propose(
    *, actor: access.Principal, user_id: int, role: str, reason: str, ip: str | None = None
) -> RoleChange:
    return role_change_propose(
        actor=actor, user_id=user_id, role=role, action=RoleChangeAction.GRANT, reason=reason, ip=ip
    )


def role_revoke(*, actor: access.Principal, user_id: int, role: str, reason: str, ip: str | None = None) -> RoleChange:
    return role_change_propose(
        actor=actor, user_id=user_id, role=role, action=RoleChangeAction.REVOKE, reason=reason, ip=ip
    )


def _pending(change_id: int) -> RoleChange:
    try:
        change = RoleChange.objects.select_for_update().select_related("user").get(pk=change_id)
    except RoleChange.DoesNotExist:
        raise ValidationError({"change": [_("Заявка не найдена.")]}) from None
    if not change.is_pending:
        raise ValidationError({"change": [_("По этой заявке решение уже принято.")]})
    return change


def _decide(change: RoleChange, *, to: str, actor: access.Principal, reason: str, ip: str | None) -> RoleChange:
    ROLE_CHANGE_MACHINE.check(change.status, to)
    change.status = to
    change.decided_by = access.signed_in_user(actor)
    change.decided_at = timezone.now()
    change.decided_ip = ip
    change.decision_reason = reason
    return _save(change)


def _require_decider(actor: access.Principal, change: RoleChange) -> None:
    if not access.has_capability(actor, Capability.CONFIRM_ROLE_GRANTS):
        raise AccessDenied()
    if actor.pk == change.user_id:
        raise AccessDenied(_("Нельзя подтверждать изменение собственных ролей."))
    if not access.can_decide_role_change(actor, change):
        raise AccessDenied(_("Заявку подтверждает другой сотрудник, а не тот, кто её подал."))


@transaction.atomic
def role_grant_confirm(
    *, actor: access.Principal, change_id: int, reason: str = "", ip: str | None = None
) -> RoleChange:
    """A second person holding internal security confirms a pending grant; it takes effect now."""
    change = _pending(change_id)
    _require_decider(actor, change)
    user = _locked_user(change.user_id)
    if not user.is_active:
        raise ValidationError({"change": [_("Учётная запись отключена: роль не назначается.")]})
    change.user = user
    _decide(change, to=RoleChangeStatus.CONFIRMED, actor=actor, reason=(reason or "").strip(), ip=ip)
    if not _holds(user, change.role):
        _apply(change)
    return change


@transaction.atomic
def role_grant_refuse(*, actor: access.Principal, change_id: int, reason: str, ip: str | None = None) -> RoleChange:
    """A second person holding internal security refuses a pending grant, with a reason; nothing is applied."""
    change = _pending(change_id)
    _require_decider(actor, change)
    return _decide(
        change,
        to=RoleChangeStatus.REFUSED,
        actor=actor,
        reason=_clean_reason(reason, "decision_reason"),
        ip=ip,
    )


@transaction.atomic
def role_grant_withdraw(
    *, actor: access.Principal, change_id: int, reason: str = "", ip: str | None = None
) -> RoleChange:
    """The proposer takes back a pending grant; nothing is applied."""
    change = _pending(change_id)
    if getattr(actor, "pk", None) != change.proposed_by_id:
        raise AccessDenied(_("Отозвать заявку может только тот, кто её подал."))
    return _decide(change, to=RoleChangeStatus.WITHDRAWN, actor=actor, reason=(reason or "").strip(), ip=ip)


def _bootstrap_row(*, user: User, role: str, action: str, reason: str, fast: bool = False) -> RoleChange:
    # Fixtures create thousands of users: the database checks the constraints either way, once instead of twice.
    change = _save(
        RoleChange(
            user=user,
            role=role,
            action=action,
            mode=RoleChangeMode.BOOTSTRAP,
            status=RoleChangeStatus.CONFIRMED,
            reason=reason,
            source=Source.COMMAND,
        ),
        validate_constraints=not fast,
    )
    _apply(change)
    return change


@transaction.atomic
def role_bootstrap(*, username: str, role: str, reason: str) -> RoleChange:
    """``manage.py bootstrap_role``: the first holder of internal security or administrator, without a second
    person (there is none yet). Refused once an active user holds the role: from then on, two people decide."""
    if role not in TWO_PERSON_ROLES:
        raise ValidationError({"role": [_("Первичная настройка нужна только для ролей, назначаемых двумя лицами.")]})
    try:
        user = User.objects.select_for_update().get(username=username)
    except User.DoesNotExist:
        raise ValidationError({"user": [_("Пользователь «%(name)s» не найден.") % {"name": username}]}) from None
    if User.objects.filter(is_active=True, groups__name=role).exists():
        raise ValidationError(
            {"role": [_("Роль уже назначена действующему пользователю: назначение — только двумя лицами.")]}
        )
    reason = _clean_reason(reason)
    _check_change(user=user, role=role, action=RoleChangeAction.GRANT)
    change = _bootstrap_row(user=user, role=role, action=RoleChangeAction.GRANT, reason=reason)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True  # the administrator works in /admin/
        user.save(update_fields=["is_staff"])
    return change


@transaction.atomic
def roles_seed(*, user: User, roles: Iterable[str], reason: str, exact: bool = True) -> list[RoleChange]:
    """Demo data (``seed_demo``) and test fixtures only: give ``user`` the ``roles`` without a second person.

    Each added (and, with ``exact``, removed) role is recorded as a bootstrap row, so the record matches the
    membership. Not reachable from any page or API.
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    held = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    changes = [
        _bootstrap_row(user=user, role=role, action=RoleChangeAction.GRANT, reason=reason, fast=True)
        for role in sorted(wanted - held)
    ]
    if exact:
        changes += [
            _bootstrap_row(user=user, role=role, action=RoleChangeAction.REVOKE, reason=reason, fast=True)
            for role in sorted(held - wanted)
        ]
        stray = user.groups.exclude(name__in=Role.values)
        if stray.exists():
            user.groups.remove(*stray)
    return changes
