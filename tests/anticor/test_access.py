"""The role table and the single permission point (anticor.access)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from anticor import access
from anticor.access import Area, Capability, Role, Scope
from anticor.models import Department, Region, User

pytestmark = pytest.mark.django_db

EXPECTED_READ = {
    Role.INVESTIGATOR: {Area.REFERENCE: Scope.ALL, Area.CASES: Scope.DEPARTMENT, Area.PROJECTS: Scope.DEPARTMENT},
    Role.DEPARTMENT_HEAD: {
        Area.REFERENCE: Scope.ALL,
        Area.CASES: Scope.DEPARTMENT,
        Area.PROJECTS: Scope.DEPARTMENT,
        Area.INDICATORS: Scope.DEPARTMENT,
        Area.STAFF: Scope.DEPARTMENT,  # their own department's discipline (issue 6)
    },
    Role.ANALYST: {
        Area.REFERENCE: Scope.ALL,
        Area.CASES: Scope.ALL,
        Area.PROJECTS: Scope.ALL,
        Area.INDICATORS: Scope.ALL,
    },
    Role.PROJECT_LEAD: {Area.REFERENCE: Scope.ALL, Area.PROJECTS: Scope.ALL, Area.INDICATORS: Scope.ALL},
    Role.INTERNAL_SECURITY: {Area.REFERENCE: Scope.ALL, Area.STAFF: Scope.ALL, Area.INTEGRITY_CHECKS: Scope.ALL},
    Role.AUDITOR: {
        Area.REFERENCE: Scope.ALL,
        Area.CASES: Scope.ALL,
        Area.PROJECTS: Scope.ALL,
        Area.INDICATORS: Scope.ALL,
        Area.AUDIT: Scope.ALL,  # who read staff records, not the records (need-to-know, issue 6)
    },
    Role.ADMINISTRATOR: {Area.REFERENCE: Scope.ALL, Area.USERS: Scope.ALL, Area.AUDIT: Scope.ALL},
}


@pytest.mark.parametrize("role", list(Role))
def test_read_scope_of_every_role_in_every_area(make_user, role):
    user = make_user(role)
    actual = {area: access.scope_for(user, area) for area in Area if access.scope_for(user, area) > Scope.NONE}
    assert actual == EXPECTED_READ[role]


def test_only_internal_security_sees_integrity_checks(make_user):
    readers = [role for role in Role if access.can_read_area(make_user(role), Area.INTEGRITY_CHECKS)]
    assert readers == [Role.INTERNAL_SECURITY]


def test_auditor_changes_nothing(make_user):
    auditor = make_user(Role.AUDITOR)
    assert [area for area in Area if access.can_write_area(auditor, area)] == []


def test_only_heads_close_cases(make_user):
    assert [role for role in Role if access.has_capability(make_user(role), Capability.CLOSE_CASES)] == [
        Role.DEPARTMENT_HEAD
    ]


def test_roles_combine_to_the_widest_scope(make_user):
    user = make_user(Role.INVESTIGATOR, Role.AUDITOR)
    assert access.scope_for(user, Area.CASES) == Scope.ALL
    assert access.scope_for(user, Area.CASES, write=True) == Scope.DEPARTMENT


def test_inactive_or_anonymous_users_have_no_roles(make_user):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(Role.ANALYST, is_active=False)
    assert access.user_roles(user) == frozenset()
    assert access.user_roles(AnonymousUser()) == frozenset()
    assert access.visible(AnonymousUser(), Region.objects.all()).count() == 0


def test_reference_is_visible_to_every_role_but_writable_only_by_analysts_and_admins(make_user):
    region = Region.objects.get(code="75")
    assert all(access.can_view(make_user(role), region) for role in Role)
    writers = [role for role in Role if access.can_change(make_user(role), region)]
    assert writers == [Role.ANALYST, Role.ADMINISTRATOR]


def test_user_without_a_role_sees_nothing(make_user):
    user = make_user()
    assert access.visible(user, Region.objects.all()).count() == 0
    assert not access.can_view(user, Region.objects.get(code="75"))


def test_department_scope_limits_rows_to_the_users_department(make_user, monkeypatch):
    # Given a department-scoped area (as cases will be), modelled here on users for the engine's sake
    monkeypatch.setattr(User, "department_lookup", "department", raising=False)
    monkeypatch.setitem(
        access.ROLE_GRANTS, Role.INVESTIGATOR, {Area.USERS: access.Grant(Scope.DEPARTMENT, Scope.DEPARTMENT)}
    )
    almaty = make_user(Role.INVESTIGATOR, department="75")
    colleague = make_user(department="75")
    astana = make_user(department="71")
    nowhere = make_user(Role.INVESTIGATOR, department=None)
    # Then each sees and may change only rows of their own department
    assert set(access.visible(almaty, User.objects.all())) == {almaty, colleague}
    assert access.can_change(almaty, colleague)
    assert not access.can_view(almaty, astana)
    assert not access.can_change(almaty, astana)
    assert access.visible(nowhere, User.objects.all()).count() == 0
    with pytest.raises(access.AccessDenied):
        access.require_change(almaty, astana)


def test_groups_carry_django_permissions_derived_from_the_table():
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_region", "view_article", "view_sanction"} <= codenames(Role.INVESTIGATOR)
    assert "change_region" not in codenames(Role.INVESTIGATOR)
    assert {"add_article", "change_article", "change_terminationground"} <= codenames(Role.ANALYST)
    assert {"view_accesslog", "view_region"} <= codenames(Role.AUDITOR)
    assert {"change_user", "add_user", "change_group"} <= codenames(Role.ADMINISTRATOR)
    # Nobody may delete anything: records are archived, not deleted.
    assert not Permission.objects.filter(group__isnull=False, codename__startswith="delete_").exists()


def test_sync_roles_is_idempotent():
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    access.sync_roles()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert after == before
    assert set(after) == set(Role.values)


def test_departments_exist_for_every_region_and_the_central_office():
    codes = set(Department.objects.values_list("code", flat=True))
    assert codes == {"00"} | set(Region.objects.values_list("code", flat=True))
