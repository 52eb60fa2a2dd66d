"""The staff part of ``manage.py generate_data``: employees, discipline records, convictions, integrity checks.

Registered with the platform's load (:mod:`anticor.synthetic`) from ``IntegrityConfig.ready()``. Staff come in
proportion to the cases (:func:`employees_for`); names are drawn from the same lists as the cases' subjects.
"""

from __future__ import annotations

from typing import Any

from anticor.people import SYNTHETIC_FIRST_NAMES as FIRST_NAMES
from anticor.people import SYNTHETIC_PATRONYMICS as PATRONYMICS
from anticor.people import SYNTHETIC_SURNAMES as SURNAMES
from anticor.synthetic import (
    REFERENCE_MISSING,
    Params,
    SyntheticDataError,
    SyntheticRun,
    SyntheticStep,
    base_id,
    query,
    synthetic_users,
)
from integrity.models import Sanction

PERSONNEL_PREFIX = "SYN-"

OFFENCES = [
    "Нарушение порядка хранения материалов уголовного дела",
    "Несоблюдение сроков рассмотрения обращения",
    "Непредставление сведений о конфликте интересов",
    "Принятие подарка в связи с исполнением служебных обязанностей",
    "Разглашение служебной информации",
]
EMPLOYEE_POSITIONS = ["Следователь", "Старший следователь", "Оперуполномоченный", "Начальник отдела", "Аналитик"]
RANKS = ["лейтенант", "старший лейтенант", "капитан", "майор", "подполковник", "полковник"]
SANCTION_WEIGHTS = {
    "remark": 30,
    "reprimand": 25,
    "severe_reprimand": 15,
    "incomplete_compliance": 10,
    "demotion_position": 5,
    "demotion_rank": 5,
    "dismissal": 10,
}

# Employees: unique IINs from the row number (birth date, sex, serial), unique personnel numbers.
EMPLOYEES_SQL = """
INSERT INTO integrity_employee (
    id, version, created_at, updated_at, personnel_number, last_name, first_name, middle_name, iin, position,
    special_rank, hired_on, status, dismissed_on, department_id, user_id
)
SELECT %(emp_base)s + j + 1, 1, %(now)s::timestamptz, %(now)s::timestamptz,
    %(personnel_prefix)s || lpad(j::text, 7, '0'),
    pg_temp.syn_pick(%(surnames)s::text[], j, 60), pg_temp.syn_pick(%(firsts)s::text[], j, 61),
    pg_temp.syn_pick(%(patronymics)s::text[], j, 62),
    pg_temp.syn_iin(digits),
    pg_temp.syn_pick(%(positions)s::text[], j, 63), pg_temp.syn_pick(%(ranks)s::text[], j, 64),
    %(start)s::date - floor(pg_temp.syn_r(j, 65) * 6000)::int, 'active', NULL,
    (%(all_dept_ids)s::bigint[])[1 + floor(pg_temp.syn_r(j, 66) * cardinality(%(all_dept_ids)s::bigint[]))::int],
    NULL
FROM generate_series(0, %(employees)s - 1) AS j
CROSS JOIN LATERAL (
    SELECT to_char(date '1962-01-01' + (j %% 14000)::int, 'YYMMDD')::bigint * 100000 + (3 + (j / 14000) %% 2) * 10000
        + ((j / 28000) %% 1000) * 10 + 2 * ((j / 28000000) %% 5) AS digits
    OFFSET 0
) AS dd
ON CONFLICT DO NOTHING
"""

DISCIPLINE_SQL = """
INSERT INTO integrity_disciplinaryrecord (
    version, created_at, updated_at, offence, committed_on, discovered_on, corruption_related, negative_grounds,
    order_number, imposed_on, expires_on, status, status_changed_on, status_reason, sanction_id, employee_id
)
SELECT 1, ts, ts, offence, committed, discovered, corruption, dismissal AND pg_temp.syn_r(k, 77) < 0.6,
    'ПР-' || k, imposed, expires, status,
    CASE WHEN status = 'expired' THEN expires WHEN status IN ('lifted', 'overturned', 'appealed') THEN changed END,
    CASE WHEN status IN ('lifted', 'overturned', 'appealed') THEN 'Решение руководителя' ELSE '' END,
    sanction_id, employee_id
FROM (
    SELECT *,
        CASE WHEN dismissal THEN NULL ELSE imposed + 365 END AS expires,
        CASE WHEN NOT dismissal AND imposed + 365 < %(end)s THEN 'expired'
             WHEN changed > %(end)s THEN 'active'
             WHEN sr < 0.03 THEN 'overturned' WHEN sr < 0.06 THEN 'appealed'
             WHEN sr < 0.10 AND NOT dismissal THEN 'lifted' ELSE 'active' END AS status,
        (imposed::timestamp + interval '11 hours') AT TIME ZONE 'Asia/Almaty' AS ts
    FROM (
        SELECT *, sanction_id = ANY(%(dismissals)s::bigint[]) AS dismissal, imposed + 30 AS changed
        FROM (
            SELECT *, least(discovered + CASE WHEN pg_temp.syn_r(k, 73) < 0.08
                                             THEN 31 + floor(pg_temp.syn_r(k, 74) * 60)::int
                                             ELSE floor(pg_temp.syn_r(k, 74) * 25)::int END, %(end)s::date) AS imposed
            FROM (
                SELECT *, least(committed + CASE WHEN pg_temp.syn_r(k, 71) < 0.1
                                                 THEN 60 + floor(pg_temp.syn_r(k, 72) * 140)::int
                                                 ELSE floor(pg_temp.syn_r(k, 72) * 40)::int END,
                                %(end)s::date) AS discovered
                FROM (
                    SELECT e.id AS employee_id, (e.id - %(emp_base)s) * 4 + n AS k,
                        %(start)s::date + floor(pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 70) * %(span)s)::int
                            AS committed,
                        pg_temp.syn_pick(%(sanctions)s::bigint[], (e.id - %(emp_base)s) * 4 + n, 75) AS sanction_id,
                        pg_temp.syn_pick(%(offences)s::text[], (e.id - %(emp_base)s) * 4 + n, 76) AS offence,
                        pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 78) < 0.3 AS corruption,
                        pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 79) AS sr
                    FROM integrity_employee AS e
                    CROSS JOIN LATERAL generate_series(1, CASE
                        WHEN pg_temp.syn_r(e.id - %(emp_base)s, 67) < 0.70 THEN 0
                        WHEN pg_temp.syn_r(e.id - %(emp_base)s, 67) < 0.92 THEN 1
                        WHEN pg_temp.syn_r(e.id - %(emp_base)s, 67) < 0.98 THEN 2 ELSE 3 END) AS n
                    WHERE e.id BETWEEN %(emp_base)s + 1 AND %(emp_base)s + %(employees)s
                    OFFSET 0
                ) AS a
                OFFSET 0
            ) AS b
            OFFSET 0
        ) AS c
        OFFSET 0
    ) AS d
    OFFSET 0
) AS x
"""

CONVICTIONS_SQL = """
INSERT INTO integrity_conviction (version, created_at, updated_at, verdict_on, court, sentence, article_id, employee_id)
SELECT 1, (verdict::timestamp + interval '15 hours') AT TIME ZONE 'Asia/Almaty',
    (verdict::timestamp + interval '15 hours') AT TIME ZONE 'Asia/Almaty', verdict,
    'Специализированный межрайонный суд по уголовным делам', 'Лишение свободы сроком на 3 года', article_id, id
FROM (
    SELECT e.id, %(start)s::date + floor(pg_temp.syn_r(e.id - %(emp_base)s, 81) * %(span)s)::int AS verdict,
        pg_temp.syn_pick(%(articles)s::bigint[], e.id - %(emp_base)s, 82) AS article_id
    FROM integrity_employee AS e
    WHERE e.id BETWEEN %(emp_base)s + 1 AND %(emp_base)s + %(employees)s
      AND pg_temp.syn_r(e.id - %(emp_base)s, 80) < 0.015
    OFFSET 0
) AS x
"""

# Convicted employees and those dismissed by a sanction in force leave the service.
DISMISS_SQL = """
UPDATE integrity_employee AS e SET status = 'dismissed', dismissed_on = x.on
FROM (
    SELECT employee_id, min(on_) AS on FROM (
        SELECT employee_id, imposed_on AS on_ FROM integrity_disciplinaryrecord
        WHERE sanction_id = ANY(%(dismissals)s::bigint[]) AND status <> 'overturned'
          AND employee_id BETWEEN %(emp_base)s + 1 AND %(emp_base)s + %(employees)s
        UNION ALL
        SELECT employee_id, verdict_on FROM integrity_conviction
        WHERE employee_id BETWEEN %(emp_base)s + 1 AND %(emp_base)s + %(employees)s
    ) AS u GROUP BY employee_id
    OFFSET 0
) AS x
WHERE e.id = x.employee_id
"""

CHECKS_SQL = """
INSERT INTO integrity_integritycheck (
    version, created_at, updated_at, trigger, grounds, scenario, approved_on, planned_from, planned_to,
    safeguard_realistic, safeguard_no_excess_inducement, safeguard_no_provocation, status, conducted_on,
    conduct_notes, outcome, outcome_summary, reviewed_on, employee_informed_on, closed_on, cancel_reason,
    approver_id, employee_id, follow_up_record_id, tester_id
)
SELECT 1, ts, ts, trig, CASE WHEN trig = 'targeted' THEN 'Поступившая информация о вымогательстве' ELSE '' END,
    'Обращение гражданина с просьбой ускорить рассмотрение материала',
    CASE WHEN status NOT IN ('draft', 'cancelled') THEN planned_from - 1 - floor(pg_temp.syn_r(k, 91) * 10)::int END,
    planned_from, planned_to, status <> 'draft' OR pg_temp.syn_r(k, 92) < 0.5, status <> 'draft', status <> 'draft',
    status,
    CASE WHEN status IN ('conducted', 'reviewed', 'closed') THEN conducted END,
    CASE WHEN status IN ('conducted', 'reviewed', 'closed') THEN 'Проведена по утверждённому сценарию' ELSE '' END,
    CASE WHEN status IN ('reviewed', 'closed') THEN outcome ELSE '' END,
    CASE WHEN status IN ('reviewed', 'closed') THEN 'Заключение комиссии' ELSE '' END,
    CASE WHEN status IN ('reviewed', 'closed') THEN reviewed END,
    CASE WHEN status IN ('reviewed', 'closed') THEN least(reviewed + 3, %(end)s::date) END,
    CASE WHEN status = 'closed' THEN least(reviewed + 10, %(end)s::date) END,
    CASE WHEN status = 'cancelled' THEN 'Утратили актуальность основания' ELSE '' END,
    CASE WHEN status NOT IN ('draft', 'cancelled') THEN CASE WHEN department_id = %(central)s::bigint
        THEN %(approver2_id)s::bigint ELSE %(approver_id)s::bigint END END,
    employee_id, NULL, %(tester_id)s::bigint
FROM (
    SELECT *,
        CASE WHEN cr < 0.05 THEN 'cancelled'
             WHEN planned_from > %(end)s::date - 14 THEN CASE WHEN cr < 0.5 THEN 'draft' ELSE 'approved' END
             WHEN conducted > %(end)s::date - 30 THEN 'conducted'
             WHEN cr < 0.3 THEN 'reviewed' ELSE 'closed' END AS status,
        conducted + 10 + floor(pg_temp.syn_r(k, 93) * 20)::int AS reviewed,
        CASE WHEN orr < 0.80 THEN 'passed' WHEN orr < 0.92 THEN 'failed' WHEN orr < 0.97 THEN 'inconclusive'
             ELSE 'procedural_failure' END AS outcome,
        (planned_from::timestamp - interval '20 days') AT TIME ZONE 'Asia/Almaty' AS ts
    FROM (
        SELECT *, planned_from + 7 + floor(pg_temp.syn_r(k, 86) * 21)::int AS planned_to,
            planned_from + floor(pg_temp.syn_r(k, 87) * 7)::int AS conducted
        FROM (
            SELECT e.id AS employee_id, e.department_id, (e.id - %(emp_base)s) * 4 + n AS k,
                CASE WHEN pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 84) < 0.6 THEN 'random' ELSE 'targeted' END
                    AS trig,
                %(start)s::date + floor(pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 85) * %(span)s)::int
                    AS planned_from,
                pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 88) AS cr,
                pg_temp.syn_r((e.id - %(emp_base)s) * 4 + n, 89) AS orr
            FROM integrity_employee AS e
            CROSS JOIN LATERAL generate_series(1, CASE
                WHEN pg_temp.syn_r(e.id - %(emp_base)s, 83) < 0.75 THEN 0
                WHEN pg_temp.syn_r(e.id - %(emp_base)s, 83) < 0.95 THEN 1 ELSE 2 END) AS n
            WHERE e.id BETWEEN %(emp_base)s + 1 AND %(emp_base)s + %(employees)s
            OFFSET 0
        ) AS a
        OFFSET 0
    ) AS b
    OFFSET 0
) AS x
"""


def employees_for(cases: int) -> int:
    """Staff in proportion to the registry: one employee per 250 cases, at least 40."""
    return max(40, cases // 250)


def _prepare(run: SyntheticRun) -> Params:
    sanctions = {s.code: s for s in Sanction.objects.all()}
    if not sanctions:
        raise SyntheticDataError(REFERENCE_MISSING)
    weighted_sanctions = [
        sanctions[code].pk for code, weight in SANCTION_WEIGHTS.items() if code in sanctions for _ in range(weight)
    ] or [s.pk for s in sanctions.values()]
    return {
        "dismissals": [s.pk for s in sanctions.values() if s.is_dismissal],
        "sanctions": weighted_sanctions,
        "offences": OFFENCES,
        "surnames": SURNAMES,
        "firsts": FIRST_NAMES,
        "patronymics": PATRONYMICS,
        "positions": EMPLOYEE_POSITIONS,
        "ranks": RANKS,
        "personnel_prefix": PERSONNEL_PREFIX,
        "employees": employees_for(run.cases),
    }


def _load(run: SyntheticRun, params: dict[str, Any]) -> None:
    # Testers and approvers of the checks; an approver in another department than the employee checked.
    users = synthetic_users(
        run, {"tester": params["central"], "approver": params["central"], "approver-2": params["other"]}
    )
    params.update(
        tester_id=users["tester"],
        approver_id=users["approver"],
        approver2_id=users["approver-2"],
        emp_base=base_id("integrity_employee"),
    )
    for statement in (EMPLOYEES_SQL, DISCIPLINE_SQL, CONVICTIONS_SQL, DISMISS_SQL, CHECKS_SQL):
        query(statement, params)
    run.progress(f"staff: {params['employees']:,} employees with discipline, convictions and integrity checks")


SYNTHETIC_STAFF = SyntheticStep(
    name="integrity",
    tables=(
        "integrity_employee",
        "integrity_disciplinaryrecord",
        "integrity_disciplinaryrecordevent",
        "integrity_conviction",
        "integrity_integritycheck",
        "integrity_integritycheckevent",
    ),
    counted=(
        "integrity_employee",
        "integrity_disciplinaryrecord",
        "integrity_conviction",
        "integrity_integritycheck",
    ),
    identities=("integrity_employee",),
    prepare=_prepare,
    load=_load,
)
