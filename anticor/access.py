"""The single permission point: who may see or change what.

Every view, viewset, service and selector asks here; templates only hide what these functions already refuse.

A user holds one or more roles (DESIGN.md §2), stored as Django groups named by the role code and changed only by
:mod:`anticor.roles.services`, each change on the append-only role-change record. Each role grants,
per *area* of the system, a read scope and a write scope: nothing, the user's own department, or the whole
agency. A model joins an area by declaring ``access_area`` and, if its rows belong to a department,
``department_lookup`` (the ORM path to the department). Django model permissions for the admin site are derived
from the same table by :func:`sync_roles`, so there is one source of truth.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from anticor.models import ApiClient, User
    from anticor.roles.models import RoleChange

# Whoever acts or asks: a signed-in user, the API client of another agency, or nobody yet. A string alias, so that
# importing it costs nothing at run time (every annotation is postponed) and pulls no model into this module.
Principal: TypeAlias = "User | ApiPrincipal | AnonymousUser"


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", _("Следователь")
    DEPARTMENT_HEAD = "department_head", _("Руководитель департамента")
    ANALYST = "analyst", _("Аналитик")
    PROJECT_LEAD = "project_lead", _("Руководитель проекта")
    INTERNAL_SECURITY = "internal_security", _("Служба собственной безопасности")
    AUDITOR = "auditor", _("Аудитор")
    ADMINISTRATOR = "administrator", _("Администратор")


class Area(models.TextChoices):
    REFERENCE = "reference", _("Справочники")
    USERS = "users", _("Пользователи и роли")
    AUDIT = "audit", _("Аудит и журнал доступа")
    CASES = "cases", _("Уголовные дела")
    PROJECTS = "projects", _("Проекты")
    STAFF = "staff", _("Личный состав и дисциплина")
    INTEGRITY_CHECKS = "integrity_checks", _("Проверки на добропорядочность")
    INDICATORS = "indicators", _("Показатели")


class Scope(enum.IntEnum):
    NONE = 0
    DEPARTMENT = 1
    ALL = 2


class Capability(models.TextChoices):
    """Actions beyond plain read/write that only some roles may take."""

    CLOSE_CASES = "close_cases", _("Завершать уголовные дела (финальные статусы)")
    APPROVE_INTEGRITY_CHECKS = "approve_integrity_checks", _("Утверждать проверки на добропорядочность")
    APPROVE_COLLEGIUM_REPORTS = "approve_collegium_reports", _("Утверждать отчёты коллегии")
    MANAGE_API_CLIENTS = "manage_api_clients", _("Управлять API-клиентами")
    MANAGE_ROLES = "manage_roles", _("Назначать и снимать роли пользователей")
    CONFIRM_ROLE_GRANTS = "confirm_role_grants", _("Подтверждать назначение ролей, требующих двух лиц")
    VERIFY_CAUSES = "verify_causes", _("Подтверждать устранение и отклонять причины и условия")
    ASSIGN_CASES = "assign_cases", _("Назначать следователей по уголовным делам")


@dataclass(frozen=True)
class Grant:
    read: Scope = Scope.NONE
    write: Scope = Scope.NONE
    # Writes only to rows the user owns: the model's ``owner_fields`` (e.g. a project's lead or curator) name them.
    write_own_only: bool = False


_ALL_READ = Grant(read=Scope.ALL)
_DEPT_RW = Grant(read=Scope.DEPARTMENT, write=Scope.DEPARTMENT)
_DEPT_READ = Grant(read=Scope.DEPARTMENT)
_ALL_RW = Grant(read=Scope.ALL, write=Scope.ALL)

# The role table (DESIGN.md §2). Need-to-know (issue 6): integrity checks are visible to internal security only;
# staff and discipline records to internal security and, for their own department, department heads. Auditors
# review who read those records (the access log), not the records themselves.
ROLE_GRANTS: dict[str, dict[str, Grant]] = {
    Role.INVESTIGATOR: {Area.REFERENCE: _ALL_READ, Area.CASES: _DEPT_RW, Area.PROJECTS: _DEPT_READ},
    Role.DEPARTMENT_HEAD: {
        Area.REFERENCE: _ALL_READ,
        Area.CASES: _DEPT_RW,
        Area.PROJECTS: _DEPT_READ,
        Area.INDICATORS: Grant(read=Scope.DEPARTMENT),
        Area.STAFF: _DEPT_READ,  # the discipline of their own department's staff
    },
    Role.ANALYST: {
        Area.REFERENCE: _ALL_RW,
        Area.CASES: _ALL_READ,
        Area.PROJECTS: _ALL_READ,
        Area.INDICATORS: _ALL_RW,
    },
    Role.PROJECT_LEAD: {
        Area.REFERENCE: _ALL_READ,
        Area.PROJECTS: Grant(read=Scope.ALL, write=Scope.ALL, write_own_only=True),
        Area.INDICATORS: _ALL_READ,
    },
    Role.INTERNAL_SECURITY: {
        Area.REFERENCE: _ALL_READ,
        Area.STAFF: _ALL_RW,
        Area.INTEGRITY_CHECKS: _ALL_RW,
    },
    Role.AUDITOR: {
        Area.REFERENCE: _ALL_READ,
        Area.CASES: _ALL_READ,
        Area.PROJECTS: _ALL_READ,
        Area.INDICATORS: _ALL_READ,
        Area.AUDIT: _ALL_READ,
    },
    Role.ADMINISTRATOR: {
        Area.REFERENCE: _ALL_RW,
        Area.USERS: _ALL_RW,
        Area.AUDIT: _ALL_READ,
    },
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    # Elimination of a cause is verified by the head, not declared by the one who found it (issue 11). Analysts and
    # auditors read causes agency-wide but change none, and an API client of another agency verifies nothing.
    # The head assigns the department's cases to its investigators (issue 13).
    Role.DEPARTMENT_HEAD: frozenset({Capability.CLOSE_CASES, Capability.VERIFY_CAUSES, Capability.ASSIGN_CASES}),
    Role.ANALYST: frozenset({Capability.APPROVE_COLLEGIUM_REPORTS}),
    Role.INTERNAL_SECURITY: frozenset({Capability.APPROVE_INTEGRITY_CHECKS, Capability.CONFIRM_ROLE_GRANTS}),
    Role.ADMINISTRATOR: frozenset({Capability.MANAGE_API_CLIENTS, Capability.MANAGE_ROLES}),
}

# Granting these takes two people (issue 11): proposed by an administrator, confirmed by another holder of
# internal security. Other roles are applied at once by an administrator; every change is recorded either way.
TWO_PERSON_ROLES: frozenset[str] = frozenset({Role.INTERNAL_SECURITY, Role.ADMINISTRATOR})


class ApiScope(models.TextChoices):
    """What an API client of another agency may do (DESIGN.md §5.2)."""

    REFERENCE_READ = "reference:read", _("Чтение справочников")
    CASES_READ = "cases:read", _("Чтение дел")
    CASES_WRITE = "cases:write", _("Запись дел")
    PROJECTS_READ = "projects:read", _("Чтение проектов")
    PROJECTS_WRITE = "projects:write", _("Запись проектов")
    INDICATORS_READ = "indicators:read", _("Чтение показателей")
    INTEGRITY_READ = "integrity:read", _("Чтение сведений о личном составе")
    INTEGRITY_WRITE = "integrity:write", _("Запись сведений о личном составе")


# scope → (areas, write). A write scope lets the client read what it writes.
SCOPE_AREAS: dict[str, tuple[tuple[str, ...], bool]] = {
    ApiScope.REFERENCE_READ: ((Area.REFERENCE,), False),
    ApiScope.CASES_READ: ((Area.CASES,), False),
    ApiScope.CASES_WRITE: ((Area.CASES,), True),
    ApiScope.PROJECTS_READ: ((Area.PROJECTS,), False),
    ApiScope.PROJECTS_WRITE: ((Area.PROJECTS,), True),
    ApiScope.INDICATORS_READ: ((Area.INDICATORS,), False),
    ApiScope.INTEGRITY_READ: ((Area.STAFF, Area.INTEGRITY_CHECKS), False),
    ApiScope.INTEGRITY_WRITE: ((Area.STAFF, Area.INTEGRITY_CHECKS), True),
}
# Court outcomes arrive from other agencies' systems: a client that writes cases may record final decisions.
SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {ApiScope.CASES_WRITE: frozenset({Capability.CLOSE_CASES})}


class ApiPrincipal:
    """The acting party of a request made with an API client's token; answers the same questions as a user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    department_id = None

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.scopes = frozenset(client.scopes)
        self.department_ids = frozenset(client.departments.values_list("pk", flat=True))

    def __str__(self) -> str:
        return f"API: {self.client.name}"

    @property
    def display_name(self) -> str:
        return str(self)


class AccessDenied(Exception):
    """Raised by services when the acting user may not do what was asked."""

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _("Недостаточно прав для этого действия."))


# --- questions about the user ---------------------------------------------------------------------------------------


def user_roles(user: Principal | None) -> frozenset[str]:
    """Role codes of an active, authenticated user (cached on the user object for the request)."""
    if isinstance(user, ApiPrincipal):
        return frozenset()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_anticor_roles", None)
    if cached is None:
        valid = set(Role.values)
        cached = frozenset(name for name in user.groups.values_list("name", flat=True) if name in valid)
        setattr(user, "_anticor_roles", cached)  # noqa: B010 - a per-request cache, not a field of the model
    return cached


def has_role(user: Principal | None, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def has_capability(user: Principal | None, capability: str) -> bool:
    if isinstance(user, ApiPrincipal):
        return any(capability in SCOPE_CAPABILITIES.get(scope, ()) for scope in user.scopes)
    return any(capability in ROLE_CAPABILITIES.get(role, ()) for role in user_roles(user))


def scope_for(user: Principal | None, area: str, *, write: bool = False) -> Scope:
    if isinstance(user, ApiPrincipal):
        granted = any(
            area in areas and (is_write or not write)
            for scope in user.scopes
            for areas, is_write in [SCOPE_AREAS[scope]]
        )
        if not granted:
            return Scope.NONE
        return Scope.DEPARTMENT if user.department_ids else Scope.ALL
    best = Scope.NONE
    for role in user_roles(user):
        grant = ROLE_GRANTS.get(role, {}).get(area)
        if grant is not None:
            best = max(best, grant.write if write else grant.read)
    return best


def can_read_area(user: Principal | None, area: str) -> bool:
    return scope_for(user, area) > Scope.NONE


def can_write_area(user: Principal | None, area: str) -> bool:
    return scope_for(user, area, write=True) > Scope.NONE


def can_change_roles_of(user: Principal, subject: User) -> bool:
    """Whether ``user`` may grant or revoke roles of ``subject``: an administrator, never for themselves."""
    return (
        has_capability(user, Capability.MANAGE_ROLES)
        and getattr(subject, "pk", None) is not None
        and subject.pk != getattr(user, "pk", None)
    )


def can_decide_role_change(user: Principal, change: RoleChange) -> bool:
    """Whether ``user`` may confirm or refuse a pending two-person role grant: another internal-security holder,
    neither its proposer nor the person it is about."""
    return has_capability(user, Capability.CONFIRM_ROLE_GRANTS) and getattr(user, "pk", None) not in {
        None,
        change.proposed_by_id,
        change.user_id,
    }


def can_decide_root_cause(user: Principal, cause: Any) -> bool:
    """Whether ``user`` may verify a root cause eliminated or reject it: a holder of ``verify_causes`` who may
    change the cause. Who verifies must also be another person than who identified the cause or proposed it needs
    no recommendation (:func:`is_second_person`)."""
    return has_capability(user, Capability.VERIFY_CAUSES) and can_change(user, cause)


def is_second_person(user: Principal, *others_ids: int | None) -> bool:
    """Whether ``user`` is a person (not an API client) other than each of the given users."""
    return getattr(user, "pk", None) is not None and user.pk not in set(others_ids)


def can_open_role_requests(user: Principal) -> bool:
    """The page of pending role grants: for those who propose them and those who confirm them."""
    return has_capability(user, Capability.MANAGE_ROLES) or has_capability(user, Capability.CONFIRM_ROLE_GRANTS)


def signed_in_user(user: Principal | None) -> User | None:
    """The person behind a principal, to name as the author of a row; None for an API client or nobody.

    Only a saved user has a primary key: an API client and an anonymous visitor have none.
    """
    return cast("User", user) if getattr(user, "pk", None) else None


# --- questions about objects ----------------------------------------------------------------------------------------


def _area_of(model: type[models.Model]) -> str | None:
    return getattr(model, "access_area", None)


def department_ids(user: Principal) -> frozenset[int]:
    """The departments whose rows a department-scoped user (or API client) works with."""
    if isinstance(user, ApiPrincipal):
        return user.department_ids
    department_id = getattr(user, "department_id", None)
    return frozenset({department_id}) if department_id else frozenset()


def _department_filter(model: type[models.Model], user: Principal) -> Q:
    lookup = getattr(model, "department_lookup", None)
    if lookup is None:
        # Agency-wide rows (reference data, projects...) are not split by department.
        return Q()
    return Q(**{f"{lookup}__in": department_ids(user)})


def _object_department_id(obj: models.Model) -> int | None:
    lookup = cast(str, getattr(type(obj), "department_lookup", None))  # callers ask only models that declare it
    target: Any = obj
    for part in lookup.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.pk


def _about_self(model: type[models.Model], user: Principal) -> Q | None:
    """Rows about the user themselves, for models that declare ``self_lookup`` (integrity checks)."""
    lookup = getattr(model, "self_lookup", None)
    if lookup is None or not getattr(user, "pk", None) or isinstance(user, ApiPrincipal):
        return None
    return Q(**{lookup: user.pk})


def visible(user: Principal, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user may read. Every list and lookup goes through here."""
    area = _area_of(queryset.model)
    scope = scope_for(user, area) if area else Scope.NONE
    if scope == Scope.NONE:
        return queryset.none()
    if scope == Scope.DEPARTMENT:
        queryset = queryset.filter(_department_filter(queryset.model, user))
    about_self = _about_self(queryset.model, user)
    return queryset.exclude(about_self) if about_self is not None else queryset


def _owned_by(user: Principal, obj: models.Model) -> bool:
    """Whether the user is one of the object's owners (``owner_fields``, followed along ``owner_path``)."""
    target: Any = obj
    for part in filter(None, getattr(type(obj), "owner_path", "").split("__")):
        target = getattr(target, part, None)
        if target is None:
            return False
    fields = getattr(type(target), "owner_fields", ())
    return bool(user.pk) and any(getattr(target, f"{name}_id", None) == user.pk for name in fields)


def _scope_allows(user: Principal, obj: models.Model, scope: Scope) -> bool:
    if scope == Scope.ALL:
        return True
    if scope == Scope.DEPARTMENT:
        if getattr(type(obj), "department_lookup", None) is None:
            return True
        return _object_department_id(obj) in department_ids(user)
    return False


def _is_about(user: Principal, obj: models.Model, attribute: str = "self_lookup") -> bool:
    """Whether the record is about the user themselves, along the model's ``self_lookup`` (hidden from them) or
    ``self_write_lookup`` (readable, but nobody changes records about themselves)."""
    lookup = getattr(type(obj), attribute, None)
    if lookup is None or not getattr(user, "pk", None) or isinstance(user, ApiPrincipal):
        return False
    target: Any = obj
    for part in lookup.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return False
    return target.pk == user.pk


def _allowed(user: Principal, obj: models.Model, *, write: bool) -> bool:
    area = _area_of(type(obj))
    if area is None or _is_about(user, obj) or (write and _is_about(user, obj, "self_write_lookup")):
        return False
    if isinstance(user, ApiPrincipal):
        return _scope_allows(user, obj, scope_for(user, area, write=write))
    for role in user_roles(user):
        grant = ROLE_GRANTS.get(role, {}).get(area)
        if grant is None:
            continue
        if not write:
            if _scope_allows(user, obj, grant.read):
                return True
        elif _scope_allows(user, obj, grant.write) and (not grant.write_own_only or _owned_by(user, obj)):
            return True
    return False


def can_see_personal_fields(user: Principal | None, model: type[models.Model]) -> bool:
    """Whether the identifiers a model lists in ``personal_fields`` (an employee's IIN) are shown in full: to those who
    keep the records (write the model's area). Every other reader, on every page and in History, sees them masked."""
    area = _area_of(model)
    return area is not None and can_write_area(user, area)


def can_view(user: Principal, obj: models.Model) -> bool:
    return _allowed(user, obj, write=False)


def can_change(user: Principal, obj: models.Model) -> bool:
    return _allowed(user, obj, write=True)


def require_change(user: Principal, obj: models.Model) -> None:
    if not can_change(user, obj):
        raise AccessDenied()


# --- Django permissions (admin site) derived from the table ---------------------------------------------------------


def area_models() -> dict[str, list[type[models.Model]]]:
    from django.apps import apps

    result: dict[str, list[type[models.Model]]] = {}
    for model in apps.get_models():
        area = _area_of(model)
        if area:
            result.setdefault(area, []).append(model)
    return result


def _extra_models(area: str) -> Iterable[tuple[str, str]]:
    """Models outside our apps that still belong to an area: (app_label, model_name)."""
    if area == Area.USERS:
        yield ("auth", "group")
    if area == Area.AUDIT:
        yield ("pghistory", "context")
        yield ("pghistory", "events")


def sync_roles() -> None:
    """Create one group per role with the Django permissions its grants imply. Safe to re-run.

    Delete permissions are never granted: records are archived, not deleted.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    by_area = area_models()
    for role in Role:
        codenames: set[tuple[str, str]] = set()
        for area, grant in ROLE_GRANTS.get(role, {}).items():
            targets = [(m._meta.app_label, m._meta.model_name) for m in by_area.get(area, [])]
            targets += list(_extra_models(area))
            for app_label, model_name in targets:
                if grant.read > Scope.NONE:
                    codenames.add((app_label, f"view_{model_name}"))
                if grant.write > Scope.NONE:
                    codenames.add((app_label, f"add_{model_name}"))
                    codenames.add((app_label, f"change_{model_name}"))
        q = Q(pk__in=[])
        for app_label, codename in codenames:
            q |= Q(content_type__app_label=app_label, codename=codename)
        ContentType.objects.clear_cache()
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(Permission.objects.filter(q))
