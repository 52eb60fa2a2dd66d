"""Small, explicit facts for the indicator tests: every row says exactly what it is, so that the expected
figures can be computed by hand from the test itself."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

from anticor.indicators.models import IndicatorValue
from anticor.models import Department, StateBody, User
from cases.choices import CaseStatus, PostCategory, RootCauseStatus, SubjectRole
from cases.models import Case, Recommendation, RootCause, RootCauseCategory, Sector, Subject, TerminationGround
from integrity.choices import CheckOutcome, CheckStatus, CheckTrigger, DisciplineStatus
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck, Sanction

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
_numbers = itertools.count(1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def state_body(code: str = "75") -> StateBody:
    return StateBody.objects.filter(region__code=code).order_by("id").first()


def case(
    dept: str = "75",
    *,
    registered_on: str = "2023-03-01",
    status: str = CaseStatus.INVESTIGATING,
    sent_to_court_on: str | None = None,
    closed_on: str | None = None,
    ground: str | None = None,
    damage: int = 0,
    recovered: int = 0,
    archived: bool = False,
    entered_at: dt.datetime | None = None,
    body: StateBody | None = None,
    merged_into: Case | None = None,
) -> Case:
    """A case as the services would leave it (dates set for the status reached); ``entered_at`` is local time."""
    created = Case.objects.create(
        registration_number=f"{dept}{next(_numbers):013d}",
        registered_on=d(registered_on),
        department=department(dept),
        state_body=body or state_body(dept),
        sector=Sector.objects.get(code="land"),
        summary="Тестовое дело",
        status=status,
        sent_to_court_on=d(sent_to_court_on) if sent_to_court_on else None,
        closed_on=d(closed_on) if closed_on else None,
        termination_ground=TerminationGround.objects.get(code=ground) if ground else None,
        damage_amount=Decimal(damage),
        recovered_amount=Decimal(recovered),
        is_archived=archived,
        merged_into=merged_into,
    )
    when = entered_at or dt.datetime.combine(d(registered_on), dt.time(10, 0), tzinfo=ALMATY)
    Case.objects.filter(pk=created.pk).update(created_at=when)
    return created


def root_cause(
    dept: str = "75",
    *,
    identified_on: str = "2023-01-10",
    status: str = RootCauseStatus.IDENTIFIED,
    verified_on: str | None = None,
    category: str = "manual_process",
    cases: tuple[Case, ...] = (),
    body: StateBody | None = None,
) -> RootCause:
    cause = RootCause.objects.create(
        department=department(dept),
        category=RootCauseCategory.objects.get(code=category),
        description="Тестовая причина",
        state_body=body or state_body(dept),
        identified_on=d(identified_on),
        status=status,
        verified_on=d(verified_on) if verified_on else None,
        verification_evidence="Проверено на месте" if verified_on else "",
    )
    cause.cases.set(cases)
    return cause


def recommendation(dept: str = "75", *, due_on: str, answered_on: str | None = None) -> Recommendation:
    due = d(due_on)
    issued = due - dt.timedelta(days=40)
    return Recommendation.objects.create(
        number=f"R-{next(_numbers)}",
        department=department(dept),
        addressee=state_body(dept),
        issued_on=issued,
        delivered_on=issued + dt.timedelta(days=5),
        due_on=due,
        answered_on=d(answered_on) if answered_on else None,
        status="answered" if answered_on else "issued",
    )


def subject(of: Case, *, role: str = SubjectRole.ACCUSED, post: str = PostCategory.OTHER, removed: bool = False):
    return Subject.objects.create(
        case=of,
        full_name="Тестов Тест",
        iin=f"{next(_numbers):012d}",
        role=role,
        post_category=post,
        is_removed=removed,
    )


def employee(dept: str = "75") -> Employee:
    number = next(_numbers)
    return Employee.objects.create(
        personnel_number=f"T{number}",
        last_name="Сотрудников",
        first_name="Тест",
        iin=f"{880000000000 + number:012d}",
        department=department(dept),
        position="Следователь",
        hired_on=d("2015-01-01"),
    )


def discipline(
    of: Employee, *, imposed_on: str, sanction: str = "reprimand", negative: bool = False, status: str = "active"
) -> DisciplinaryRecord:
    imposed = d(imposed_on)
    return DisciplinaryRecord.objects.create(
        employee=of,
        offence="Нарушение",
        committed_on=imposed - dt.timedelta(days=20),
        discovered_on=imposed - dt.timedelta(days=10),
        sanction=Sanction.objects.get(code=sanction),
        negative_grounds=negative,
        order_number=f"П-{next(_numbers)}",
        imposed_on=imposed,
        status=status,
    )


def conviction(of: Employee, *, verdict_on: str) -> Conviction:
    from anticor.models import Article

    return Conviction.objects.create(
        employee=of, article=Article.objects.get(code="366"), verdict_on=d(verdict_on), sentence="Лишение свободы"
    )


def integrity_check(of: Employee, *, conducted_on: str, outcome: str = "", tester: User, approver: User):
    reviewed = bool(outcome)
    return IntegrityCheck.objects.create(
        employee=of,
        trigger=CheckTrigger.RANDOM,
        scenario="Предложение вознаграждения",
        tester=tester,
        approver=approver,
        approved_on=d(conducted_on) - dt.timedelta(days=5),
        planned_from=d(conducted_on) - dt.timedelta(days=1),
        planned_to=d(conducted_on) + dt.timedelta(days=1),
        status=CheckStatus.REVIEWED if reviewed else CheckStatus.CONDUCTED,
        conducted_on=d(conducted_on),
        outcome=outcome,
        reviewed_on=d(conducted_on) + dt.timedelta(days=3) if reviewed else None,
    )


FAILED, PASSED = CheckOutcome.FAILED, CheckOutcome.PASSED
OVERTURNED = DisciplineStatus.OVERTURNED


def figure(code: str, scope: str, period: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(value, numerator, denominator) as stored."""
    row = IndicatorValue.objects.get(code=code, scope=scope, period=period)
    return row.value, row.numerator, row.denominator


def value(code: str, scope: str, period: str) -> Decimal | None:
    return figure(code, scope, period)[0]


def D(text: str | int) -> Decimal:  # reads like a literal in the expected tuples
    return Decimal(text)
