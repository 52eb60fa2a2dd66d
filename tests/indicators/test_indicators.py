"""Every indicator of DESIGN.md §4.5 against figures computed by hand from a few explicit facts.

Each test builds only the facts of its indicator, runs the real recompute (set-based SQL in PostgreSQL) and reads
the stored (value, numerator, denominator) for a department, another department and the agency total. A zero
denominator is stored as no value. Periods of 2023: H1 = 1 Jan – 30 Jun (181 days), June = 30 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anticor.indicators.models import RunTrigger
from anticor.indicators.registry import registry
from anticor.indicators.services import indicators_recompute
from anticor.models import User
from cases.choices import CaseStatus as S
from cases.choices import PostCategory, RootCauseStatus, SubjectRole
from projects.choices import Better as KPIBetter
from projects.choices import KPISource, ProjectStatus
from projects.models import KPI, KPIMeasurement
from tests import factories as data
from tests.factories import ALMATY, D, case, figure, make_project, root_cause, value

pytestmark = pytest.mark.django_db

NONE = (None, D(0), D(0))


def recompute():
    run = indicators_recompute(trigger=RunTrigger.COMMAND)
    assert run.status == "succeeded", run.error
    return run


def test_all_nineteen_indicators_of_the_design_are_registered():
    assert set(registry.codes()) == {
        "root_cause_coverage",
        "recommendations_on_time",
        "causes_eliminated",
        "days_to_eliminate",
        "recurrence_rate",
        "rehabilitation_rate",
        "court_confirmation_rate",
        "damage_recovery_rate",
        "kpi_on_track",
        "staff_convicted",
        "staff_disciplined",
        "staff_dismissed_negative",
        "integrity_checks_conducted",
        "integrity_check_fail_rate",
        "end_of_period_registrations",
        "backdated_entries",
        "cases_registered",
        "cases_sent_to_court",
        "officials_rank_score",
    }
    legacy = {d.code for d in registry.all() if d.legacy}
    assert legacy == {"cases_registered", "cases_sent_to_court", "officials_rank_score"}
    assert registry.codes()[-3:] == ["cases_registered", "cases_sent_to_court", "officials_rank_score"]


def test_root_cause_coverage_counts_completed_cases_with_a_live_root_cause():
    # Given completed cases of department 75 in 2023-H1 …
    with_cause = case(status=S.SENT_TO_COURT, sent_to_court_on="2023-06-30")  # last day of H1: counts in H1
    without = case(status=S.TERMINATED, closed_on="2023-03-01", ground="amnesty")
    only_rejected = case(status=S.SENT_TO_COURT, sent_to_court_on="2023-05-01")
    root_cause(cases=(with_cause,))
    root_cause(cases=(only_rejected,), status=RootCauseStatus.REJECTED)
    # … and cases that do not count: completed in H2, sent to court in 2022 (convicted in 2023), archived, open
    root_cause(cases=(case(status=S.SENT_TO_COURT, sent_to_court_on="2023-07-01"),))
    root_cause(cases=(case(status=S.CONVICTED, sent_to_court_on="2022-12-20", closed_on="2023-02-01"),))
    root_cause(cases=(case(status=S.SENT_TO_COURT, sent_to_court_on="2023-04-01", archived=True),))
    case(status=S.INVESTIGATING)
    assert without.pk

    recompute()

    assert figure("root_cause_coverage", "75", "2023-H1") == (D("33.3333"), D(1), D(3))
    assert figure("root_cause_coverage", "75", "2023-Q2") == (D(50), D(1), D(2))
    assert figure("root_cause_coverage", "75", "2023-H2") == (D(100), D(1), D(1))
    assert figure("root_cause_coverage", "71", "2023-H1") == NONE
    assert figure("root_cause_coverage", "agency", "2023-H1") == (D("33.3333"), D(1), D(3))
    assert figure("root_cause_coverage", "agency", "2023") == (D(50), D(2), D(4))


def test_recommendations_on_time_answered_by_the_due_date():
    data.recommendation(due_on="2023-06-30", answered_on="2023-06-30")  # on the due date: on time
    data.recommendation(due_on="2023-03-10", answered_on="2023-03-11")  # a day late
    data.recommendation(due_on="2023-04-01")  # unanswered
    data.recommendation(due_on="2023-07-01", answered_on="2023-06-01")  # due in H2
    data.recommendation("71", due_on="2023-05-05", answered_on="2023-05-01")

    recompute()

    assert figure("recommendations_on_time", "75", "2023-H1") == (D("33.3333"), D(1), D(3))
    assert figure("recommendations_on_time", "75", "2023-H2") == (D(100), D(1), D(1))
    assert figure("recommendations_on_time", "71", "2023-H1") == (D(100), D(1), D(1))
    assert figure("recommendations_on_time", "agency", "2023-H1") == (D(50), D(2), D(4))
    assert figure("recommendations_on_time", "71", "2023-H2") == NONE


def test_causes_eliminated_over_the_twelve_months_ending_at_the_period_end():
    # Window for 2023-H1: identified in (2022-06-30, 2023-06-30]
    root_cause(identified_on="2022-07-01", status=RootCauseStatus.ELIMINATED, verified_on="2023-06-30")  # yes
    root_cause(identified_on="2022-06-30", status=RootCauseStatus.ELIMINATED, verified_on="2022-12-01")  # outside
    root_cause(identified_on="2023-01-10", status=RootCauseStatus.ELIMINATED, verified_on="2023-07-05")  # later
    root_cause(identified_on="2023-02-01", status=RootCauseStatus.REJECTED)  # not counted at all
    root_cause(identified_on="2023-03-01", status=RootCauseStatus.RECOMMENDED)
    root_cause(identified_on="2023-01-15", status=RootCauseStatus.REGRESSED, verified_on="2023-03-01")  # was verified

    recompute()

    assert figure("causes_eliminated", "75", "2023-H1") == (D(50), D(2), D(4))
    # 2023-Q1 window (2022-03-31, 2023-03-31]: five live causes identified, two verified by 31 March
    assert figure("causes_eliminated", "75", "2023-Q1") == (D(40), D(2), D(5))
    assert figure("causes_eliminated", "71", "2023-H1") == NONE
    assert figure("causes_eliminated", "agency", "2023-H1") == (D(50), D(2), D(4))


def test_days_to_eliminate_is_the_median_over_causes_verified_in_the_period():
    for identified, verified in (
        ("2023-01-01", "2023-04-11"),
        ("2023-03-01", "2023-03-21"),
        ("2023-05-01", "2023-06-01"),
    ):
        root_cause(identified_on=identified, status=RootCauseStatus.ELIMINATED, verified_on=verified)  # 100, 20, 31
    for identified, verified in (("2023-02-01", "2023-02-11"), ("2023-02-01", "2023-02-22")):
        root_cause("71", identified_on=identified, status=RootCauseStatus.ELIMINATED, verified_on=verified)  # 10, 21
    root_cause(identified_on="2023-01-01", status=RootCauseStatus.IMPLEMENTED)  # declared, not verified

    recompute()

    assert figure("days_to_eliminate", "75", "2023-H1") == (D(31), D(3), None)
    assert figure("days_to_eliminate", "71", "2023-H1") == (D("15.5"), D(2), None)
    assert figure("days_to_eliminate", "agency", "2023-H1") == (D(21), D(5), None)
    assert figure("days_to_eliminate", "75", "2023-H2") == (None, D(0), None)


def test_recurrence_rate_and_the_causes_it_marks_regressed():
    body75, body71 = data.state_body("75"), data.state_body("71")
    back = root_cause(category="manual_process", status=RootCauseStatus.ELIMINATED, verified_on="2023-03-01")
    late = root_cause(category="conflict_of_interest", status=RootCauseStatus.ELIMINATED, verified_on="2023-02-01")
    other = root_cause(category="concentration", status=RootCauseStatus.ELIMINATED, verified_on="2023-04-01")
    archived = root_cause(
        "71", category="excessive_discretion", status=RootCauseStatus.ELIMINATED, verified_on="2023-01-01"
    )
    # Later cases of the same state body: with a cause of the same category (the scheme is back) …
    came_back = case(registered_on="2023-05-01", body=body75)
    root_cause(identified_on="2023-05-10", category="manual_process", cases=(came_back,))
    next_year = case(registered_on="2024-01-10", body=body75)
    root_cause(identified_on="2024-01-20", category="conflict_of_interest", cases=(next_year,))
    # … on the very day of a verification (not after it), with a cause of another category, and an archived case:
    # none is a recurrence
    same_day = case(registered_on="2023-04-01", body=body75)
    root_cause(identified_on="2023-04-01", category="concentration", cases=(same_day,))
    root_cause(identified_on="2023-05-10", category="excessive_requirements", cases=(case(registered_on="2023-05-02"),))
    gone = case("71", registered_on="2023-06-01", body=body71, archived=True)
    root_cause("71", identified_on="2023-06-02", category="excessive_discretion", cases=(gone,))

    run = recompute()

    # 2023: verified in (2021-12-31, 2023-12-31]; came back by 31 Dec 2023: only the first
    assert figure("recurrence_rate", "75", "2023") == (D("33.3333"), D(1), D(3))
    assert figure("recurrence_rate", "71", "2023") == (D(0), D(0), D(1))
    assert figure("recurrence_rate", "agency", "2023") == (D(25), D(1), D(4))
    assert figure("recurrence_rate", "75", "2024") == (D("66.6667"), D(2), D(3))
    # Before the case of May it had not come back yet
    assert figure("recurrence_rate", "75", "2023-Q1") == (D(0), D(0), D(2))
    # The causes that came back are regressed, with the date and the case that showed it
    assert run.causes_regressed == 2
    back.refresh_from_db()
    late.refresh_from_db()
    assert (back.status, back.regressed_on, back.regressed_by_id) == ("regressed", dt.date(2023, 5, 1), came_back.pk)
    assert (late.status, late.regressed_on, late.regressed_by_id) == ("regressed", dt.date(2024, 1, 10), next_year.pk)
    other.refresh_from_db()
    archived.refresh_from_db()
    assert (other.status, other.regressed_on, archived.status) == ("eliminated", None, "eliminated")
    # The audit trail holds the change, and the cause's timeline the move, by nobody (the nightly job)
    assert back.audit_events.filter(pgh_label="update", status="regressed").count() == 1
    event = back.events.get()
    assert (event.actor, event.from_status, event.to_status) == (None, "eliminated", "regressed")
    assert event.data == {"on": "2023-05-01", "case": came_back.pk}
    assert event.reason == "После устранения зарегистрировано новое дело того же госоргана и категории."
    # A rerun marks nothing more
    assert recompute().causes_regressed == 0
    assert back.events.count() == 1


def test_rehabilitation_and_court_confirmation_rates():
    case(status=S.TERMINATED, closed_on="2023-03-01", ground="no_corpus_delicti")  # rehabilitating
    case(status=S.TERMINATED, closed_on="2023-04-01", ground="amnesty")  # not rehabilitating
    case(status=S.ACQUITTED, sent_to_court_on="2023-01-20", closed_on="2023-06-30")
    case(status=S.CONVICTED, sent_to_court_on="2023-02-01", closed_on="2023-05-05")
    case(status=S.TERMINATED_BY_COURT, sent_to_court_on="2023-01-10", closed_on="2023-02-02")
    case(status=S.MERGED, closed_on="2023-03-03", merged_into=case())  # not an outcome of prosecution
    case(status=S.TERMINATED, closed_on="2023-07-01", ground="no_event")  # H2
    case(status=S.ACQUITTED, sent_to_court_on="2023-01-20", closed_on="2023-03-01", archived=True)

    recompute()

    assert figure("rehabilitation_rate", "75", "2023-H1") == (D(40), D(2), D(5))
    assert figure("court_confirmation_rate", "75", "2023-H1") == (D("33.3333"), D(1), D(3))
    assert figure("rehabilitation_rate", "75", "2023-H2") == (D(100), D(1), D(1))
    assert figure("court_confirmation_rate", "75", "2023-H2") == NONE
    assert figure("rehabilitation_rate", "71", "2023-H1") == NONE
    assert figure("court_confirmation_rate", "agency", "2023-H1") == (D("33.3333"), D(1), D(3))


def test_damage_recovery_rate_over_cases_completed_in_the_period():
    case(status=S.SENT_TO_COURT, sent_to_court_on="2023-02-01", damage=1000, recovered=250)
    case(status=S.TERMINATED, closed_on="2023-06-30", ground="amnesty", damage=3000, recovered=0)
    case(status=S.INVESTIGATING, damage=5000, recovered=5000)  # not completed
    case("71", status=S.SENT_TO_COURT, sent_to_court_on="2023-03-01")  # no damage: 0 ÷ 0

    recompute()

    assert figure("damage_recovery_rate", "75", "2023-H1") == (D("6.25"), D(250), D(4000))
    assert figure("damage_recovery_rate", "71", "2023-H1") == NONE
    assert figure("damage_recovery_rate", "agency", "2023-H1") == (D("6.25"), D(250), D(4000))


def test_end_of_period_registrations_in_the_last_tenth_of_the_period():
    # June (30 days): the last tenth is 28–30 June. H1 (181 days): from day 163, 13 June.
    for day in ("2023-06-01", "2023-06-12", "2023-06-13", "2023-06-27", "2023-06-28", "2023-06-30"):
        case(registered_on=day)

    recompute()

    assert figure("end_of_period_registrations", "75", "2023-06") == (D("33.3333"), D(2), D(6))
    assert figure("end_of_period_registrations", "75", "2023-H1") == (D("66.6667"), D(4), D(6))
    assert figure("end_of_period_registrations", "75", "2023-Q2") == (D(50), D(3), D(6))  # 91 days: from 22 June
    assert figure("end_of_period_registrations", "71", "2023-06") == NONE
    definition = registry.get("end_of_period_registrations")
    assert definition.threshold == Decimal(20)
    assert definition.exceeds_threshold(value("end_of_period_registrations", "75", "2023-06"))
    assert not definition.exceeds_threshold(Decimal(20))


def test_backdated_entries_by_the_local_date_of_entry_around_midnight_in_almaty():
    # 23:59 on 30 June in Almaty is 18:59 UTC the same day; 00:01 on 1 July is 19:01 UTC on 30 June.
    before_midnight = dt.datetime(2023, 6, 30, 23, 59, tzinfo=ALMATY)
    after_midnight = dt.datetime(2023, 7, 1, 0, 1, tzinfo=ALMATY)
    case(registered_on="2023-05-30", entered_at=before_midnight)  # 31 days late: backdated, entered in June
    case(registered_on="2023-06-01", entered_at=after_midnight)  # exactly 30 days: not backdated, entered in July
    case(registered_on="2023-05-31", entered_at=after_midnight)  # 31 days: backdated, entered in July

    recompute()

    assert figure("backdated_entries", "75", "2023-06") == (D(100), D(1), D(1))
    assert figure("backdated_entries", "75", "2023-07") == (D(50), D(1), D(2))
    assert figure("backdated_entries", "75", "2023-H1") == (D(100), D(1), D(1))
    assert figure("backdated_entries", "75", "2023-H2") == (D(50), D(1), D(2))
    assert figure("backdated_entries", "agency", "2023") == (D("66.6667"), D(2), D(3))


def _kpi(project, *, better=KPIBetter.HIGHER, baseline=0, target=100, archived=False) -> KPI:
    return KPI.objects.create(
        project=project,
        name="KPI",
        unit="%",
        baseline=Decimal(baseline),
        target=Decimal(target),
        target_on=dt.date(2023, 12, 31),
        better=better,
        source=KPISource.MANUAL,
        is_archived=archived,
    )


def _measure(kpi: KPI, on: str, amount: str) -> None:
    KPIMeasurement.objects.create(kpi=kpi, measured_on=data.d(on), value=Decimal(amount))


def _active_project(department: str | None = "75"):
    project = make_project(department or "75")
    project.start_on, project.status = dt.date(2023, 1, 1), ProjectStatus.ACTIVE
    if department is None:
        project.owner_department, project.owner_state_body = None, data.state_body("75")
    project.save()
    return project


def test_kpi_on_track_against_the_straight_line_at_the_measurement_date():
    # Trajectories over 364 days (1 Jan → 31 Dec 2023); 2 July is day 182, the middle: the line is at 50 there.
    project = _active_project()
    on_the_line = _kpi(project)
    _measure(on_the_line, "2023-07-02", "50")  # exactly on the line: on track
    falling = _kpi(project, better=KPIBetter.LOWER, baseline=100, target=0)
    _measure(falling, "2023-07-02", "50.0001")  # above the line where lower is better: behind
    _measure(falling, "2023-10-01", "20")  # day 273: the line is at 25 — on track in Q4
    _kpi(project)  # no measurement: not counted
    _measure(_kpi(project, archived=True), "2023-07-02", "90")
    draft = make_project("75")
    draft.start_on = dt.date(2023, 1, 1)
    draft.save()
    _measure(_kpi(draft), "2023-07-02", "90")  # not an active project
    _measure(_kpi(_active_project(None)), "2023-08-01", "1")  # a state body's project: agency total only

    recompute()

    assert figure("kpi_on_track", "75", "2023-Q3") == (D(50), D(1), D(2))
    assert figure("kpi_on_track", "75", "2023-Q4") == (D(100), D(2), D(2))
    assert figure("kpi_on_track", "71", "2023-Q3") == NONE
    assert figure("kpi_on_track", "agency", "2023-Q3") == (D("33.3333"), D(1), D(3))
    assert figure("kpi_on_track", "agency", "2023-Q4") == (D("66.6667"), D(2), D(3))


@pytest.fixture
def checkers(make_user):
    tester: User = make_user("internal_security", department="00")
    approver: User = make_user("internal_security", department="00")
    return tester, approver


def test_staff_indicators_count_distinct_employees(checkers):
    twice, dismissed, overturned, elsewhere = (
        data.employee(),
        data.employee(),
        data.employee(),
        data.employee("71"),
    )
    data.conviction(twice, verdict_on="2023-03-01")
    data.conviction(twice, verdict_on="2023-04-01")  # the same employee: counted once
    data.conviction(dismissed, verdict_on="2023-07-01")  # H2
    data.discipline(twice, imposed_on="2023-02-01")
    data.discipline(twice, imposed_on="2023-05-01", sanction="remark")
    data.discipline(dismissed, imposed_on="2023-06-30", sanction="dismissal", negative=True)
    data.discipline(overturned, imposed_on="2023-03-03", status=data.OVERTURNED)  # never happened in law
    data.discipline(elsewhere, imposed_on="2023-01-10", sanction="dismissal")  # not on negative grounds

    recompute()

    assert figure("staff_convicted", "75", "2023-H1") == (D(1), D(1), None)
    assert figure("staff_convicted", "75", "2023-H2") == (D(1), D(1), None)
    assert figure("staff_convicted", "75", "2023") == (D(2), D(2), None)
    assert figure("staff_disciplined", "75", "2023-H1") == (D(2), D(2), None)
    assert figure("staff_disciplined", "71", "2023-H1") == (D(1), D(1), None)
    assert figure("staff_disciplined", "agency", "2023-H1") == (D(3), D(3), None)
    assert figure("staff_dismissed_negative", "75", "2023-H1") == (D(1), D(1), None)
    assert figure("staff_dismissed_negative", "71", "2023-H1") == (D(0), D(0), None)
    assert figure("staff_dismissed_negative", "agency", "2023-Q2") == (D(1), D(1), None)


def test_integrity_checks_conducted_and_failed(checkers):
    tester, approver = checkers
    tested = data.employee()
    data.integrity_check(tested, conducted_on="2023-03-01", outcome=data.FAILED, tester=tester, approver=approver)
    data.integrity_check(tested, conducted_on="2023-04-01", outcome=data.PASSED, tester=tester, approver=approver)
    data.integrity_check(tested, conducted_on="2023-05-01", tester=tester, approver=approver)  # no outcome yet

    recompute()

    assert figure("integrity_checks_conducted", "75", "2023-H1") == (D(3), D(3), None)
    assert figure("integrity_check_fail_rate", "75", "2023-H1") == (D(50), D(1), D(2))
    assert figure("integrity_check_fail_rate", "75", "2023-05") == NONE
    assert figure("integrity_checks_conducted", "71", "2023-H1") == (D(0), D(0), None)
    assert figure("integrity_check_fail_rate", "71", "2023-H1") == NONE


def test_legacy_counts_and_the_rank_score():
    first = case(registered_on="2023-01-05", status=S.SENT_TO_COURT, sent_to_court_on="2023-03-01")
    data.subject(first, post=PostCategory.POLITICAL)  # 5
    data.subject(first, role=SubjectRole.CONVICTED, post=PostCategory.CORPS_A)  # 4
    data.subject(first, role=SubjectRole.ACQUITTED, post=PostCategory.OTHER)  # 1
    data.subject(first, role=SubjectRole.WITNESS, post=PostCategory.POLITICAL)  # not accused
    data.subject(first, role=SubjectRole.SUSPECT, post=PostCategory.SENIOR_ADMINISTRATIVE)  # not accused
    data.subject(first, post=PostCategory.ADMINISTRATIVE, removed=True)  # removed from the case
    second = case(registered_on="2022-12-30", status=S.CONVICTED, sent_to_court_on="2023-06-30", closed_on="2023-09-01")
    data.subject(second, post=PostCategory.ADMINISTRATIVE)  # 2
    data.subject(second, post=PostCategory.SENIOR_ADMINISTRATIVE)  # 3
    later = case(registered_on="2023-02-01", status=S.SENT_TO_COURT, sent_to_court_on="2023-07-01")
    data.subject(later, post=PostCategory.POLITICAL)
    hidden = case(registered_on="2023-02-01", status=S.SENT_TO_COURT, sent_to_court_on="2023-02-01", archived=True)
    data.subject(hidden, post=PostCategory.POLITICAL)

    recompute()

    assert figure("officials_rank_score", "75", "2023-H1") == (D(15), D(15), None)
    assert figure("officials_rank_score", "75", "2023-H2") == (D(5), D(5), None)
    assert figure("cases_sent_to_court", "75", "2023-H1") == (D(2), D(2), None)
    assert figure("cases_registered", "75", "2023-H1") == (D(2), D(2), None)
    assert figure("cases_registered", "75", "2022") == (D(1), D(1), None)
    assert figure("cases_registered", "71", "2023-H1") == (D(0), D(0), None)
    assert figure("officials_rank_score", "agency", "2023") == (D(20), D(20), None)
