"""The half-year staff integrity summary on a small fixed dataset with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest

from anticor.access import AccessDenied, Role
from anticor.models import Article, Department, User
from integrity.choices import CheckOutcome, CheckStatus, DisciplineStatus, EmployeeStatus
from integrity.models import Conviction, Sanction
from integrity.selectors import HalfYear, SummaryRow, half_year_of, parse_half_year, staff_integrity_summary
from tests.factories import DisciplinaryRecordFactory, EmployeeFactory, IntegrityCheckFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date
H1, H2 = HalfYear(2026, 1), HalfYear(2026, 2)
FIELDS = ("employees", "convicted", "disciplined", "dismissed_negative", "checks_conducted", "checks_failed")


def sanction(employee, code: str, imposed_on: dt.date, **extra):
    """A sanction imposed on ``imposed_on`` for an offence discovered that day (dates the DB constraints accept)."""
    return DisciplinaryRecordFactory(
        employee=employee,
        sanction=Sanction.objects.get(code=code),
        committed_on=imposed_on,
        discovered_on=imposed_on,
        imposed_on=imposed_on,
        expires_on=None if code == "dismissal" else imposed_on + dt.timedelta(days=365),
        **extra,
    )


def convict(employee, verdict_on: dt.date) -> Conviction:
    return Conviction.objects.create(
        employee=employee, article=Article.objects.get(code="366"), verdict_on=verdict_on, sentence="Штраф"
    )


def conducted_check(employee, approver, conducted_on: dt.date, outcome: str):
    return IntegrityCheckFactory(
        employee=employee,
        planned_from=conducted_on,
        planned_to=conducted_on,
        status=CheckStatus.REVIEWED,
        approver=approver,
        approved_on=conducted_on - dt.timedelta(days=10),
        conducted_on=conducted_on,
        outcome=outcome,
        reviewed_on=conducted_on,
    )


def dismissed(department: str, on: dt.date, **extra):
    return EmployeeFactory(department_code=department, status=EmployeeStatus.DISMISSED, dismissed_on=on, **extra)


@pytest.fixture
def approver(make_user):
    return make_user(Role.INTERNAL_SECURITY, department="00")


@pytest.fixture
def dataset(approver):
    """Almaty (75) and the central office (00); comments say what each row counts for in 2026-H1."""
    # --- Almaty -------------------------------------------------------------------------------------------------------
    e1 = EmployeeFactory(department_code="75")
    sanction(e1, "reprimand", D(2026, 3, 10))  # disciplined…
    sanction(e1, "severe_reprimand", D(2026, 5, 5))  # …once, with two sanctions
    conducted_check(e1, approver, D(2026, 6, 30), CheckOutcome.FAILED)  # the last day of H1: conducted, failed
    e2 = dismissed("75", D(2026, 6, 30))  # served until the last day of H1: counted in H1, not in H2
    sanction(e2, "dismissal", D(2026, 6, 30), negative_grounds=True)  # disciplined, dismissed on negative grounds
    conducted_check(e2, approver, D(2026, 1, 1), CheckOutcome.PASSED)  # the first day: conducted
    e3 = EmployeeFactory(department_code="75")
    sanction(e3, "reprimand", D(2026, 2, 1), status=DisciplineStatus.OVERTURNED)  # overturned: not disciplined
    convict(e3, D(2026, 4, 1))  # convicted
    e4 = EmployeeFactory(department_code="75")
    sanction(e4, "reprimand", D(2026, 7, 1))  # H2
    convict(e4, D(2025, 12, 31))  # 2025
    conducted_check(e4, approver, D(2026, 7, 1), CheckOutcome.FAILED)  # H2
    IntegrityCheckFactory(employee=e4)  # a draft: never conducted
    e5 = dismissed("75", D(2025, 12, 31))  # left before H1: not counted at all
    sanction(e5, "dismissal", D(2025, 12, 31), negative_grounds=True)
    EmployeeFactory(department_code="75", hired_on=D(2026, 7, 1))  # e6, hired in H2
    e7 = dismissed("75", D(2026, 4, 10))
    sanction(e7, "dismissal", D(2026, 4, 10))  # disciplined; dismissed, but not on negative grounds
    # --- the central office -------------------------------------------------------------------------------------------
    f1 = EmployeeFactory(department_code="00", hired_on=D(2010, 1, 1))
    convict(f1, D(2026, 1, 1))  # convicted…
    convict(f1, D(2026, 6, 30))  # …once, with two verdicts
    sanction(f1, "remark", D(2026, 1, 1))  # disciplined
    f2 = EmployeeFactory(department_code="00")
    sanction(f2, "reprimand", D(2026, 3, 1), status=DisciplineStatus.APPEALED)  # under appeal: still counted
    sanction(f2, "remark", D(2026, 2, 1), status=DisciplineStatus.LIFTED)  # lifted since: it was imposed
    conducted_check(f2, approver, D(2026, 3, 15), CheckOutcome.PROCEDURAL_FAILURE)  # conducted, not failed


# Hand-computed: (employees, convicted, disciplined, dismissed_negative, checks_conducted, checks_failed)
EXPECTED = {
    H1: {"75": (5, 1, 3, 1, 2, 1), "00": (2, 1, 2, 0, 1, 0), None: (7, 2, 5, 1, 3, 1)},
    H2: {"75": (4, 0, 1, 0, 1, 1), "00": (2, 0, 0, 0, 0, 0), None: (6, 0, 1, 0, 1, 1)},
}


def figures(row: SummaryRow) -> tuple[int, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


def by_code(rows: list[SummaryRow]) -> dict[str | None, tuple[int, ...]]:
    return {row.department.code if row.department else None: figures(row) for row in rows}


@pytest.mark.parametrize("period", [H1, H2], ids=["H1", "H2"])
@pytest.mark.parametrize("role", [Role.INTERNAL_SECURITY, Role.ANALYST, Role.AUDITOR])
def test_the_agency_summary_per_department_and_total(make_user, dataset, role, period):
    rows = staff_integrity_summary(make_user(role, department="00"), period)
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    assert [row.department for row in rows] == [*departments, None]  # the total comes last
    zero = (0,) * len(FIELDS)
    expected = {d.code: EXPECTED[period].get(d.code, zero) for d in departments} | {None: EXPECTED[period][None]}
    assert by_code(rows) == expected


def test_the_total_is_the_sum_of_the_departments(make_user, dataset):
    rows = staff_integrity_summary(make_user(Role.INTERNAL_SECURITY, department="00"), H1)
    total = rows[-1]
    assert figures(total) == tuple(sum(getattr(row, name) for row in rows[:-1]) for name in FIELDS)


def test_an_inactive_department_has_no_row(make_user, dataset):
    Department.objects.filter(code="00").update(is_active=False)
    rows = staff_integrity_summary(make_user(Role.INTERNAL_SECURITY, department="75"), H1)
    assert "00" not in by_code(rows)
    assert by_code(rows)["75"] == by_code(rows)[None] == EXPECTED[H1]["75"]


@pytest.mark.parametrize(("department", "expected"), [("75", EXPECTED[H1]["75"]), ("00", EXPECTED[H1]["00"])])
def test_a_department_head_sees_only_their_department_and_its_total(make_user, dataset, department, expected):
    rows = staff_integrity_summary(make_user(Role.DEPARTMENT_HEAD, department=department), H1)
    assert by_code(rows) == {department: expected, None: expected}


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.ADMINISTRATOR])
def test_roles_without_staff_or_indicators_are_refused(make_user, dataset, role):
    with pytest.raises(AccessDenied):
        staff_integrity_summary(make_user(role, department="75"), H1)


def test_an_anonymous_caller_is_refused(dataset):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        staff_integrity_summary(AnonymousUser(), H1)


def _more_data(approver) -> None:
    """Another ten employees over five departments, each with a sanction, a conviction and a check."""
    for code in ("10", "11", "15", "19", "75"):
        for _n in range(2):
            employee = EmployeeFactory(department_code=code)
            sanction(employee, "remark", D(2026, 2, 2))
            convict(employee, D(2026, 2, 3))
            conducted_check(employee, approver, D(2026, 2, 4), CheckOutcome.FAILED)


def test_the_query_count_is_constant_whatever_the_data(dataset, approver, django_assert_num_queries):
    officer = UserFactory(roles=(Role.INTERNAL_SECURITY,), department_code="00")

    def fresh_officer() -> User:
        return User.objects.get(pk=officer.pk)  # role cache empty, as on a new request

    user = fresh_officer()
    # roles, departments, and one grouped query each for staff, convictions, sanctions, checks
    with django_assert_num_queries(6):
        rows = staff_integrity_summary(user, H1)
    assert by_code(rows)[None] == EXPECTED[H1][None]

    _more_data(approver)
    user = fresh_officer()
    with django_assert_num_queries(6):
        rows = staff_integrity_summary(user, H1)
    assert by_code(rows)[None] == (17, 12, 15, 1, 13, 11)
    assert by_code(rows)["10"] == (2, 2, 2, 0, 2, 2)


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "2022",
        "2022-H3",
        "2022-H0",
        "2022-h1",
        "2022H1",
        "22-H1",
        "1999-H2",
        "2101-H1",
        " 2022-H1",
        "2022-H1\n",
        "２０２２-H1",  # full-width digits
    ],
)
def test_parse_half_year_refuses_bad_input(value):
    with pytest.raises(ValueError, match=r"^Полугодие указывается в виде ГГГГ-H1 или ГГГГ-H2, например 2022-H1\.$"):
        parse_half_year(value)


def test_parse_half_year_and_its_boundaries():
    h1 = parse_half_year("2022-H1")
    assert (h1, h1.code, h1.start, h1.end, h1.previous, h1.label) == (
        HalfYear(2022, 1),
        "2022-H1",
        D(2022, 1, 1),
        D(2022, 6, 30),
        HalfYear(2021, 2),
        "I полугодие 2022 года",
    )
    h2 = parse_half_year("2100-H2")
    assert (h2.start, h2.end, h2.previous, h2.label) == (
        D(2100, 7, 1),
        D(2100, 12, 31),
        HalfYear(2100, 1),
        "II полугодие 2100 года",
    )
    assert (half_year_of(D(2026, 6, 30)), half_year_of(D(2026, 7, 1))) == (H1, H2)
