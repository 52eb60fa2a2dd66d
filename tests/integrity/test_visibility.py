"""Need-to-know: the visibility matrix role × record type × own/other department × self, allowed AND denied.

Internal security sees and changes every staff record except checks about themselves; a department head reads the
staff, discipline and convictions of their own department and never a check; every other role sees nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from anticor import access
from anticor.access import ApiPrincipal, Role
from anticor.models import AccessAction, AccessLog, ApiClient, Article, Department
from integrity import selectors
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck, IntegrityCheckEvent
from tests.factories import DisciplinaryRecordFactory, EmployeeFactory, IntegrityCheckFactory

pytestmark = pytest.mark.django_db

OWN, OTHER, SELF = "own", "other", "self"  # the employee is of the user's department / another one / the user
RELATIONS = (OWN, OTHER, SELF)
USER_DEPARTMENT, OTHER_DEPARTMENT = "75", "00"
RECORD_TYPES = ("employee", "discipline", "conviction", "check")
NOTHING = {record_type: set() for record_type in RECORD_TYPES}

# The expected table: which relations each role may read / change, per record type.
VISIBLE: dict[str, dict[str, set[str]]] = {
    Role.INTERNAL_SECURITY: {
        "employee": {OWN, OTHER, SELF},
        "discipline": {OWN, OTHER, SELF},
        "conviction": {OWN, OTHER, SELF},
        "check": {OWN, OTHER},  # never a check about themselves
    },
    Role.DEPARTMENT_HEAD: {
        "employee": {OWN, SELF},
        "discipline": {OWN, SELF},
        "conviction": {OWN, SELF},
        "check": set(),
    },
    Role.INVESTIGATOR: NOTHING,
    Role.ANALYST: NOTHING,
    Role.PROJECT_LEAD: NOTHING,
    Role.AUDITOR: NOTHING,
    Role.ADMINISTRATOR: NOTHING,
}
CHANGEABLE: dict[str, dict[str, set[str]]] = {
    # Readable but not changeable by themselves: nobody edits, lifts or unlinks their own records.
    Role.INTERNAL_SECURITY: {
        "employee": {OWN, OTHER},
        "discipline": {OWN, OTHER},
        "conviction": {OWN, OTHER},
        "check": {OWN, OTHER},
    },
    Role.DEPARTMENT_HEAD: NOTHING,
    Role.INVESTIGATOR: NOTHING,
    Role.ANALYST: NOTHING,
    Role.PROJECT_LEAD: NOTHING,
    Role.AUDITOR: NOTHING,
    Role.ADMINISTRATOR: NOTHING,
}

SELECTORS = {
    "employee": selectors.employees,
    "discipline": selectors.disciplinary_records,
    "conviction": selectors.convictions,
    "check": selectors.integrity_checks,
}


def test_the_table_covers_every_role():
    assert set(VISIBLE) == set(CHANGEABLE) == set(Role.values)


def employee_for(relation: str, user) -> Employee:
    if relation == SELF:
        return EmployeeFactory(department_code=USER_DEPARTMENT, user=user)
    return EmployeeFactory(department_code=USER_DEPARTMENT if relation == OWN else OTHER_DEPARTMENT)


def record_of(record_type: str, employee: Employee):
    if record_type == "employee":
        return employee
    if record_type == "discipline":
        return DisciplinaryRecordFactory(employee=employee)
    if record_type == "conviction":
        return Conviction.objects.create(
            employee=employee,
            article=Article.objects.get(code="366"),
            verdict_on=dt.date(2026, 4, 1),
            sentence="Лишение свободы сроком на 5 лет",
        )
    return IntegrityCheckFactory(employee=employee)


CELLS = [
    (role, record_type, relation) for role in Role.values for record_type in RECORD_TYPES for relation in RELATIONS
]


@pytest.mark.parametrize(("role", "record_type", "relation"), CELLS)
def test_visibility_matrix(make_user, role, record_type, relation):
    # given a user of department 75 with the role, and one record of the type
    user = make_user(role, department=USER_DEPARTMENT)
    record = record_of(record_type, employee_for(relation, user))
    may_read = relation in VISIBLE[role][record_type]
    may_change = relation in CHANGEABLE[role][record_type]
    # then the selector lists it, and access answers, exactly as the table says
    assert list(SELECTORS[record_type](user)) == ([record] if may_read else [])
    assert access.can_view(user, record) is may_read
    assert access.can_change(user, record) is may_change


@pytest.mark.parametrize("role", Role.values)
def test_each_selector_returns_exactly_the_allowed_rows_among_all(make_user, role):
    """All relations at once: a filter that let one row through would show here as an extra row."""
    user = make_user(role, department=USER_DEPARTMENT)
    staff = {relation: employee_for(relation, user) for relation in RELATIONS}
    rows = {
        record_type: {relation: record_of(record_type, employee) for relation, employee in staff.items()}
        for record_type in RECORD_TYPES
    }
    for record_type, selector in SELECTORS.items():
        expected = {rows[record_type][relation].pk for relation in VISIBLE[role][record_type]}
        assert set(selector(user).values_list("pk", flat=True)) == expected, record_type


def test_a_user_with_two_roles_gets_the_union(make_user):
    user = make_user(Role.INVESTIGATOR, Role.DEPARTMENT_HEAD, department=USER_DEPARTMENT)
    own, other = EmployeeFactory(department_code=USER_DEPARTMENT), EmployeeFactory(department_code=OTHER_DEPARTMENT)
    assert list(selectors.employees(user)) == [own]
    assert access.can_view(user, other) is False


def test_checks_about_people_without_an_account_stay_visible_to_internal_security(make_user):
    """``exclude(employee__user=me)`` must not drop rows whose ``employee.user`` is NULL."""
    officer = make_user(Role.INTERNAL_SECURITY, department="00")
    colleague = make_user(Role.INVESTIGATOR, department="75")
    no_account = IntegrityCheckFactory(employee=EmployeeFactory(user=None))
    about_colleague = IntegrityCheckFactory(employee=EmployeeFactory(user=colleague))
    about_me = IntegrityCheckFactory(employee=EmployeeFactory(department_code="00", user=officer))

    assert set(selectors.integrity_checks(officer)) == {no_account, about_colleague}
    for check in (no_account, about_colleague, about_me):
        IntegrityCheckEvent.objects.create(integrity_check=check, to_status="draft", actor=officer)
    assert set(
        access.visible(officer, IntegrityCheckEvent.objects.all()).values_list("integrity_check", flat=True)
    ) == {no_account.pk, about_colleague.pk}
    assert [access.can_view(officer, c) for c in (no_account, about_colleague, about_me)] == [True, True, False]
    # the colleague, an investigator, sees none of them — least of all the one about them
    assert list(selectors.integrity_checks(colleague)) == []
    assert access.can_view(colleague, about_colleague) is False


def test_a_check_about_a_colleague_of_internal_security_is_hidden_only_from_that_colleague(make_user):
    first = make_user(Role.INTERNAL_SECURITY, department="00")
    second = make_user(Role.INTERNAL_SECURITY, department="00")
    check = IntegrityCheckFactory(employee=EmployeeFactory(department_code="00", user=second), tester=first)
    assert (list(selectors.integrity_checks(first)), list(selectors.integrity_checks(second))) == ([check], [])
    assert (access.can_change(first, check), access.can_change(second, check)) == (True, False)


def test_employee_lookup_by_number_is_scoped(make_user):
    head = make_user(Role.DEPARTMENT_HEAD, department="75")
    EmployeeFactory(personnel_number="A-75", department_code="75")
    EmployeeFactory(personnel_number="A-00", department_code="00")
    assert selectors.employee_by_number(head, "A-75").personnel_number == "A-75"
    assert selectors.employee_by_number(head, "A-00") is None
    assert selectors.employee_by_number(make_user(Role.INVESTIGATOR), "A-75") is None


def test_anonymous_and_inactive_users_see_nothing(make_user):
    check = IntegrityCheckFactory()
    record = DisciplinaryRecordFactory(employee=check.employee)
    inactive = make_user(Role.INTERNAL_SECURITY, department="00", is_active=False)
    for user in (AnonymousUser(), inactive):
        assert [list(select(user)) for select in SELECTORS.values()] == [[], [], [], []]
        assert (access.can_view(user, check), access.can_view(user, record)) == (False, False)


def _principal(scopes: list[str], departments: tuple[str, ...] = ()) -> ApiPrincipal:
    token = uuid.uuid4().hex
    client = ApiClient.objects.create(name=f"Клиент {token}", scopes=scopes, token_hash=token)
    client.departments.set(Department.objects.filter(code__in=departments))
    return ApiPrincipal(client)


def test_api_clients_see_staff_records_only_with_the_integrity_scope(db):
    almaty = IntegrityCheckFactory(employee=EmployeeFactory(department_code="75"))
    central = IntegrityCheckFactory(employee=EmployeeFactory(department_code="00"))
    everything = ["reference:read", "cases:read", "cases:write", "projects:read", "indicators:read"]
    assert [list(select(_principal(everything))) for select in SELECTORS.values()] == [[], [], [], []]
    assert set(selectors.integrity_checks(_principal(["integrity:read"]))) == {almaty, central}
    assert list(selectors.integrity_checks(_principal(["integrity:read"], ("75",)))) == [almaty]
    scoped = _principal(["integrity:read"], ("75",))
    assert (access.can_view(scoped, almaty), access.can_view(scoped, central), access.can_change(scoped, almaty)) == (
        True,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.INTERNAL_SECURITY, "900101300007"),
        (Role.DEPARTMENT_HEAD, "900101******"),
        (Role.INVESTIGATOR, "900101******"),
        (Role.ANALYST, "900101******"),
        (Role.PROJECT_LEAD, "900101******"),
        (Role.AUDITOR, "900101******"),
        (Role.ADMINISTRATOR, "900101******"),
    ],
)
def test_the_iin_is_masked_for_readers_who_do_not_keep_staff_records(make_user, role, shown):
    employee = EmployeeFactory(iin="900101300007", department_code="75")
    user = make_user(role, department="75")
    assert selectors.shown_iin(user, employee) == shown
    assert selectors.can_see_personal_data(user) is (role == Role.INTERNAL_SECURITY)


def test_the_iin_is_masked_for_api_clients_that_only_read(db):
    employee = EmployeeFactory(iin="900101300007")
    assert selectors.shown_iin(_principal(["integrity:read"]), employee) == "900101******"
    assert selectors.shown_iin(_principal(["integrity:write"]), employee) == "900101300007"
    assert selectors.mask_iin("") == ""


def test_the_records_declare_the_area_and_paths_the_matrix_relies_on():
    assert [
        (m.access_area, m.department_lookup) for m in (Employee, DisciplinaryRecord, Conviction, IntegrityCheck)
    ] == [
        ("staff", "department"),
        ("staff", "employee__department"),
        ("staff", "employee__department"),
        ("integrity_checks", "employee__department"),
    ]
    assert IntegrityCheck.self_lookup == "employee__user"


# --- the same matrix on History pages and on the pages that aggregate related rows (issue 11) -------------------------

HISTORY_LABELS = {
    "discipline": "Создание: дисциплинарное взыскание сотрудника",
    "conviction": "Создание: судимость сотрудника",
    "check": "Создание: проверка на добропорядочность",
}


def _history_url(record) -> str:
    return reverse("history", args=[record._meta.app_label, record._meta.model_name, record.pk])


@pytest.mark.parametrize(("role", "relation"), [(role, relation) for role in Role.values for relation in RELATIONS])
def test_history_pages_and_the_employee_file_follow_the_matrix(client, make_user, role, relation):
    # given a user of department 75 with the role, an employee and one record of each type about them
    user = make_user(role, department=USER_DEPARTMENT)
    employee = employee_for(relation, user)
    records = {record_type: record_of(record_type, employee) for record_type in RECORD_TYPES}
    check = records["check"]
    sees = {record_type: relation in VISIBLE[role][record_type] for record_type in RECORD_TYPES}
    client.force_login(user)

    # then each record's own History opens exactly when its page would, and a refusal is logged as denied
    for record_type, record in records.items():
        response = client.get(_history_url(record))
        assert response.status_code == (200 if sees[record_type] else 404), record_type
    denied = AccessLog.objects.filter(user=user, action=AccessAction.DENIED)
    assert sorted(denied.values_list("content_type__model", "object_id")) == sorted(
        (record._meta.model_name, str(record.pk)) for record_type, record in records.items() if not sees[record_type]
    )
    if not sees["employee"]:
        return
    # and the employee's History shows the events of exactly the related records the user may read
    last_log = AccessLog.objects.order_by("-id").values_list("id", flat=True).first()
    history = client.get(_history_url(employee))
    labels = {entry.label for entry in history.context["entries"]}
    assert labels == {"Создание"} | {label for record_type, label in HISTORY_LABELS.items() if sees[record_type]}
    text = history.content.decode()
    assert (check.scenario in text, "Проверяющий" in text) == (sees["check"], sees["check"])  # no scenario, no tester
    # as does the employee's file
    page = client.get(employee.get_absolute_url()).content.decode()
    assert (check.get_absolute_url() in page) is sees["check"]
    assert (records["discipline"].get_absolute_url() in page) is sees["discipline"]
    # and every record the History showed is in the access log as read, each as itself
    shown = [employee] + [records[record_type] for record_type in HISTORY_LABELS if sees[record_type]]
    reads = AccessLog.objects.filter(id__gt=last_log, user=user, action=AccessAction.VIEW, path=_history_url(employee))
    assert sorted(reads.values_list("content_type__model", "object_id")) == sorted(
        (record._meta.model_name, str(record.pk)) for record in shown
    )


@pytest.mark.parametrize(
    ("role", "full"),
    [(Role.INTERNAL_SECURITY, True), (Role.DEPARTMENT_HEAD, False)],
)
def test_the_iin_stays_masked_in_history_old_and_new_values(client, make_user, role, full):
    employee = EmployeeFactory(iin="900101300007", department_code=USER_DEPARTMENT)
    Employee.objects.filter(pk=employee.pk).update(iin="850101300015")
    client.force_login(make_user(role, department=USER_DEPARTMENT))
    entries = client.get(_history_url(employee)).context["entries"]
    iin_changes = [(c.old, c.new) for entry in entries for c in entry.changes if c.field == "ИИН"]
    if full:
        assert iin_changes == [("900101300007", "850101300015"), ("—", "900101300007")]
    else:
        assert iin_changes == [("900101******", "850101******"), ("—", "900101******")]
        text = client.get(_history_url(employee)).content.decode()
        assert ("900101300007" in text, "850101300015" in text) == (False, False)
