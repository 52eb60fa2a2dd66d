"""Reads of the role-change record, scoped through :mod:`anticor.access`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from anticor import access
from anticor.models import RoleChange, User
from anticor.roles.models import RoleChangeAction, RoleChangeStatus

_RELATED = ("user", "proposed_by", "decided_by")


def role_changes(user: access.Principal) -> QuerySet[RoleChange]:
    """The whole record, for readers of the audit area (auditors, administrators); nothing for others."""
    return access.visible(user, RoleChange.objects.select_related(*_RELATED))


def role_changes_pending(user: access.Principal) -> QuerySet[RoleChange]:
    """Grants waiting for a second person: shown to those who propose them and those who confirm them."""
    if not access.can_open_role_requests(user):
        return RoleChange.objects.none()
    return RoleChange.objects.filter(status=RoleChangeStatus.PROPOSED).select_related(*_RELATED)


def role_change_subjects() -> QuerySet[User]:
    """People whose roles may be changed (the proposal form's choice list)."""
    return User.objects.order_by("username")


def roles_on_record(user_id: int) -> frozenset[str]:
    """The roles the record says a person holds: per role, the last applied grant or revocation.

    Membership is changed only together with its row, so this equals the person's role groups; an auditor (or a
    test) comparing the two finds any change made around the services.
    """
    held: set[str] = set()
    changes = (
        RoleChange.objects.filter(user_id=user_id, status=RoleChangeStatus.CONFIRMED)
        .annotate(effective_at=Coalesce("decided_at", "proposed_at"))
        .order_by("effective_at", "id")
        .values_list("role", "action")
    )
    for role, action in changes:
        (held.add if action == RoleChangeAction.GRANT else held.discard)(role)
    return frozenset(held)
