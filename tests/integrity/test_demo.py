"""The integrity demo filled by seed_demo: staff of every department, discipline, convictions and checks that obey
every rule the services enforce, the reported figures of the first half of 2022, and nothing duplicated."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count
from django.utils import timezone

from anticor import demo
from anticor.access import Role
from anticor.dates import add_months
from anticor.identifiers import validate_iin
from anticor.models import Department, User
from integrity import selectors
from integrity.choices import (
    CHECK_TRANSITIONS,
    DISCIPLINE_TRANSITIONS,
    CheckOutcome,
    CheckStatus,
    DisciplineStatus,
    EmployeeStatus,
)
from integrity.demo import H1_2022, TESTER_USERNAME, demo_integrity
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    DisciplinaryRecordEvent,
    Employee,
    IntegrityCheck,
    IntegrityCheckEvent,
)
from integrity.services import discipline_expire_due

pytestmark = pytest.mark.django_db

PASSWORD = "Demo-Integr1ty-42"
MODELS = (User, Employee, DisciplinaryRecord, DisciplinaryRecordEvent, Conviction, IntegrityCheck, IntegrityCheckEvent)


@pytest.fixture(autouse=True)
def fast_hasher(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "VAR_DIR", tmp_path / "var")


@pytest.fixture
def users(monkeypatch) -> dict[str, User]:
    """The demo users of seed_demo, without the other apps' demo data."""
    monkeypatch.setattr(demo, "DEMO_DATA_STEPS", [])
    demo.demo_seed(password=PASSWORD)
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def seeded(users) -> dict[str, User]:
    started = time.monotonic()
    demo_integrity(users)
    assert time.monotonic() - started < 5
    return {user.username: user for user in User.objects.all()}


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def test_the_step_is_registered_with_seed_demo():
    assert demo_integrity in demo.DEMO_DATA_STEPS


def test_every_department_has_staff_with_valid_unique_identifiers(seeded):
    per_department = dict(Employee.objects.values_list("department__code").annotate(n=Count("id")))
    active = set(Department.objects.filter(is_active=True).values_list("code", flat=True))
    assert set(per_department) == active
    assert per_department["00"] == max(per_department.values())
    assert all(n >= 8 for n in per_department.values())
    for employee in Employee.objects.select_related("department"):
        validate_iin(employee.iin)
        # field validators: personnel number format, IIN, choices (uniqueness is the database's)
        employee.full_clean(exclude=["department", "user"], validate_unique=False, validate_constraints=False)
        assert employee.personnel_number.startswith(f"{employee.department.code}-")
        assert employee.position
        assert employee.hired_on <= timezone.localdate()
        if employee.status == EmployeeStatus.DISMISSED:
            assert employee.hired_on <= employee.dismissed_on <= timezone.localdate()
        else:
            assert employee.dismissed_on is None
    assert Employee.objects.filter(status=EmployeeStatus.DISMISSED).count() >= 5
    assert Employee.objects.exclude(special_rank="").count() > Employee.objects.count() // 2


def test_demo_users_are_linked_to_their_employee_records(seeded):
    for username in ("investigator", "head", "analyst", "lead", "security", "auditor", TESTER_USERNAME):
        employee = Employee.objects.get(user=seeded[username])
        assert employee.department_id == seeded[username].department_id
        assert employee.last_name == seeded[username].last_name
    # one check is about the investigator, none about either internal-security officer
    assert IntegrityCheck.objects.filter(employee__user=seeded["investigator"]).count() == 1
    assert not IntegrityCheck.objects.filter(employee__user__in=[seeded["security"], seeded[TESTER_USERNAME]]).exists()
    # so security sees every check, and the investigator's check stays hidden from them alone
    assert selectors.integrity_checks(seeded["security"]).count() == IntegrityCheck.objects.count()
    assert selectors.integrity_checks(seeded["investigator"]).count() == 0


def test_the_second_tester_is_internal_security_with_the_demo_password(seeded):
    tester = seeded[TESTER_USERNAME]
    assert tester.department.code == "71"
    assert list(tester.groups.values_list("name", flat=True)) == [Role.INTERNAL_SECURITY]
    assert tester.is_active
    assert tester.check_password(PASSWORD)


def test_discipline_records_obey_the_service_rules(seeded):
    today = timezone.localdate()
    records = DisciplinaryRecord.objects.select_related("employee", "sanction").prefetch_related("events")
    assert records.count() > 500
    for record in records:
        record.full_clean(exclude=["employee", "sanction"], validate_unique=False)
        assert record.committed_on <= record.discovered_on <= record.imposed_on <= today, record.pk
        assert record.imposed_on >= record.employee.hired_on, record.pk
        if record.negative_grounds:
            assert record.sanction.is_dismissal, record.pk
        if record.sanction.is_dismissal:
            assert record.expires_on is None, record.pk
            assert record.employee.status == EmployeeStatus.DISMISSED, record.pk
            assert record.employee.dismissed_on == record.imposed_on, record.pk
        else:
            assert record.expires_on == add_months(record.imposed_on, 12), record.pk
            assert record.expires_on > record.imposed_on, record.pk
        if record.status == DisciplineStatus.EXPIRED:
            assert record.expires_on < today, record.pk
            assert record.status_changed_on == record.expires_on, record.pk
        if record.status in (DisciplineStatus.ACTIVE, DisciplineStatus.APPEALED) and record.expires_on:
            assert record.expires_on >= today, record.pk  # the daily task has nothing left to expire
        assert record.status_changed_on is None or record.imposed_on <= record.status_changed_on <= today
        if record.employee.dismissed_on:
            assert record.imposed_on <= record.employee.dismissed_on, record.pk
        # the events walk the status machine from creation to the current status
        events = list(record.events.all())
        assert (events[0].from_status, events[0].to_status) == ("", DisciplineStatus.ACTIVE)
        for event in events[1:]:
            assert event.to_status in DISCIPLINE_TRANSITIONS[event.from_status], record.pk
        assert events[-1].to_status == record.status, record.pk
    statuses = set(records.values_list("status", flat=True))
    assert statuses == set(DisciplineStatus.values)
    assert records.filter(corruption_related=True).count() > 20
    by_sanction = dict(records.values_list("sanction__code").annotate(n=Count("id")))
    assert by_sanction["remark"] + by_sanction["reprimand"] > records.count() // 2
    assert records.filter(negative_grounds=True).count() > H1_2022["dismissed_negative"]
    assert discipline_expire_due() == 0  # consistent with today: nothing left to expire


def test_convictions_are_of_corruption_crimes_of_dismissed_staff(seeded):
    convictions = Conviction.objects.select_related("employee", "article")
    assert convictions.count() >= 3
    for conviction in convictions:
        assert conviction.article.code in {"366", "367", "368"}
        assert conviction.employee.status == EmployeeStatus.DISMISSED
        assert conviction.employee.dismissed_on <= conviction.verdict_on <= timezone.localdate()
        assert conviction.employee.disciplinary_records.filter(negative_grounds=True, corruption_related=True).exists()


def test_checks_in_every_status_obey_the_safeguards(seeded):
    today = timezone.localdate()
    checks = IntegrityCheck.objects.select_related(
        "employee", "employee__department", "tester", "approver", "follow_up_record"
    ).prefetch_related("events")
    assert set(checks.values_list("status", flat=True)) == set(CheckStatus.values)
    assert set(checks.exclude(outcome="").values_list("outcome", flat=True)) == set(CheckOutcome.values)
    internal_security = set(User.objects.filter(groups__name=Role.INTERNAL_SECURITY).values_list("pk", flat=True))
    for check in checks:
        check.full_clean()
        assert check.tester_id in internal_security
        assert check.employee.user_id != check.tester_id
        assert check.planned_from <= check.planned_to
        if check.status not in (CheckStatus.DRAFT, CheckStatus.CANCELLED) or check.approver_id:
            assert check.approver_id in internal_security, check.pk
            assert check.approver_id != check.tester_id, check.pk
            assert check.approver.department_id != check.employee.department_id, check.pk
            assert check.safeguards_confirmed, check.pk
            assert check.approved_on <= min(check.planned_to, today), check.pk
        if check.status in (CheckStatus.CONDUCTED, CheckStatus.REVIEWED, CheckStatus.CLOSED):
            assert check.planned_from <= check.conducted_on <= check.planned_to, check.pk
            assert check.approved_on <= check.conducted_on <= today, check.pk
            assert check.conduct_notes
        else:
            assert check.conducted_on is None, check.pk
        if check.outcome:
            assert check.status in (CheckStatus.REVIEWED, CheckStatus.CLOSED), check.pk
            assert check.conducted_on <= check.reviewed_on <= today, check.pk
        else:
            assert check.status not in (CheckStatus.REVIEWED, CheckStatus.CLOSED), check.pk
        if check.employee_informed_on:
            assert check.reviewed_on <= check.employee_informed_on <= today, check.pk
        if check.follow_up_record_id:
            record = check.follow_up_record
            assert check.outcome == CheckOutcome.FAILED, check.pk
            assert record.employee_id == check.employee_id, check.pk
            assert record.discovered_on >= check.conducted_on, check.pk
        if check.status == CheckStatus.CLOSED:
            assert check.employee_informed_on is not None, check.pk
            assert check.employee_informed_on <= check.closed_on <= today, check.pk
            if check.outcome == CheckOutcome.FAILED:
                assert check.follow_up_record_id is not None, check.pk
        if check.status == CheckStatus.CANCELLED:
            assert check.cancel_reason
        events = list(check.events.all())
        assert (events[0].from_status, events[0].to_status) == ("", CheckStatus.DRAFT)
        for event in events[1:]:
            assert event.to_status in CHECK_TRANSITIONS[event.from_status], check.pk
        assert events[-1].to_status == check.status, check.pk
    # the open steps of the workflow are there to try: a failed check waiting for its sanction, a draft to approve
    assert checks.filter(status=CheckStatus.REVIEWED, outcome=CheckOutcome.FAILED, follow_up_record=None).exists()
    assert checks.filter(status=CheckStatus.DRAFT, tester=seeded[TESTER_USERNAME]).exists()
    assert checks.filter(employee__department__code="00", approver=seeded[TESTER_USERNAME]).exists()


def test_first_half_of_2022_shows_the_reported_figures(seeded):
    rows = selectors.staff_integrity_summary(seeded["security"], selectors.parse_half_year("2022-H1"))
    total = rows[-1]
    assert total.department is None
    assert (
        total.convicted,
        total.disciplined,
        total.dismissed_negative,
        total.checks_conducted,
        total.checks_failed,
    ) == (2, 142, 5, 3, 1)
    assert H1_2022 == {
        "convicted": 2,
        "disciplined": 142,
        "dismissed_negative": 5,
        "checks_conducted": 3,
        "checks_failed": 1,
    }
    assert total.employees > 600
    assert sum(1 for row in rows[:-1] if row.disciplined) > 15  # spread over the departments


def test_a_second_run_creates_nothing(seeded):
    before = counts()
    demo_integrity(seeded)
    assert counts() == before


def test_seed_demo_runs_the_step_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_DATA_STEPS", [demo_integrity])
    demo.demo_seed(password=PASSWORD)
    before = counts()
    assert before[MODELS.index(Employee)] > 600
    demo.demo_seed(password=PASSWORD)
    assert counts() == before
    assert all(user.check_password(PASSWORD) for user in User.objects.all())
