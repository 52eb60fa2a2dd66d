"""Demo dataset for cases: three years of a realistic registry across departments (DESIGN.md §5.1).

Generated deterministically (fixed seed) with bulk inserts so ``seed_demo`` stays fast; it runs once — if demo
cases already exist, it does nothing. Statuses, dates and events are consistent with the status machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from django.utils import timezone

from anticor.models import Article, Department, StateBody, User
from anticor.people import FIRST_NAMES, SURNAMES
from cases.choices import CaseEventKind, CaseStatus, PostCategory, RecommendationStatus, RootCauseStatus, SubjectRole
from cases.models import (
    Case,
    CaseEvent,
    Recommendation,
    RecommendationEvent,
    RecommendationMeasure,
    RootCause,
    RootCauseCategory,
    RootCauseEvent,
    Sector,
    Subject,
    TerminationGround,
)
from cases.services import case_refresh_search, recommendation_default_due_on

DEMO_PREFIX = "9"  # demo registration numbers start with 9 so they never clash with real ones
CASES_PER_YEAR = 240
YEARS = 3

SUMMARIES = [
    "Получение взятки за выделение земельного участка вне очереди",
    "Хищение бюджетных средств при государственных закупках",
    "Злоупотребление полномочиями при выдаче разрешения на строительство",
    "Вымогательство взятки за положительное заключение проверки",
    "Присвоение средств, выделенных на субсидирование",
    "Служебный подлог при приёмке невыполненных работ",
    "Посредничество во взяточничестве при трудоустройстве",
    "Незаконное участие должностного лица в предпринимательской деятельности",
]
POSITIONS = [
    ("Аким района", PostCategory.POLITICAL),
    ("Руководитель управления", PostCategory.CORPS_A),
    ("Заместитель руководителя департамента", PostCategory.SENIOR_ADMINISTRATIVE),
    ("Главный специалист", PostCategory.ADMINISTRATIVE),
    ("Директор ТОО", PostCategory.OTHER),
]


def _iin(rng: random.Random) -> str:
    from anticor.identifiers import check_digit

    while True:
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        century = "3" if born.year < 2000 else "5"
        sex = int(century) + rng.randrange(0, 2)
        first = f"{born:%y%m%d}{sex}{rng.randrange(0, 10000):04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"


def _add_days(day: dt.date, low: int, high: int, rng: random.Random, today: dt.date) -> dt.date:
    return min(day + dt.timedelta(days=rng.randrange(low, high)), today)


def demo_cases(users: Mapping[str, User]) -> None:
    """Create the demo registry unless it exists (a few hundred cases a year over three years)."""
    if Case.objects.filter(registration_number__startswith=DEMO_PREFIX).exists():
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    departments = list(Department.objects.exclude(code=Department.CENTRAL_OFFICE_CODE))
    bodies_by_region: dict[int | None, list[StateBody]] = {}
    for body in StateBody.objects.all():
        bodies_by_region.setdefault(body.region_id, []).append(body)
    central_bodies = bodies_by_region.get(None, [])
    articles = list(Article.objects.all())
    sectors = list(Sector.objects.all())
    categories = list(RootCauseCategory.objects.all())
    grounds = list(TerminationGround.objects.all())
    investigator = users.get("investigator")
    head = users.get("head")

    cases: list[Case] = []
    history: list[tuple[int, list[tuple[str, str, dt.date, str]]]] = []
    start = dt.date(today.year - YEARS + 1, 1, 1)
    span = (today - start).days
    almaty = next(d for d in departments if d.code == "75")
    for index in range(CASES_PER_YEAR * YEARS):
        department = almaty if index % 4 == 0 else rng.choice(departments)  # the demo users' department gets more
        registered = start + dt.timedelta(days=rng.randrange(0, span))
        bodies = bodies_by_region.get(department.region_id, []) + central_bodies
        damage = Decimal(rng.randrange(0, 500)) * Decimal(100000)
        case = Case(
            registration_number=f"{DEMO_PREFIX}{department.code}{registered:%y%m%d}{index:06d}",
            registered_on=registered,
            department=department,
            state_body=rng.choice(bodies),
            sector=rng.choice(sectors),
            summary=rng.choice(SUMMARIES),
            # The demo investigator works department 75's cases; a few wait for the head to assign them (issue 13).
            investigator=investigator if department.code == "75" and index % 20 != 0 else None,
            damage_amount=damage,
            recovered_amount=(damage * Decimal(rng.choice([0, 0.25, 0.5, 1]))).quantize(Decimal("0.01")),
        )
        # Walk the status machine forward from registration.
        steps: list[tuple[str, str, dt.date, str]] = []
        status, day = CaseStatus.REGISTERED, registered
        target: CaseStatus | None
        for _ in range(4):
            if status == CaseStatus.REGISTERED:
                target = CaseStatus.INVESTIGATING
            elif status == CaseStatus.INVESTIGATING:
                target = rng.choices(
                    [CaseStatus.SENT_TO_COURT, CaseStatus.TERMINATED, CaseStatus.SUSPENDED, None], [55, 15, 5, 25]
                )[0]
            elif status == CaseStatus.SENT_TO_COURT:
                target = rng.choices(
                    [CaseStatus.CONVICTED, CaseStatus.ACQUITTED, CaseStatus.TERMINATED_BY_COURT, None], [70, 5, 5, 20]
                )[0]
            else:
                target = None
            if target is None:
                break
            next_day = _add_days(day, 10, 120, rng, today)
            steps.append((status, target, next_day, "Процессуальное решение"))
            status, day = target, next_day
        case.status = status
        case.status_changed_on = day if steps else None
        if status == CaseStatus.TERMINATED:
            case.termination_ground = rng.choice(grounds)
        if any(s[1] == CaseStatus.SENT_TO_COURT for s in steps):
            case.sent_to_court_on = next(s[2] for s in steps if s[1] == CaseStatus.SENT_TO_COURT)
        if status in {
            CaseStatus.CONVICTED,
            CaseStatus.ACQUITTED,
            CaseStatus.TERMINATED,
            CaseStatus.TERMINATED_BY_COURT,
        }:
            case.closed_on = day
        cases.append(case)
        history.append((index, steps))
    Case.objects.bulk_create(cases, batch_size=500)

    case_articles = Case.articles.through
    case_articles.objects.bulk_create(
        [case_articles(case_id=case.pk, article_id=rng.choice(articles).pk) for case in cases], batch_size=1000
    )
    subjects, events = [], []
    for case, (_index, steps) in zip(cases, history, strict=True):
        for n in range(rng.randrange(1, 4)):
            position, category = rng.choice(POSITIONS)
            role = SubjectRole.SUSPECT if n == 0 else rng.choice([SubjectRole.SUSPECT, SubjectRole.WITNESS])
            if n == 0 and case.status in {CaseStatus.SENT_TO_COURT, CaseStatus.CONVICTED}:
                role = SubjectRole.ACCUSED if case.status == CaseStatus.SENT_TO_COURT else SubjectRole.CONVICTED
            subjects.append(
                Subject(
                    case=case,
                    full_name=f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}",
                    iin=_iin(rng),
                    position=position,
                    post_category=category,
                    state_body=case.state_body,
                    role=role,
                )
            )
        actor = investigator if case.department.code == "75" else None
        events.append(CaseEvent(case=case, actor=actor, kind=CaseEventKind.CREATED, to_status=CaseStatus.REGISTERED))
        for source, to, day, reason in steps:
            events.append(
                CaseEvent(
                    case=case,
                    actor=head if case.department.code == "75" and to in {"convicted", "terminated"} else actor,
                    kind=CaseEventKind.TRANSITION,
                    from_status=source,
                    to_status=to,
                    reason=reason,
                    data={"on": day.isoformat()},
                )
            )
    Subject.objects.bulk_create(subjects, batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=1000)

    _demo_root_causes(rng, cases, categories, today, investigator=investigator, head=head)
    case_refresh_search(case_ids=[case.pk for case in cases])


# The path of a demo cause through its machine, ending at its status.
_CAUSE_PATHS = {
    RootCauseStatus.IDENTIFIED: (),
    RootCauseStatus.RECOMMENDED: (RootCauseStatus.RECOMMENDED,),
    RootCauseStatus.IMPLEMENTED: (RootCauseStatus.RECOMMENDED, RootCauseStatus.IMPLEMENTED),
    RootCauseStatus.ELIMINATED: (RootCauseStatus.RECOMMENDED, RootCauseStatus.IMPLEMENTED, RootCauseStatus.ELIMINATED),
    RootCauseStatus.REGRESSED: (
        RootCauseStatus.RECOMMENDED,
        RootCauseStatus.IMPLEMENTED,
        RootCauseStatus.ELIMINATED,
        RootCauseStatus.REGRESSED,
    ),
    RootCauseStatus.REJECTED: (RootCauseStatus.REJECTED,),
}
_REC_PATHS = {
    RecommendationStatus.ISSUED: (RecommendationStatus.ISSUED,),
    RecommendationStatus.ANSWERED: (RecommendationStatus.ISSUED, RecommendationStatus.ANSWERED),
    RecommendationStatus.VERIFIED: (
        RecommendationStatus.ISSUED,
        RecommendationStatus.ANSWERED,
        RecommendationStatus.VERIFIED,
    ),
}
_EVIDENCE = "Проверка исполнения: процедура автоматизирована, личный контакт заявителя с чиновником исключён"
_REJECTION = "Условие не подтвердилось: нарушение носило единичный характер и связано с действиями одного лица"


def _demo_root_causes(
    rng: random.Random,
    cases: list[Case],
    categories: list,
    today: dt.date,
    *,
    investigator: User | None = None,
    head: User | None = None,
) -> None:
    """Causes and recommendations as the services would leave them: in department 75 the investigator identifies,
    the head verifies elimination (after an answered recommendation) and rejects; elsewhere nobody is named, as in
    records entered before who-did-what was kept. Their timelines follow the same paths."""
    completed = [c for c in cases if c.status not in {CaseStatus.REGISTERED, CaseStatus.INVESTIGATING}]
    causes, links, recommendations, rec_links, measures = [], [], [], [], []
    for number, case in enumerate(rng.sample(completed, k=int(len(completed) * 0.6))):
        identified = _add_days(case.registered_on, 20, 90, rng, today)
        status = rng.choices(
            [
                RootCauseStatus.IDENTIFIED,
                RootCauseStatus.RECOMMENDED,
                RootCauseStatus.IMPLEMENTED,
                RootCauseStatus.ELIMINATED,
                RootCauseStatus.REGRESSED,
                RootCauseStatus.REJECTED,
            ],
            [15, 25, 20, 25, 8, 7],
        )[0]
        named = case.department.code == "75"
        cause = RootCause(
            department=case.department,
            category=rng.choice(categories),
            description=f"Условие, способствовавшее совершению преступления по делу {case.registration_number}",
            state_body=case.state_body,
            identified_on=identified,
            identified_by=investigator if named else None,
            status=status,
        )
        verified = status in {RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED}
        if verified:
            cause.verified_on = _add_days(identified, 60, 300, rng, today)
            cause.verification_evidence = _EVIDENCE
            cause.verified_by = head if named else None
        if status == RootCauseStatus.REGRESSED:
            cause.regressed_on = _add_days(cast(dt.date, cause.verified_on), 30, 200, rng, today)  # set just above
        causes.append(cause)
        links.append(case)
        if status != RootCauseStatus.IDENTIFIED and status != RootCauseStatus.REJECTED:
            issued = _add_days(identified, 5, 30, rng, today)
            delivered = _add_days(issued, 0, 5, rng, today)
            due = recommendation_default_due_on(delivered)
            # A verified cause had its answer first; of the others, one in five waits for it.
            answered = None if not verified and rng.random() < 0.2 else _add_days(delivered, 10, 45, rng, today)
            if verified:
                answered = min(answered, cause.verified_on)
            rec_status = RecommendationStatus.ISSUED if answered is None else RecommendationStatus.ANSWERED
            if verified:
                rec_status = RecommendationStatus.VERIFIED
            recommendations.append(
                Recommendation(
                    number=f"{case.department.code}-{issued.year}-{number + 1:04d}",
                    department=case.department,
                    addressee=case.state_body,
                    issued_on=issued,
                    delivered_on=delivered,
                    due_on=due,
                    answered_on=answered,
                    answer_summary="Приняты меры: внесены изменения в регламент" if answered else "",
                    verified_on=cause.verified_on if rec_status == RecommendationStatus.VERIFIED else None,
                    verification_note="Исполнение подтверждено" if rec_status == RecommendationStatus.VERIFIED else "",
                    status=rec_status,
                )
            )
            rec_links.append(len(causes) - 1)
    RootCause.objects.bulk_create(causes, batch_size=500)
    through = RootCause.cases.through
    through.objects.bulk_create(
        [through(rootcause_id=c.pk, case_id=case.pk) for c, case in zip(causes, links, strict=True)]
    )
    Recommendation.objects.bulk_create(recommendations, batch_size=500)
    rec_through = Recommendation.root_causes.through
    rec_through.objects.bulk_create(
        [
            rec_through(recommendation_id=rec.pk, rootcause_id=causes[i].pk)
            for rec, i in zip(recommendations, rec_links, strict=True)
        ]
    )
    for rec in recommendations:
        measures.append(
            RecommendationMeasure(
                recommendation=rec,
                description="Автоматизировать оказание услуги, исключить личный контакт",
                responsible_person="Заместитель руководителя",
                done_on=rec.answered_on,
            )
        )
    RecommendationMeasure.objects.bulk_create(measures, batch_size=1000)
    RootCauseEvent.objects.bulk_create(_demo_cause_events(causes, head), batch_size=1000)
    rec_events = []
    for rec, i in zip(recommendations, rec_links, strict=True):
        notes = {
            RecommendationStatus.ANSWERED: rec.answer_summary,
            RecommendationStatus.VERIFIED: rec.verification_note,
        }
        for source, target, note in _path_steps(RecommendationStatus.DRAFT, _REC_PATHS[rec.status], notes):
            rec_events.append(
                RecommendationEvent(
                    recommendation=rec, actor=causes[i].identified_by, from_status=source, to_status=target, reason=note
                )
            )
    RecommendationEvent.objects.bulk_create(rec_events, batch_size=1000)


def _path_steps(start: str, path: tuple[str, ...], reasons: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(from, to, reason)`` of each move along ``path`` from ``start``."""
    return [(source, target, reasons.get(target, "")) for source, target in zip((start, *path), path, strict=False)]


def _demo_cause_events(causes: list[RootCause], head: User | None) -> list[RootCauseEvent]:
    events = []
    reasons = {RootCauseStatus.REJECTED: _REJECTION, RootCauseStatus.ELIMINATED: _EVIDENCE}
    for cause in causes:
        for source, target, reason in _path_steps(RootCauseStatus.IDENTIFIED, _CAUSE_PATHS[cause.status], reasons):
            if target == RootCauseStatus.ELIMINATED:
                actor, data = cause.verified_by, {"on": cause.verified_on.isoformat()}
            elif target == RootCauseStatus.REJECTED:
                actor, data = (head if cause.identified_by else None), {}
            elif target == RootCauseStatus.REGRESSED:
                actor, data = None, {"on": cause.regressed_on.isoformat()}  # the nightly job
            else:
                actor, data = cause.identified_by, {}
            events.append(
                RootCauseEvent(
                    root_cause=cause, actor=actor, from_status=source, to_status=target, reason=reason, data=data
                )
            )
    return events
