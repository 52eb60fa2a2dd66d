"""Indicators computed from cases, root causes and recommendations (DESIGN.md §4.5).

Scope: a case's ``department``; a root cause's or recommendation's ``department``. Archived cases (``is_archived``:
a wrong record kept only for the trail) are excluded from every fact, as facts and as the "later case" of a
recurrence. "Completed in a period" is reaching ``sent_to_court`` or a final status (merged included, §4.2) in it:
the completion date is ``sent_to_court_on``, else ``closed_on``. Root causes with status ``rejected`` were found
not to be causes: they count nowhere (neither as a case's root cause nor as identified).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from anticor.indicators.collegium import CategoryRow
from anticor.indicators.models import AGENCY
from anticor.indicators.periods import LOCAL_TIME_ZONE, Period, last_tenth_starts_on, months_before
from anticor.indicators.registry import (
    Better,
    Group,
    IndicatorDefinition,
    RecomputeStep,
    RecordList,
    StepContext,
    Unit,
    register,
    register_step,
    registry,
)
from anticor.indicators.restatements import PeriodRecord, register_period_record
from anticor.indicators.sql import aggregate, per_day, sql_list
from cases.choices import CASE_COMPLETING, CaseStatus, PostCategory, SubjectRole
from cases.models import RootCauseCategory
from cases.recurrence import FIRST_RECURRENCE, REJECTED, VERIFIED
from cases.services import root_causes_mark_regressed

LIVE_CASES = "FROM cases_case c WHERE NOT c.is_archived"
# Verified eliminated: still eliminated, or eliminated and later regressed (the verification stays a fact).
COMPLETING = sql_list(CASE_COMPLETING)
EARLIEST_CASE = "SELECT min(registered_on) FROM cases_case WHERE NOT is_archived"
EARLIEST_CAUSE = "SELECT min(identified_on) FROM cases_rootcause"

COMPLETED_CASES = f"""
    SELECT c.id, c.department_id, coalesce(c.sent_to_court_on, c.closed_on) AS day, c.damage_amount,
           c.recovered_amount,
           EXISTS (SELECT 1 FROM cases_rootcause_cases link JOIN cases_rootcause rc ON rc.id = link.rootcause_id
                   WHERE link.case_id = c.id AND rc.status <> {REJECTED}) AS has_root_cause
    {LIVE_CASES} AND c.status IN ({COMPLETING}) AND coalesce(c.sent_to_court_on, c.closed_on) IS NOT NULL
"""

register(
    IndicatorDefinition(
        code="root_cause_coverage",
        name=_("Охват причин и условий"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.ROOT_CAUSES,
        order=10,
        formula=_(
            "Оконченные в периоде дела (направленные в суд или с окончательным решением), по которым выявлена хотя "
            "бы одна причина и условие ÷ все оконченные в периоде дела × 100%"
        ),
        sql=aggregate(
            facts=per_day(COMPLETED_CASES, n="count(*)", with_cause="count(*) FILTER (WHERE x.has_root_cause)"),
            numerator="coalesce(sum(f.with_cause), 0)",
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

register(
    IndicatorDefinition(
        code="recommendations_on_time",
        name=_("Представления, исполненные в срок"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.ROOT_CAUSES,
        order=20,
        formula=_(
            "Представления со сроком ответа в периоде, ответ на которые получен не позднее срока ÷ все представления "
            "со сроком ответа в периоде × 100%"
        ),
        sql=aggregate(
            facts=per_day(
                """SELECT r.id, r.department_id, r.due_on AS day, r.answered_on IS NOT NULL
                          AND r.answered_on <= r.due_on AS on_time
                   FROM cases_recommendation r WHERE r.due_on IS NOT NULL""",
                n="count(*)",
                on_time="count(*) FILTER (WHERE x.on_time)",
            ),
            numerator="coalesce(sum(f.on_time), 0)",
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql="SELECT min(due_on) FROM cases_recommendation",
    )
)

register(
    IndicatorDefinition(
        code="causes_eliminated",
        name=_("Устранённые причины и условия"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.ROOT_CAUSES,
        order=30,
        formula=_(
            "Причины, выявленные за 12 месяцев по конец периода и устранение которых подтверждено не позднее конца "
            "периода ÷ все причины, выявленные за эти 12 месяцев (кроме отклонённых) × 100%"
        ),
        sql=aggregate(
            facts=f"""SELECT department_id, identified_on, verified_on, count(*) AS n FROM (
                          SELECT rc.department_id, rc.identified_on,
                                 CASE WHEN rc.status IN ({VERIFIED}) THEN rc.verified_on END AS verified_on
                          FROM cases_rootcause rc WHERE rc.status <> {REJECTED}) x
                      GROUP BY 1, 2, 3""",
            match="f.identified_on > (p.ends_on - interval '12 months') AND f.identified_on <= p.ends_on",
            numerator="coalesce(sum(f.n) FILTER (WHERE f.verified_on <= p.ends_on), 0)",
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=EARLIEST_CAUSE,
    )
)

register(
    IndicatorDefinition(
        code="days_to_eliminate",
        name=_("Срок устранения причин (медиана)"),
        unit=Unit.DAYS,
        better=Better.LOWER,
        group=Group.ROOT_CAUSES,
        order=40,
        formula=_(
            "Медиана числа дней от выявления причины до подтверждения её устранения по причинам, устранение которых "
            "подтверждено в периоде (числитель — число таких причин)"
        ),
        sql=aggregate(
            facts=f"""SELECT rc.id, rc.department_id, rc.verified_on AS day, rc.verified_on - rc.identified_on AS days
                      FROM cases_rootcause rc WHERE rc.status IN ({VERIFIED}) AND rc.verified_on IS NOT NULL""",
            numerator="count(f.id)",
            value="percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days)",
        ),
        earliest_sql=EARLIEST_CAUSE,
    )
)

RECURRENCES = "cases_recurrence"  # the run's temporary table of FIRST_RECURRENCE rows

register(
    IndicatorDefinition(
        code="recurrence_rate",
        name=_("Возобновление устранённых причин"),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        group=Group.ROOT_CAUSES,
        order=50,
        formula=_(
            "Причины, устранение которых подтверждено за 24 месяца по конец периода и после этого до конца периода "
            "зарегистрировано дело того же госоргана по причине той же категории ÷ все причины, устранение которых "
            "подтверждено за эти 24 месяца × 100%"
        ),
        sql=aggregate(
            # Materialised once per run by the step below (before any indicator), shared with the regression marking.
            facts=f"SELECT root_cause_id AS id, department_id, verified_on, recurred_on FROM {RECURRENCES}",
            match="f.verified_on > (p.ends_on - interval '24 months') AND f.verified_on <= p.ends_on",
            numerator="count(f.id) FILTER (WHERE f.recurred_on <= p.ends_on)",
            denominator="count(f.id)",
        ),
        earliest_sql=EARLIEST_CAUSE,
    )
)

_OUTCOMES = sql_list(
    [CaseStatus.TERMINATED, CaseStatus.TERMINATED_BY_COURT, CaseStatus.CONVICTED, CaseStatus.ACQUITTED]
)
OUTCOMES = f"""
    SELECT c.id, c.department_id, c.closed_on AS day, c.status,
           coalesce(g.rehabilitating, FALSE) AND c.status IN ('{CaseStatus.TERMINATED.value}',
                                                              '{CaseStatus.TERMINATED_BY_COURT.value}') AS rehabilitated
    FROM cases_case c LEFT JOIN cases_terminationground g ON g.id = c.termination_ground_id
    WHERE NOT c.is_archived AND c.status IN ({_OUTCOMES}) AND c.closed_on IS NOT NULL
"""

register(
    IndicatorDefinition(
        code="rehabilitation_rate",
        name=_("Реабилитация"),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        group=Group.SIGNALS,
        order=70,
        threshold=Decimal(5),
        threshold_note=_(
            "Больше 5%: каждое двадцатое оконченное преследование не должно было начинаться — признак того, что дела "
            "возбуждаются ради показателя."
        ),
        formula=_(
            "Прекращения по реабилитирующим основаниям и оправдательные приговоры в периоде ÷ все прекращения, "
            "прекращения судом, обвинительные и оправдательные приговоры в периоде × 100%"
        ),
        sql=aggregate(
            facts=per_day(OUTCOMES, "x.status", "x.rehabilitated", n="count(*)"),
            numerator=(
                f"coalesce(sum(f.n) FILTER (WHERE f.rehabilitated OR f.status = '{CaseStatus.ACQUITTED.value}'), 0)"
            ),
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

_COURT = sql_list([CaseStatus.CONVICTED, CaseStatus.ACQUITTED, CaseStatus.TERMINATED_BY_COURT])
register(
    IndicatorDefinition(
        code="court_confirmation_rate",
        name=_("Подтверждение обвинения судом"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.PROSECUTION,
        order=60,
        formula=_(
            "Обвинительные приговоры ÷ (обвинительные приговоры + оправдательные приговоры + прекращения судом) "
            "в периоде × 100%"
        ),
        sql=aggregate(
            facts=per_day(OUTCOMES, "x.status", n="count(*)"),
            numerator=f"coalesce(sum(f.n) FILTER (WHERE f.status = '{CaseStatus.CONVICTED.value}'), 0)",
            denominator=f"coalesce(sum(f.n) FILTER (WHERE f.status IN ({_COURT})), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

register(
    IndicatorDefinition(
        code="damage_recovery_rate",
        name=_("Возмещение ущерба"),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        group=Group.PROSECUTION,
        order=65,
        formula=_("Σ возмещённого ущерба ÷ Σ причинённого ущерба по делам, оконченным в периоде × 100%"),
        sql=aggregate(
            facts=per_day(COMPLETED_CASES, recovered="sum(x.recovered_amount)", damage="sum(x.damage_amount)"),
            numerator="coalesce(sum(f.recovered), 0)",
            denominator="coalesce(sum(f.damage), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

register(
    IndicatorDefinition(
        code="end_of_period_registrations",
        name=_("Регистрация в конце периода"),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        group=Group.SIGNALS,
        order=80,
        threshold=Decimal(20),
        threshold_note=_("При равномерной работе ≈10%; больше 20% — признак «добора» показателей к отчётной дате."),
        formula=_(
            "Дела, зарегистрированные в последнюю десятую часть дней периода ÷ все дела, зарегистрированные "
            "в периоде × 100% (ожидается ≈10%)"
        ),
        # Day i (0-based) of an N-day period is in its last tenth when i ≥ 0.9·N, i.e. 10·i ≥ 9·N (exact integers).
        sql=aggregate(
            facts=per_day(f"SELECT c.id, c.department_id, c.registered_on AS day {LIVE_CASES}", n="count(*)"),
            numerator=(
                "coalesce(sum(f.n) FILTER (WHERE 10 * (f.day - p.starts_on) >= 9 * (p.ends_on - p.starts_on + 1)), 0)"
            ),
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

register(
    IndicatorDefinition(
        code="backdated_entries",
        name=_("Внесение задним числом"),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        group=Group.SIGNALS,
        order=90,
        threshold=Decimal(5),
        threshold_note=_(
            "Больше 5%: каждое двадцатое дело вносится в систему позже чем через месяц после регистрации — признак "
            "оформления дел задним числом."
        ),
        formula=_(
            "Дела, внесённые в систему в периоде позже чем через 30 дней после даты регистрации ÷ все дела, "
            "внесённые в систему в периоде × 100% (дата внесения — по времени Астаны/Алматы)"
        ),
        sql=aggregate(
            facts=per_day(
                f"""SELECT c.id, c.department_id, (c.created_at AT TIME ZONE '{LOCAL_TIME_ZONE}')::date AS day,
                           c.registered_on
                    {LIVE_CASES}""",
                n="count(*)",
                late="count(*) FILTER (WHERE x.day - x.registered_on > 30)",
            ),
            numerator="coalesce(sum(f.late), 0)",
            denominator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=f"SELECT min((created_at AT TIME ZONE '{LOCAL_TIME_ZONE}')::date) FROM cases_case",
    )
)

register(
    IndicatorDefinition(
        code="cases_registered",
        name=_("Зарегистрировано дел"),
        unit=Unit.COUNT,
        better=Better.NONE,
        group=Group.LEGACY,
        legacy=True,
        order=200,
        formula=_("Число дел, зарегистрированных в периоде (прежний количественный показатель)"),
        sql=aggregate(
            facts=per_day(f"SELECT c.id, c.department_id, c.registered_on AS day {LIVE_CASES}", n="count(*)"),
            numerator="coalesce(sum(f.n), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

register(
    IndicatorDefinition(
        code="cases_sent_to_court",
        name=_("Направлено дел в суд"),
        unit=Unit.COUNT,
        better=Better.NONE,
        group=Group.LEGACY,
        legacy=True,
        order=210,
        formula=_("Число дел, направленных в суд в периоде (прежний количественный показатель)"),
        sql=aggregate(
            facts=per_day(f"SELECT c.id, c.department_id, c.sent_to_court_on AS day {LIVE_CASES}", n="count(*)"),
            numerator="coalesce(sum(f.n), 0)",  # no date: no period
        ),
        earliest_sql=EARLIEST_CASE,
    )
)

RANK_WEIGHTS = {
    PostCategory.POLITICAL: 5,
    PostCategory.CORPS_A: 4,
    PostCategory.SENIOR_ADMINISTRATIVE: 3,
    PostCategory.ADMINISTRATIVE: 2,
    PostCategory.OTHER: 1,
}
_WEIGHT = "CASE s.post_category " + " ".join(f"WHEN '{k.value}' THEN {w}" for k, w in RANK_WEIGHTS.items()) + " END"
# Accused at trial: the role is "accused" until the verdict turns it into "convicted" or "acquitted".
_ACCUSED = sql_list([SubjectRole.ACCUSED, SubjectRole.CONVICTED, SubjectRole.ACQUITTED])

register(
    IndicatorDefinition(
        code="officials_rank_score",
        name=_("Балл по рангу привлечённых должностных лиц"),
        unit=Unit.SCORE,
        better=Better.NONE,
        group=Group.LEGACY,
        legacy=True,
        order=220,
        formula=_(
            "Σ по обвиняемым в делах, направленных в суд в периоде, веса должности: политическая 5, корпус «А» 4, "
            "руководящая административная 3, административная 2, иная 1 (прежняя «палочная» оценка)"
        ),
        sql=aggregate(
            facts=per_day(
                f"""SELECT s.id, c.department_id, c.sent_to_court_on AS day, {_WEIGHT} AS weight
                    FROM cases_subject s JOIN cases_case c ON c.id = s.case_id
                    WHERE NOT c.is_archived AND c.sent_to_court_on IS NOT NULL AND NOT s.is_removed
                          AND s.role IN ({_ACCUSED})""",
                weight="sum(x.weight)",
            ),
            numerator="coalesce(sum(f.weight), 0)",
        ),
        earliest_sql=EARLIEST_CASE,
    )
)


def _mark_regressed(context: StepContext) -> int:
    """Materialise the recurrences of this run's data, then mark the causes that came back."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{RECURRENCES}")
        cursor.execute(f"CREATE TEMP TABLE {RECURRENCES} ON COMMIT DROP AS {FIRST_RECURRENCE}")
    department = context.scope if context.scope and context.scope != AGENCY else None
    return root_causes_mark_regressed(department_code=department, recurrences=RECURRENCES)


# Before any indicator: the statuses it sets are part of the night's picture (and of the same transaction).
register_step(
    RecomputeStep(name="cases.mark_regressed", run=_mark_regressed, counter="causes_regressed", after_stage=0)
)

# The dates that place each model's rows in the periods of the indicators above: a write that moves a row of an
# approved half-year needs a reason, which the restatement carries (anticor.indicators.restatements).
for _record in (
    PeriodRecord(
        "cases.Case", ("registered_on", "sent_to_court_on", "closed_on"), "department_id", "registration_number"
    ),
    # identified_on places a cause in causes_eliminated, verified_on in it, days_to_eliminate and recurrence_rate
    PeriodRecord("cases.RootCause", ("identified_on", "verified_on", "regressed_on"), "department_id", "pk"),
    # recommendations_on_time places a recommendation by its due date (answered_on only decides "on time")
    PeriodRecord("cases.Recommendation", ("due_on",), "department_id", "number"),
):
    register_period_record(_record)

# --- the records behind the figures and the report's recurring categories ------------------------------------------


def iso(day: dt.date) -> str:
    return day.isoformat()


def record_lists(code: str, period: Period, department: str | None) -> list[RecordList]:
    """The case, root-cause and recommendation lists behind a figure: the numerator's records first, then the
    denominator's, through the ordinary list filters."""
    p = period.code
    dept: dict[str, Any] = {"department": department} if department else {}
    live = {**dept, "archived": "false"}  # archived cases count nowhere
    cases = "cases:case-list"
    causes = "cases:root-cause-list"
    recs = "cases:recommendation-list"
    end = iso(period.ends_on)
    completed = {**live, "completed_in": p}
    decided = {**live, "decided_in": p}
    verified = {"status": ["eliminated", "regressed"]}  # verified eliminated, even if it came back since
    numerator, denominator = _("Дела числителя"), _("Дела знаменателя")
    links: dict[str, list[RecordList]] = {
        "root_cause_coverage": [
            (_("Завершённые дела с причинами"), cases, {**completed, "has_root_cause": "true"}),
            (_("Все завершённые дела"), cases, completed),
            (_("Завершённые дела без причин"), cases, {**completed, "has_root_cause": "false"}),
        ],
        "damage_recovery_rate": [(_("Завершённые дела"), cases, completed)],
        "rehabilitation_rate": [
            (_("Оправдания и реабилитирующие прекращения"), cases, {**decided, "rehabilitating": "true"}),
            (
                denominator,
                cases,
                {**decided, "status": ["terminated", "terminated_by_court", "convicted", "acquitted"]},
            ),
        ],
        "court_confirmation_rate": [
            (_("Обвинительные приговоры"), cases, {**decided, "status": "convicted"}),
            (_("Все решения суда"), cases, {**decided, "status": ["convicted", "acquitted", "terminated_by_court"]}),
        ],
        "end_of_period_registrations": [
            (
                _("Зарегистрированы в последнюю десятую часть периода"),
                cases,
                {**live, "registered_from": iso(last_tenth_starts_on(period)), "registered_to": end},
            ),
            (_("Все зарегистрированные в периоде"), cases, {**live, "registered_in": p}),
        ],
        "backdated_entries": [
            (_("Внесены позднее 30 дней"), cases, {**live, "entered_in": p, "backdated": "true"}),
            (_("Все внесённые в периоде"), cases, {**live, "entered_in": p}),
        ],
        "cases_registered": [(numerator, cases, {**live, "registered_in": p})],
        "cases_sent_to_court": [(numerator, cases, {**live, "sent_to_court_in": p})],
        "officials_rank_score": [(_("Дела, направленные в суд"), cases, {**live, "sent_to_court_in": p})],
        "recommendations_on_time": [
            (_("Отвеченные в срок"), recs, {**dept, "due_in": p, "answered_on_time": "true"}),
            (_("Все со сроком в периоде"), recs, {**dept, "due_in": p}),
        ],
        "causes_eliminated": [
            (
                _("Устранённые причины"),
                causes,
                {
                    **dept,
                    **verified,
                    "identified_from": iso(months_before(period.ends_on, 12)),
                    "identified_to": end,
                    "verified_to": end,
                },
            ),
        ],
        "days_to_eliminate": [
            (_("Причины, устранение которых подтверждено"), causes, {**dept, **verified, "verified_in": p}),
        ],
        "recurrence_rate": [
            (
                _("Устранённые за 24 месяца причины"),
                causes,
                {**dept, **verified, "verified_from": iso(months_before(period.ends_on, 24)), "verified_to": end},
            ),
        ],
    }
    return links.get(code, [])


def recurring_categories(period: Period, *, limit: int) -> list[CategoryRow]:
    """Root-cause categories that recur, in one aggregate query over the causes.

    A category *recurs* in the half-year when at least one of its causes regressed in it (an eliminated cause came
    back: a new case of the same state body and category) or when causes of it were identified in two or more
    departments in it (the same weakness found in several regions). Ranked by regressions, then departments, then
    causes identified.
    """
    window = (period.starts_on, period.ends_on)
    identified = Q(root_causes__identified_on__range=window)
    rows = (
        RootCauseCategory.objects.annotate(
            identified=Count("root_causes", filter=identified),
            departments=Count("root_causes__department", filter=identified, distinct=True),
            regressed=Count("root_causes", filter=Q(root_causes__regressed_on__range=window)),
            eliminated=Count("root_causes", filter=Q(root_causes__verified_on__range=window)),
        )
        .filter(Q(regressed__gt=0) | Q(departments__gte=2))
        .order_by("-regressed", "-departments", "-identified", "code")
        .values("code", "name_ru", "name_kk", "identified", "departments", "regressed", "eliminated")[:limit]
    )
    language = translation.get_language() or "ru"
    return [
        CategoryRow(
            code=row["code"],
            name=(row["name_kk"] if language.startswith("kk") and row["name_kk"] else row["name_ru"]),
            identified=row["identified"],
            departments=row["departments"],
            regressed=row["regressed"],
            eliminated=row["eliminated"],
        )
        for row in rows
    ]


registry.register_record_lists(record_lists)
registry.register_report_part("recurring_categories", recurring_categories)
