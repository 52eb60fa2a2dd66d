"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime
import datetime as dt
import itertools
import uuid
import zoneinfo
from decimal import Decimal

import factory
from django.utils import timezone

from anticor.access import Role
from anticor.indicators.models import AGENCY, Indicator, IndicatorRun, IndicatorValue, RunTrigger
from anticor.indicators.services import indicator_catalogue_sync
from anticor.models import Article, Department, StateBody, User
from anticor.roles.services import roles_seed
from cases.choices import CaseStatus, PostCategory, RootCauseStatus, SubjectRole
from cases.models import Case, Recommendation, RootCause, RootCauseCategory, Sector, Subject, TerminationGround
from integrity.choices import CheckOutcome, CheckStatus, CheckTrigger, DisciplineStatus
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck, Sanction
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

TEST_PASSWORD = "Corr3ct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=("investigator",)`` adds role groups, ``department_code="75"`` picks the department."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        department_code = "75"

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    password = factory.django.Password(TEST_PASSWORD)
    department = factory.LazyAttribute(
        lambda o: Department.objects.get(code=o.department_code) if o.department_code else None
    )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        # Through the recorded bootstrap path: every membership has its role-change row, as in production.
        if extracted:
            roles_seed(user=self, roles=extracted, reason="Тестовые данные (фабрика)", exact=False)


class CaseFactory(factory.django.DjangoModelFactory):
    """A registered case of department 75 (Almaty) about the city akimat, article 366, sector land."""

    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    class Params:
        department_code = "75"

    registration_number = factory.Sequence(lambda n: f"{750000000000000 + n:015d}")
    registered_on = factory.LazyFunction(lambda: datetime.date(2026, 3, 2))
    department = factory.LazyAttribute(lambda o: Department.objects.get(code=o.department_code))
    state_body = factory.LazyAttribute(lambda o: StateBody.objects.filter(region__code="75").first())
    sector = factory.LazyAttribute(lambda o: Sector.objects.get(code="land"))
    summary = "Получение взятки за выделение земельного участка"

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        codes = extracted or ["366"]
        self.articles.set(Article.objects.filter(code__in=codes))


def _valid_iin(n: int) -> str:
    """A valid IIN for a man born on 1 January 1985 + n days (serial from n), check digit computed."""
    from anticor.identifiers import check_digit

    born = datetime.date(1985, 1, 1) + datetime.timedelta(days=n % 9000)
    for serial in range(n % 9000, n % 9000 + 50):
        first = f"{born:%y%m%d}3{serial % 10000:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("no valid IIN")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An active employee of department 75 (Almaty), hired in 2015."""

    class Meta:
        model = "integrity.Employee"

    class Params:
        department_code = "75"

    personnel_number = factory.Sequence(lambda n: f"T{n:05d}")
    last_name = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    iin = factory.Sequence(_valid_iin)
    department = factory.LazyAttribute(lambda o: Department.objects.get(code=o.department_code))
    position = "Старший следователь"
    special_rank = "капитан"
    hired_on = datetime.date(2015, 9, 1)


class DisciplinaryRecordFactory(factory.django.DjangoModelFactory):
    """A reprimand imposed on 2026-03-10 for an offence of 2026-02-20 discovered on 2026-03-01."""

    class Meta:
        model = "integrity.DisciplinaryRecord"

    employee = factory.SubFactory(EmployeeFactory)
    offence = "Нарушение служебной дисциплины"
    committed_on = datetime.date(2026, 2, 20)
    discovered_on = datetime.date(2026, 3, 1)
    sanction = factory.LazyFunction(lambda: Sanction.objects.get(code="reprimand"))
    order_number = factory.Sequence(lambda n: f"{n}-лс")
    imposed_on = datetime.date(2026, 3, 10)
    expires_on = datetime.date(2027, 3, 10)


class IntegrityCheckFactory(factory.django.DjangoModelFactory):
    """A random draft check of an Almaty employee in June 2026 with every safeguard confirmed."""

    class Meta:
        model = "integrity.IntegrityCheck"

    employee = factory.SubFactory(EmployeeFactory)
    trigger = "random"
    scenario = "Предложение вознаграждения за ускорение рассмотрения обращения"
    tester = factory.SubFactory(UserFactory, roles=("internal_security",), department_code="00")
    planned_from = datetime.date(2026, 6, 1)
    planned_to = datetime.date(2026, 6, 30)
    safeguard_realistic = True
    safeguard_no_excess_inducement = True
    safeguard_no_provocation = True


# --- projects: objects for the router matrix and the fuzz tests -------------------------------------------------

PROJECT_START = dt.date(2026, 1, 1)
KPI_TARGET_ON = PROJECT_START + dt.timedelta(days=300)
KPI_MEASURED_ON = PROJECT_START + dt.timedelta(days=100)


def make_project(department: str = "75") -> Project:
    return Project.objects.create(
        direction=Direction.objects.get(code="anti_corruption"),
        code=f"T-{uuid.uuid4().hex[:10]}",
        title="Прозрачные земельные торги",
        goal="Исключить ручное распределение земельных участков",
        lead=UserFactory(roles=(Role.PROJECT_LEAD,), department_code="00"),
        owner_department=Department.objects.get(code=department),
        start_on=PROJECT_START,
        end_on=dt.date(2027, 6, 30),
    )


def make_kpi(department: str = "75") -> KPI:
    return KPI.objects.create(
        project=make_project(department),
        name="Доля участков, распределённых через аукцион",
        unit="%",
        baseline=Decimal(10),
        target=Decimal(100),
        target_on=KPI_TARGET_ON,
    )


def make_measurement(department: str = "75") -> KPIMeasurement:
    return KPIMeasurement.objects.create(kpi=make_kpi(department), measured_on=KPI_MEASURED_ON, value=Decimal(35))


def make_milestone(department: str = "75") -> Milestone:
    return Milestone.objects.create(project=make_project(department), title="Регламент торгов", due_on=PROJECT_START)


def make_risk(department: str = "75") -> Risk:
    return Risk.objects.create(project=make_project(department), description="Сопротивление", likelihood=3, impact=4)


def make_public_event(department: str = "75") -> PublicEvent:
    return PublicEvent.objects.create(
        project=make_project(department), held_on=PROJECT_START, kind="hearing", title="Слушания", participants=40
    )


# The hook for the matrix: ``MAKERS.update(PROJECT_MAKERS)``.
PROJECT_MAKERS = {
    Project: make_project,
    KPI: make_kpi,
    KPIMeasurement: make_measurement,
    Milestone: make_milestone,
    Risk: make_risk,
    PublicEvent: make_public_event,
}


# --- integrity: objects for the router matrix and the fuzz tests -------------------------------------------------


def make_employee(department: str = "75") -> Employee:
    return EmployeeFactory(department_code=department)


def make_record(department: str = "75") -> DisciplinaryRecord:
    return DisciplinaryRecordFactory(employee=make_employee(department))


def make_conviction(department: str = "75") -> Conviction:
    return Conviction.objects.create(
        employee=make_employee(department),
        article=Article.objects.get(code="366"),
        verdict_on=dt.date(2026, 4, 1),
        court="Специализированный межрайонный суд по уголовным делам г. Алматы",
        sentence="Штраф и пожизненное лишение права занимать должности на государственной службе",
    )


def make_check(department: str = "75") -> IntegrityCheck:
    return IntegrityCheckFactory(employee=make_employee(department))


# The hook for the matrix and the fuzz tests: ``MAKERS.update(INTEGRITY_MAKERS)``.
INTEGRITY_MAKERS = {
    Employee: make_employee,
    DisciplinaryRecord: make_record,
    Conviction: make_conviction,
    IntegrityCheck: make_check,
}


# --- indicators: objects for the router matrix and the fuzz tests -------------------------------------------------


def make_run(department: str = "75") -> IndicatorRun:
    return IndicatorRun.objects.create(trigger=RunTrigger.COMMAND, reason="Пересчёт командой", status="succeeded")


_months = itertools.count()


def make_value(department: str = "75", *, code: str = "cases_registered", period: str | None = None, **values):
    """A stored value; without a period, a month of its own (the matrix makes several of one department)."""
    if period is None:
        n = next(_months)
        period = f"{2000 + n // 12}-{n % 12 + 1:02d}"
    dept = None if department == AGENCY else Department.objects.get(code=department)
    return IndicatorValue.objects.create(
        code=code,
        scope=department,
        department=dept,
        period=period,
        formula_version=1,
        run=make_run(),
        computed_at=timezone.now(),
        **({"value": Decimal(3), "numerator": Decimal(3)} | values),
    )


def make_indicator(department: str = "75") -> Indicator:
    indicator_catalogue_sync()
    return Indicator.objects.order_by("id").first()


# The hook for the matrix: ``MAKERS.update(INDICATOR_MAKERS)``.
INDICATOR_MAKERS = {Indicator: make_indicator, IndicatorValue: make_value, IndicatorRun: make_run}


# --- indicator scenarios: small, explicit facts, so that expected figures can be computed by hand from the test ---

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
