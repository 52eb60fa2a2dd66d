"""Issue 11 item 2: nobody grants themselves power, and every grant is on the record."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from anticor import access
from anticor.access import Role
from anticor.models import AccessAction, AccessLog, Department, RoleChange, User
from anticor.roles import services
from anticor.roles.models import RoleChangeAction, RoleChangeMode, RoleChangeStatus
from anticor.roles.selectors import roles_on_record
from tests.utils import ROOT, child_env, manage

pytestmark = pytest.mark.django_db

REASON = "Приказ № 12-лс от 01.12.2026"


def roles_of(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no cached roles


@pytest.fixture
def administrator(make_user):
    return make_user(Role.ADMINISTRATOR, department="00", is_staff=True)


@pytest.fixture
def security(make_user):
    return make_user(Role.INTERNAL_SECURITY, department="00")


def admin_user_form(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-05",
        "initial-date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "middle_name": "",
        "department": str(user.department_id),
        "position": "",
        "_save": "Сохранить",
    }
    data.update(overrides)
    return data


# --- an administrator cannot make themselves internal security ------------------------------------------------------


def test_admin_user_page_does_not_add_the_administrator_to_internal_security(client, administrator):
    # Given an administrator signed in to /admin/
    client.force_login(administrator)
    security_group = Group.objects.get(name=Role.INTERNAL_SECURITY)
    before = RoleChange.objects.count()
    # When they post their own user page with the internal-security group (and superuser) ticked
    response = client.post(
        f"/admin/anticor/user/{administrator.pk}/change/",
        admin_user_form(administrator, groups=[str(security_group.pk)], is_superuser="on"),
    )
    # Then the page saves their other fields, but their roles and superuser flag are unchanged
    assert response.status_code == 302
    assert roles_of(administrator) == {Role.ADMINISTRATOR}
    assert fresh(administrator).is_superuser is False
    assert not access.can_read_area(fresh(administrator), access.Area.INTEGRITY_CHECKS)
    assert RoleChange.objects.count() == before


def test_admin_user_page_does_not_change_anyone_elses_roles_either(client, administrator, make_user):
    # Given an investigator and an administrator in /admin/
    investigator = make_user(Role.INVESTIGATOR)
    client.force_login(administrator)
    security_group = Group.objects.get(name=Role.INTERNAL_SECURITY)
    # When the administrator ticks internal security on the investigator's page, and adds a user with it
    client.post(
        f"/admin/anticor/user/{investigator.pk}/change/",
        admin_user_form(investigator, groups=[str(security_group.pk)]),
    )
    response = client.post(
        "/admin/anticor/user/add/",
        {
            "username": "newcomer",
            "password1": "Corr3ct-horse-battery-2",
            "password2": "Corr3ct-horse-battery-2",
            "usable_password": "true",
            "last_name": "Новиков",
            "first_name": "Пётр",
            "department": str(Department.objects.get(code="75").pk),
            "groups": [str(security_group.pk)],
            "_save": "Сохранить",
        },
    )
    # Then nobody got the role: roles change only through the role pages
    assert response.status_code == 302
    assert roles_of(investigator) == {Role.INVESTIGATOR}
    assert roles_of(User.objects.get(username="newcomer")) == set()


def test_admin_group_pages_are_read_only(client, administrator):
    # Given the administrator's own role group and an integrity permission
    client.force_login(administrator)
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    permissions = set(group.permissions.values_list("pk", flat=True))
    check_permission = Permission.objects.get(codename="view_integritycheck")
    # When they try to rename it to internal security or add integrity permissions to it
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "internal_security_2", "permissions": [*map(str, permissions), str(check_permission.pk)]},
    )
    # Then the page refuses and the group is unchanged; the list is still viewable
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == Role.ADMINISTRATOR
    assert set(group.permissions.values_list("pk", flat=True)) == permissions
    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get("/admin/auth/group/add/").status_code == 403


def test_service_refuses_a_self_grant_and_changes_nothing(administrator):
    # When an administrator proposes internal security (or any role) for themselves
    with pytest.raises(access.AccessDenied, match="собственные роли"):
        services.role_grant_propose(
            actor=administrator, user_id=administrator.pk, role=Role.INTERNAL_SECURITY, reason=REASON
        )
    with pytest.raises(access.AccessDenied):
        services.role_grant_propose(actor=administrator, user_id=administrator.pk, role=Role.AUDITOR, reason=REASON)
    with pytest.raises(access.AccessDenied):
        services.role_revoke(actor=administrator, user_id=administrator.pk, role=Role.ADMINISTRATOR, reason=REASON)
    # Then nothing is recorded and their roles are the same
    assert not RoleChange.objects.filter(proposed_by=administrator).exists()
    assert roles_of(administrator) == {Role.ADMINISTRATOR}


def test_form_refuses_a_self_grant_and_changes_nothing(client, administrator):
    # Given the administrator on the role requests page
    client.force_login(administrator)
    # When they submit a grant of internal security to themselves
    response = client.post(
        "/roles/requests/",
        {"user": administrator.username, "role": Role.INTERNAL_SECURITY, "action": "grant", "reason": REASON},
    )
    # Then the form says why and nothing is recorded or changed
    assert response.status_code == 400
    assert "Нельзя изменять собственные роли." in response.context["form"].non_field_errors()
    assert not RoleChange.objects.filter(user=administrator, proposed_by=administrator).exists()
    assert roles_of(administrator) == {Role.ADMINISTRATOR}


def test_database_refuses_a_self_granted_row(administrator):
    # When a row naming the subject as its own proposer is written around the services
    with pytest.raises(IntegrityError, match="role_change_proposer_is_not_subject"), transaction.atomic():
        RoleChange.objects.create(
            user=administrator,
            role=Role.AUDITOR,
            action=RoleChangeAction.GRANT,
            mode=RoleChangeMode.IMMEDIATE,
            status=RoleChangeStatus.CONFIRMED,
            reason=REASON,
            source="web",
            proposed_by=administrator,
        )


def test_non_administrators_cannot_change_roles(make_user):
    # Given an investigator and internal security (who confirms, but does not propose)
    investigator, colleague = make_user(Role.INVESTIGATOR), make_user(Role.INVESTIGATOR)
    officer = make_user(Role.INTERNAL_SECURITY, department="00")
    # When either tries to grant a role to a colleague
    for actor in (investigator, officer):
        with pytest.raises(access.AccessDenied):
            services.role_grant_propose(actor=actor, user_id=colleague.pk, role=Role.AUDITOR, reason=REASON)
    # Then nothing changed
    assert roles_of(colleague) == {Role.INVESTIGATOR}
    assert not RoleChange.objects.filter(user=colleague).exclude(mode=RoleChangeMode.BOOTSTRAP).exists()


# --- two people for internal security and administrator -------------------------------------------------------------


def test_a_proposed_internal_security_grant_has_no_effect_until_another_holder_confirms(
    client, administrator, security, make_user
):
    # Given an investigator an administrator proposes for internal security
    candidate = make_user(Role.INVESTIGATOR, department="00")
    change = services.role_grant_propose(
        actor=administrator, user_id=candidate.pk, role=Role.INTERNAL_SECURITY, reason=REASON, ip="10.0.0.7"
    )
    # Then the proposal is pending and gives no access yet
    assert (change.status, change.mode, change.proposed_ip) == ("proposed", "two_person", "10.0.0.7")
    assert roles_of(candidate) == {Role.INVESTIGATOR}
    client.force_login(candidate)
    assert client.get("/integrity/checks/").status_code == 403
    # When another internal-security officer confirms it
    services.role_grant_confirm(actor=security, change_id=change.pk, ip="10.0.0.8")
    # Then it takes effect and the row says who confirmed, when and from where
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_ip) == ("confirmed", security, "10.0.0.8")
    assert change.decided_at is not None
    assert roles_of(candidate) == {Role.INVESTIGATOR, Role.INTERNAL_SECURITY}
    assert client.get("/integrity/checks/").status_code == 200


def test_the_proposer_cannot_confirm_their_own_proposal(administrator, make_user):
    # Given an administrator who also holds internal security proposes a colleague as administrator
    proposer = make_user(Role.ADMINISTRATOR, Role.INTERNAL_SECURITY, department="00")
    colleague = make_user(Role.INVESTIGATOR)
    change = services.role_grant_propose(actor=proposer, user_id=colleague.pk, role=Role.ADMINISTRATOR, reason=REASON)
    # When the proposer tries to confirm it, and an administrator without internal security tries
    with pytest.raises(access.AccessDenied, match="другой сотрудник"):
        services.role_grant_confirm(actor=proposer, change_id=change.pk)
    with pytest.raises(access.AccessDenied):
        services.role_grant_confirm(actor=administrator, change_id=change.pk)
    # Then it stays pending and the colleague is not an administrator
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("proposed", None)
    assert roles_of(colleague) == {Role.INVESTIGATOR}


def test_the_subject_cannot_confirm_their_own_grant(administrator, security):
    # Given a proposal to make the internal-security officer an administrator too
    change = services.role_grant_propose(
        actor=administrator, user_id=security.pk, role=Role.ADMINISTRATOR, reason=REASON
    )
    # When the officer confirms it themselves
    with pytest.raises(access.AccessDenied, match="собственных ролей"):
        services.role_grant_confirm(actor=security, change_id=change.pk)
    # Then nothing changed
    assert RoleChange.objects.get(pk=change.pk).status == "proposed"
    assert roles_of(security) == {Role.INTERNAL_SECURITY}


def test_a_refusal_needs_a_reason_and_applies_nothing(administrator, security, make_user):
    candidate = make_user(Role.AUDITOR, department="00")
    change = services.role_grant_propose(
        actor=administrator, user_id=candidate.pk, role=Role.ADMINISTRATOR, reason=REASON
    )
    with pytest.raises(ValidationError):
        services.role_grant_refuse(actor=security, change_id=change.pk, reason="нет")
    assert RoleChange.objects.get(pk=change.pk).status == "proposed"
    services.role_grant_refuse(actor=security, change_id=change.pk, reason="Нет приказа о назначении")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_reason) == (
        "refused",
        security,
        "Нет приказа о назначении",
    )
    assert roles_of(candidate) == {Role.AUDITOR}
    # A decided request is final
    with pytest.raises(ValidationError, match="решение уже принято"):
        services.role_grant_confirm(actor=security, change_id=change.pk)


def test_the_proposer_may_withdraw_a_pending_grant(administrator, make_user):
    candidate = make_user(Role.AUDITOR, department="00")
    other_admin = make_user(Role.ADMINISTRATOR, department="00")
    change = services.role_grant_propose(
        actor=administrator, user_id=candidate.pk, role=Role.INTERNAL_SECURITY, reason=REASON
    )
    with pytest.raises(access.AccessDenied):
        services.role_grant_withdraw(actor=other_admin, change_id=change.pk)
    services.role_grant_withdraw(actor=administrator, change_id=change.pk)
    assert RoleChange.objects.get(pk=change.pk).status == "withdrawn"
    assert roles_of(candidate) == {Role.AUDITOR}


def test_other_roles_apply_at_once_and_are_recorded(administrator, make_user):
    # Given an investigator
    investigator = make_user(Role.INVESTIGATOR)
    # When an administrator grants auditor and revokes investigator
    granted = services.role_grant_propose(
        actor=administrator, user_id=investigator.pk, role=Role.AUDITOR, reason=REASON
    )
    revoked = services.role_revoke(actor=administrator, user_id=investigator.pk, role=Role.INVESTIGATOR, reason=REASON)
    # Then both are in force and on the record
    assert roles_of(investigator) == {Role.AUDITOR}
    assert [(c.action, c.mode, c.status) for c in (granted, revoked)] == [
        ("grant", "immediate", "confirmed"),
        ("revoke", "immediate", "confirmed"),
    ]
    # A second grant of a held role, a revoke of a missing one and a duplicate pending request are refused
    with pytest.raises(ValidationError, match="уже есть эта роль"):
        services.role_grant_propose(actor=administrator, user_id=investigator.pk, role=Role.AUDITOR, reason=REASON)
    with pytest.raises(ValidationError, match="нет этой роли"):
        services.role_revoke(actor=administrator, user_id=investigator.pk, role=Role.ANALYST, reason=REASON)
    services.role_grant_propose(actor=administrator, user_id=investigator.pk, role=Role.ADMINISTRATOR, reason=REASON)
    with pytest.raises(ValidationError, match="ожидающая решения"):
        services.role_grant_propose(
            actor=administrator, user_id=investigator.pk, role=Role.ADMINISTRATOR, reason=REASON
        )
    with pytest.raises(ValidationError, match="основание"):
        services.role_grant_propose(actor=administrator, user_id=investigator.pk, role=Role.ANALYST, reason="  ")


def test_confirmation_through_the_page(client, administrator, security, make_user):
    # Given a pending grant proposed on the requests page
    candidate = make_user(Role.INVESTIGATOR, department="00")
    client.force_login(administrator)
    response = client.post(
        "/roles/requests/",
        {"user": candidate.username, "role": Role.INTERNAL_SECURITY, "action": "grant", "reason": REASON},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    change = RoleChange.objects.get(user=candidate, role=Role.INTERNAL_SECURITY)
    assert (change.status, change.proposed_ip) == ("proposed", "10.1.1.1")
    # When the proposer posts "confirm" it is refused; the officer sees it pending and confirms it
    client.post(f"/roles/requests/{change.pk}/decide/", {"decision": "confirm"})
    assert RoleChange.objects.get(pk=change.pk).status == "proposed"
    client.force_login(security)
    page = client.get("/roles/requests/")
    assert [item["change"] for item in page.context["pending"]] == [change]
    assert page.context["form"] is None  # internal security does not propose
    response = client.post(
        f"/roles/requests/{change.pk}/decide/", {"decision": "confirm", "reason": "Проверено"}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_ip) == ("confirmed", security, "10.2.2.2")
    assert Role.INTERNAL_SECURITY in roles_of(candidate)


def test_bad_input_on_the_role_pages_is_refused_and_changes_nothing(client, administrator, security, make_user):
    candidate = make_user(Role.INVESTIGATOR)
    client.force_login(administrator)
    before = RoleChange.objects.count()
    for data, field in [
        ({"user": candidate.username, "role": "superuser", "action": "grant", "reason": REASON}, "role"),
        ({"user": candidate.username, "role": "auditor", "action": "promote", "reason": REASON}, "action"),
        ({"user": "no-such-user", "role": "auditor", "action": "grant", "reason": REASON}, "user"),
        ({"user": candidate.username, "role": "auditor", "action": "grant", "reason": "x" * 2001}, "reason"),
        ({"user": candidate.username, "role": "auditor", "action": "grant", "reason": "кратко"}, "reason"),
        ({"user": candidate.username, "role": "investigator", "action": "grant", "reason": REASON}, "role"),
    ]:
        response = client.post("/roles/requests/", data)
        assert response.status_code == 400, data
        assert list(response.context["form"].errors) == [field], data
    pending = services.role_grant_propose(
        actor=administrator, user_id=candidate.pk, role=Role.INTERNAL_SECURITY, reason=REASON
    )
    client.force_login(security)
    for data in [{"decision": "approve-all"}, {"decision": "refuse", "reason": ""}]:
        assert client.post(f"/roles/requests/{pending.pk}/decide/", data).status_code == 302
    assert client.post("/roles/requests/999999/decide/", {"decision": "confirm"}).status_code == 302
    assert RoleChange.objects.get(pk=pending.pk).status == "proposed"
    assert RoleChange.objects.count() == before + 1
    assert roles_of(candidate) == {Role.INVESTIGATOR}


def test_requests_page_is_for_administrators_and_internal_security(client, make_user):
    for role, status in [(Role.INVESTIGATOR, 403), (Role.AUDITOR, 403), (Role.ANALYST, 403)]:
        client.force_login(make_user(role))
        assert client.get("/roles/requests/").status_code == status
        assert client.post("/roles/requests/1/decide/", {"decision": "confirm"}).status_code == status


# --- the record ----------------------------------------------------------------------------------------------------


def test_a_confirmed_grant_appears_in_the_log_and_its_csv(client, administrator, security, make_user):
    # Given a confirmed internal-security grant and an unrelated auditor grant
    candidate = make_user(Role.INVESTIGATOR, department="00", username="candidate")
    change = services.role_grant_propose(
        actor=administrator, user_id=candidate.pk, role=Role.INTERNAL_SECURITY, reason=REASON
    )
    services.role_grant_confirm(actor=security, change_id=change.pk, reason="Проверено")
    services.role_grant_propose(actor=administrator, user_id=make_user().pk, role=Role.AUDITOR, reason=REASON)
    auditor = make_user(Role.AUDITOR, department="00")
    client.force_login(auditor)
    # When the auditor filters the log by user, role and status
    query = {
        "user": "candidate",
        "role": "internal_security",
        "status": "confirmed",
        "proposed_by": administrator.username,
    }
    response = client.get("/roles/", query)
    # Then exactly that grant is listed with its proposer and confirmer
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [change]
    html = response.content.decode()
    assert REASON in html
    assert security.display_name in html
    # And its CSV export has the same row and is written to the access log
    export = client.get("/roles/export/", query)
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][1:8] == [
        f"candidate ({candidate.display_name})",
        "Служба собственной безопасности",
        "Назначение",
        "Применено",
        "Двумя лицами",
        REASON,
        f"{administrator.username} ({administrator.display_name})",
    ]
    assert rows[1][9] == f"{security.username} ({security.display_name})"
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.user, log.content_type.model) == (auditor, "rolechange")


def test_log_filters_by_action_and_dates_and_refuses_bad_filters(client, administrator, make_user):
    investigator = make_user(Role.INVESTIGATOR)
    revoke = services.role_revoke(actor=administrator, user_id=investigator.pk, role=Role.INVESTIGATOR, reason=REASON)
    client.force_login(administrator)
    day = timezone.localdate(revoke.proposed_at).isoformat()  # the filter reads days in the agency's time zone
    response = client.get("/roles/", {"action": "revoke", "proposed_from": day, "proposed_to": day})
    assert list(response.context["page"].object_list) == [revoke]
    assert list(client.get("/roles/", {"proposed_to": "2020-01-01"}).context["page"].object_list) == []
    bad = client.get("/roles/", {"status": "granted-by-me", "proposed_from": "not-a-date"})
    assert bad.status_code == 200
    assert list(bad.context["page"].object_list) == []
    assert set(bad.context["filterset"].errors) == {"status", "proposed_from"}
    # A bad filter exports nothing and is not logged
    assert client.get("/roles/export/", {"status": "bogus"}).status_code == 302
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_log_is_for_auditors_and_administrators(client, make_user):
    for role, status in [
        (Role.AUDITOR, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.INTERNAL_SECURITY, 403),
        (Role.INVESTIGATOR, 403),
        (Role.ANALYST, 403),
    ]:
        client.force_login(make_user(role))
        assert client.get("/roles/").status_code == status, role
        assert client.get("/roles/export/").status_code == status, role


def test_log_query_count_is_pinned_and_constant_in_rows(client, administrator, make_user, django_assert_num_queries):
    auditor = make_user(Role.AUDITOR, department="00")
    client.force_login(auditor)
    client.get("/roles/")  # warm the content-type cache
    # session, user, roles, count, page rows with user, proposer and confirmer
    with django_assert_num_queries(5):
        assert client.get("/roles/").status_code == 200
    for _n in range(30):
        services.role_grant_propose(actor=administrator, user_id=make_user().pk, role=Role.ANALYST, reason=REASON)
    with django_assert_num_queries(5):
        response = client.get("/roles/")
    assert response.context["page"].paginator.count == RoleChange.objects.count()


def test_pending_list_query_count_is_pinned_and_constant_in_rows(
    client, administrator, security, make_user, django_assert_num_queries
):
    services.role_grant_propose(actor=administrator, user_id=make_user().pk, role=Role.ADMINISTRATOR, reason=REASON)
    client.force_login(security)
    client.get("/roles/requests/")
    # session, user, roles, pending rows with user, proposer and confirmer
    with django_assert_num_queries(4):
        assert len(client.get("/roles/requests/").context["pending"]) == 1
    for _n in range(20):
        services.role_grant_propose(
            actor=administrator, user_id=make_user().pk, role=Role.INTERNAL_SECURITY, reason=REASON
        )
    with django_assert_num_queries(4):
        assert len(client.get("/roles/requests/").context["pending"]) == 21
    # The administrator's page also lists the people for the proposal form: one query more
    client.force_login(administrator)
    client.get("/roles/requests/")
    with django_assert_num_queries(5):
        assert client.get("/roles/requests/").status_code == 200


def test_menu_shows_the_role_pages_per_access(client, make_user):
    expected = {
        Role.AUDITOR: {"/roles/"},
        Role.ADMINISTRATOR: {"/roles/", "/roles/requests/"},
        Role.INTERNAL_SECURITY: {"/roles/requests/"},
        Role.INVESTIGATOR: set(),
    }
    from anticor.navigation import menu_for

    for role, urls in expected.items():
        shown = {item["url"] for item in menu_for(make_user(role))}
        assert shown & {"/roles/", "/roles/requests/"} == urls, role


def test_rows_are_never_deleted_and_decided_rows_never_change(administrator, make_user):
    change = services.role_grant_propose(actor=administrator, user_id=make_user().pk, role=Role.AUDITOR, reason=REASON)
    with pytest.raises(ProgrammingError, match="Cannot delete rows from anticor_rolechange"), transaction.atomic():
        RoleChange.objects.filter(pk=change.pk).delete()
    with pytest.raises(ProgrammingError, match="Cannot update rows from anticor_rolechange"), transaction.atomic():
        RoleChange.objects.filter(pk=change.pk).update(reason="Иное основание задним числом")
    pending = services.role_grant_propose(
        actor=administrator, user_id=make_user().pk, role=Role.INTERNAL_SECURITY, reason=REASON
    )
    with pytest.raises(ProgrammingError, match="Cannot update rows from anticor_rolechange"), transaction.atomic():
        RoleChange.objects.filter(pk=pending.pk).update(role=Role.AUDITOR)


def test_membership_changes_are_in_the_audit_trail(administrator, make_user):
    investigator = make_user(Role.INVESTIGATOR)
    services.role_grant_propose(actor=administrator, user_id=investigator.pk, role=Role.AUDITOR, reason=REASON)
    link_audit = (
        User.groups.through.pgh_event_models["insert"] if hasattr(User.groups.through, "pgh_event_models") else None
    )
    assert link_audit is not None
    auditor_group = Group.objects.get(name=Role.AUDITOR)
    assert link_audit.objects.filter(user_id=investigator.pk, group_id=auditor_group.pk).count() == 1
    change = RoleChange.objects.get(user=investigator, role=Role.AUDITOR)
    assert change.audit_events.filter(pgh_label="insert").count() == 1


def test_membership_always_matches_the_record(administrator, security, make_user):
    # Given people whose roles were seeded, granted, revoked, confirmed, refused and withdrawn
    a, b, c = make_user(Role.INVESTIGATOR), make_user(Role.ANALYST), make_user(Role.AUDITOR, department="00")
    services.role_grant_propose(actor=administrator, user_id=a.pk, role=Role.AUDITOR, reason=REASON)
    services.role_revoke(actor=administrator, user_id=a.pk, role=Role.INVESTIGATOR, reason=REASON)
    services.role_grant_propose(actor=administrator, user_id=a.pk, role=Role.INVESTIGATOR, reason=REASON)
    confirmed = services.role_grant_propose(actor=administrator, user_id=b.pk, role=Role.ADMINISTRATOR, reason=REASON)
    services.role_grant_confirm(actor=security, change_id=confirmed.pk)
    refused = services.role_grant_propose(actor=administrator, user_id=c.pk, role=Role.ADMINISTRATOR, reason=REASON)
    services.role_grant_refuse(actor=security, change_id=refused.pk, reason="Основания не подтверждены")
    services.role_grant_propose(actor=administrator, user_id=c.pk, role=Role.INTERNAL_SECURITY, reason=REASON)
    # Then for everyone the role groups are exactly what the record says
    for user in (a, b, c, administrator, security):
        assert roles_on_record(user.pk) == roles_of(user), user.username
    assert roles_of(a) == {Role.AUDITOR, Role.INVESTIGATOR}
    assert roles_of(b) == {Role.ANALYST, Role.ADMINISTRATOR}
    assert roles_of(c) == {Role.AUDITOR}


# --- bootstrap -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_bootstrap_command_grants_the_first_holder_and_is_audited():
    # Given a fresh installation (transactional tests start empty) with one user and nobody in internal security
    call_command("load_reference", verbosity=0)
    from django.contrib.auth import get_user_model

    first = get_user_model().objects.create_user("first-officer", password=None)
    second = get_user_model().objects.create_user("second-officer", password=None)
    # When the operator runs the documented bootstrap command
    command = ["bootstrap_role", "first-officer", "--role", "internal_security", "--reason", REASON]
    result = subprocess.run(
        manage(*command),
        env=child_env(ANTICOR_ACTOR="operator1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then the officer holds the role, recorded as a bootstrap row attributed to the command and the operator
    assert result.returncode == 0, result.stderr
    assert roles_of(first) == {Role.INTERNAL_SECURITY}
    change = RoleChange.objects.get(user=first)
    assert (change.mode, change.status, change.source, change.proposed_by) == (
        "bootstrap",
        "confirmed",
        "command",
        None,
    )
    event = change.audit_events.get(pgh_label="insert")
    assert event.pgh_context.metadata["command"] == "bootstrap_role"
    assert event.pgh_context.metadata["actor"] == "operator1"
    assert event.pgh_context.metadata["source"] == "command"
    # And a second bootstrap is refused now that someone holds the role: two people decide from here on
    again = subprocess.run(
        manage("bootstrap_role", "second-officer", "--role", "internal_security", "--reason", REASON),
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode != 0
    assert "только двумя лицами" in again.stderr
    assert roles_of(second) == set()
    assert RoleChange.objects.count() == 1


def test_bootstrap_refuses_other_roles_and_unknown_users(make_user):
    make_user(username="someone")
    with pytest.raises(ValidationError):
        services.role_bootstrap(username="someone", role=Role.AUDITOR, reason=REASON)
    with pytest.raises(ValidationError):
        services.role_bootstrap(username="nobody-here", role=Role.ADMINISTRATOR, reason=REASON)
    assert not RoleChange.objects.filter(mode=RoleChangeMode.BOOTSTRAP, user__username="someone").exists()


def test_bootstrap_of_an_administrator_opens_the_admin_site(make_user):
    User.objects.filter(groups__name=Role.ADMINISTRATOR).update(is_active=False)
    user = make_user(username="first-admin", department="00")
    services.role_bootstrap(username="first-admin", role=Role.ADMINISTRATOR, reason=REASON)
    assert roles_of(user) == {Role.ADMINISTRATOR}
    assert fresh(user).is_staff is True
