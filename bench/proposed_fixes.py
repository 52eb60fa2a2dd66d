"""Proposed rewrites of the indicator SQL, measured against the current definitions (see bench/README.md).

    .venv/bin/python bench/proposed_fixes.py anticor_bench_ind_300000 [code,code...]

For each case indicator: the current statement (``work_mem`` 4 MB, JIT on) and the proposed one (facts
pre-aggregated per department and day, days mapped to periods through ``indicator_day_period``, the recurrence
window as a running frame, ``work_mem`` 64 MB, JIT off), their times, and whether all result rows are identical.
Nothing is written (the transaction is rolled back). ``SKIP_OLD=1`` times the proposed statements only.
"""

# ruff: noqa: E501, S608, E731

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
os.environ.setdefault("DEBUG", "1")
import django

django.setup()
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from anticor.indicators import engine  # noqa: E402
from anticor.indicators import sql as isql  # noqa: E402
from anticor.indicators.registry import registry  # noqa: E402
from cases import indicators as ci  # noqa: E402

db = sys.argv[1]
only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
connections["default"].settings_dict["NAME"] = db
A = isql.aggregate
defs = {d.code: d for d in registry.all()}
LATERAL = "CROSS JOIN LATERAL " + isql.PERIOD_CODES.format(day="facts.day") + " AS k(period)"
OLD_WIN = """min(t.day) FILTER (WHERE t.kind = 0) OVER (
                   PARTITION BY t.state_body_id, t.category_id ORDER BY t.day, t.kind
                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"""
NEW_WIN = """min(t.day) FILTER (WHERE t.kind = 0) OVER (
                   PARTITION BY t.state_body_id, t.category_id ORDER BY t.day DESC, t.kind DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"""
FR = ci.FIRST_RECURRENCE.replace(OLD_WIN, NEW_WIN)
assert FR != ci.FIRST_RECURRENCE
S = lambda e: f"coalesce(sum({e}), 0)"
new = {
    "root_cause_coverage": A(
        facts=f"SELECT department_id, day, count(*) AS n, count(*) FILTER (WHERE has_root_cause) AS n1 FROM ({ci.COMPLETED_CASES}) x GROUP BY 1, 2",
        numerator=S("f.n1"),
        denominator=S("f.n"),
    ),
    "damage_recovery_rate": A(
        facts=f"SELECT department_id, day, sum(recovered_amount) AS rec, sum(damage_amount) AS dmg FROM ({ci.COMPLETED_CASES.replace('EXISTS', 'FALSE AND EXISTS')}) x GROUP BY 1, 2",
        numerator=S("f.rec"),
        denominator=S("f.dmg"),
    ),
    "rehabilitation_rate": A(
        facts=f"SELECT department_id, day, status, rehabilitated, count(*) AS n FROM ({ci.OUTCOMES}) x GROUP BY 1, 2, 3, 4",
        numerator="coalesce(sum(f.n) FILTER (WHERE f.rehabilitated OR f.status = 'acquitted'), 0)",
        denominator=S("f.n"),
    ),
    "court_confirmation_rate": A(
        facts=f"SELECT department_id, day, status, count(*) AS n FROM ({ci.OUTCOMES}) x GROUP BY 1, 2, 3",
        numerator="coalesce(sum(f.n) FILTER (WHERE f.status = 'convicted'), 0)",
        denominator="coalesce(sum(f.n) FILTER (WHERE f.status IN ('acquitted', 'convicted', 'terminated_by_court')), 0)",
    ),
    "end_of_period_registrations": A(
        facts=f"SELECT c.department_id, c.registered_on AS day, count(*) AS n {ci.LIVE_CASES} GROUP BY 1, 2",
        numerator="coalesce(sum(f.n) FILTER (WHERE 10 * (f.day - p.starts_on) >= 9 * (p.ends_on - p.starts_on + 1)), 0)",
        denominator=S("f.n"),
    ),
    "backdated_entries": A(
        facts=f"SELECT department_id, day, count(*) AS n, count(*) FILTER (WHERE day - registered_on > 30) AS n1 FROM (SELECT c.department_id, (c.created_at AT TIME ZONE 'Asia/Almaty')::date AS day, c.registered_on {ci.LIVE_CASES}) x GROUP BY 1, 2",
        numerator=S("f.n1"),
        denominator=S("f.n"),
    ),
    "cases_registered": A(
        facts=f"SELECT c.department_id, c.registered_on AS day, count(*) AS n {ci.LIVE_CASES} GROUP BY 1, 2",
        numerator=S("f.n"),
    ),
    "cases_sent_to_court": A(
        facts=f"SELECT c.department_id, c.sent_to_court_on AS day, count(*) AS n {ci.LIVE_CASES} AND c.sent_to_court_on IS NOT NULL GROUP BY 1, 2",
        numerator=S("f.n"),
    ),
    "officials_rank_score": A(
        facts=f"""SELECT c.department_id, c.sent_to_court_on AS day, sum({ci._WEIGHT}) AS w
                      FROM cases_subject s JOIN cases_case c ON c.id = s.case_id
                      WHERE NOT c.is_archived AND c.sent_to_court_on IS NOT NULL AND NOT s.is_removed
                            AND s.role IN ({ci._ACCUSED}) GROUP BY 1, 2""",
        numerator=S("f.w"),
    ),
    "recommendations_on_time": A(
        facts="SELECT r.department_id, r.due_on AS day, count(*) AS n, count(*) FILTER (WHERE r.answered_on <= r.due_on) AS n1 FROM cases_recommendation r WHERE r.due_on IS NOT NULL GROUP BY 1, 2",
        numerator=S("f.n1"),
        denominator=S("f.n"),
    ),
    "causes_eliminated": A(
        facts=f"SELECT department_id, identified_on, verified_on, count(*) AS n FROM (SELECT rc.department_id, rc.identified_on, CASE WHEN rc.status IN ({ci.VERIFIED}) THEN rc.verified_on END AS verified_on FROM cases_rootcause rc WHERE rc.status <> {ci.REJECTED}) x GROUP BY 1, 2, 3",
        match="f.identified_on > (p.ends_on - interval '12 months') AND f.identified_on <= p.ends_on",
        numerator="coalesce(sum(f.n) FILTER (WHERE f.verified_on <= p.ends_on), 0)",
        denominator=S("f.n"),
    ),
    "recurrence_rate": A(
        facts=f"SELECT department_id, verified_on, recurred_on, count(*) AS n FROM ({FR}) r GROUP BY 1, 2, 3",
        match="f.verified_on > (p.ends_on - interval '24 months') AND f.verified_on <= p.ends_on",
        numerator="coalesce(sum(f.n) FILTER (WHERE f.recurred_on <= p.ends_on), 0)",
        denominator=S("f.n"),
    ),
}
H = "SELECT md5(string_agg(concat_ws(',', period, department_id, total, numerator, denominator, value), ';' ORDER BY period, department_id, total)) FROM ({}) r"
tot_old = tot_new = 0
with transaction.atomic():
    with connection.cursor() as cur:
        first = engine.earliest_fact(cur, list(defs.values()))
        engine.fill_periods(cur, period=None, first=first, today=timezone.localdate())
        engine.fill_departments(cur)
        cur.execute(
            "CREATE TEMP TABLE indicator_day_period ON COMMIT DROP AS SELECT d::date AS day, p.period FROM indicator_period p, generate_series(p.starts_on, p.ends_on, interval '1 day') d"
        )
        cur.execute("ANALYZE indicator_day_period")
        for code, s in new.items():
            if only and code not in only:
                continue
            cur.execute("SET LOCAL work_mem = '4MB'")
            cur.execute("SET LOCAL jit = on")
            if os.environ.get("SKIP_OLD"):
                h0, t0 = None, 0.0
            else:
                t = time.time()
                cur.execute(H.format(defs[code].sql))
                h0 = cur.fetchone()[0]
                t0 = time.time() - t
            cur.execute("SET LOCAL work_mem = '64MB'")
            cur.execute("SET LOCAL jit = off")
            t = time.time()
            cur.execute(H.format(s.replace(LATERAL, "JOIN indicator_day_period k ON k.day = facts.day")))
            h1 = cur.fetchone()[0]
            t1 = time.time() - t
            tot_old += t0
            tot_new += t1
            print(f"{code:30} {t0:6.2f}s -> {t1:6.2f}s  {'same' if h0 == h1 else 'DIFFERENT'}", flush=True)
        print(f"total {tot_old:.2f}s -> {tot_new:.2f}s")
        t = time.time()
        cur.execute("SELECT count(*), count(case_id) FROM (" + FR + ") r")
        print("FIRST_RECURRENCE fixed (marking's input)", cur.fetchone(), f"{time.time() - t:.2f}s")
    transaction.set_rollback(True)
