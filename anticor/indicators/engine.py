"""The recompute: every registered indicator for every period and scope, in one transaction, with set-based SQL.

The engine knows nothing about cases, projects or staff. It fills the temporary tables the definitions read
(``indicator_period``, ``indicator_department``), runs each definition's SELECT into ``indicator_result``, then
stores what changed in one statement:

- values of periods that are not locked are upserted only where they differ (a rerun on unchanged data writes
  nothing: ``rows_written`` is 0);
- values of locked periods are kept; a differing figure becomes an ``IndicatorRestatement`` (once: a rerun does
  not repeat a restatement of the same figure) carrying the reasons the writers gave for changing the period's
  records since its last restatement (``anticor.indicators.restatements``), else the run's reason.

Values are rounded to the four decimals they are stored with before they are compared, so that an unchanged figure
compares equal to its stored self.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from anticor.indicators.models import AGENCY
from anticor.indicators.periods import Period
from anticor.indicators.registry import IndicatorDefinition, Registry, StepContext

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    rows_written: int = 0
    restatements_written: int = 0
    causes_regressed: int = 0
    measurements_written: int = 0
    periods: tuple[str, ...] = ()


_PERIOD_KINDS = """
    SELECT y::text, 'year', make_date(y, 1, 1), make_date(y, 12, 31) FROM years
    UNION ALL
    SELECT y || '-H' || h, 'half', make_date(y, 6 * h - 5, 1),
           (make_date(y, 6 * h - 5, 1) + interval '6 months' - interval '1 day')::date
    FROM years, generate_series(1, 2) h
    UNION ALL
    SELECT y || '-Q' || q, 'quarter', make_date(y, 3 * q - 2, 1),
           (make_date(y, 3 * q - 2, 1) + interval '3 months' - interval '1 day')::date
    FROM years, generate_series(1, 4) q
    UNION ALL
    SELECT y || '-' || lpad(m::text, 2, '0'), 'month', make_date(y, m, 1),
           (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date
    FROM years, generate_series(1, 12) m
"""


def _temp_table(cursor, name: str, columns: str) -> None:
    # ON COMMIT DROP ends them with the run's transaction; the DROP covers a run nested in an outer transaction.
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")


def earliest_fact(cursor, definitions: list[IndicatorDefinition]) -> dt.date | None:
    queries = sorted({d.earliest_sql for d in definitions if d.earliest_sql})
    if not queries:
        return None
    cursor.execute("SELECT least(" + ", ".join(f"({q})" for q in queries) + ")")
    return cursor.fetchone()[0]


def fill_periods(cursor, *, period: Period | None, first: dt.date, today: dt.date) -> tuple[str, ...]:
    """The periods to compute: the one asked for, else every period from the one holding ``first`` to today's."""
    _temp_table(cursor, "indicator_period", "period text PRIMARY KEY, kind text, starts_on date, ends_on date")
    if period is not None:
        cursor.execute(
            "INSERT INTO indicator_period VALUES (%s, %s, %s, %s)",
            [period.code, period.kind, period.starts_on, period.ends_on],
        )
    else:
        cursor.execute(
            f"""WITH years AS (SELECT generate_series(%(first)s::int, %(last)s::int) AS y)
                INSERT INTO indicator_period
                SELECT * FROM ({_PERIOD_KINDS}) s(period, kind, starts_on, ends_on)
                WHERE s.starts_on <= %(today)s AND s.ends_on >= %(first_day)s""",
            {"first": first.year, "last": today.year, "today": today, "first_day": first},
        )
    cursor.execute("ANALYZE indicator_period")
    cursor.execute("SELECT period FROM indicator_period ORDER BY starts_on, ends_on DESC")
    return tuple(row[0] for row in cursor.fetchall())


def fill_departments(cursor) -> None:
    _temp_table(cursor, "indicator_department", "id integer PRIMARY KEY")
    cursor.execute("INSERT INTO indicator_department SELECT id FROM anticor_department UNION ALL SELECT 0")


def compute(cursor, definition: IndicatorDefinition, *, scope: str | None) -> None:
    """Run one definition into ``indicator_result``, keeping the scopes asked for."""
    keep = ""
    params: dict[str, object] = {"code": definition.code, "version": definition.version, "agency": AGENCY}
    if scope is not None:
        keep = "AND (CASE WHEN r.total THEN %(agency)s ELSE d.code END) = %(scope)s"
        params["scope"] = scope
    cursor.execute(
        f"""INSERT INTO indicator_result
            SELECT %(code)s, CASE WHEN r.total THEN %(agency)s ELSE d.code END,
                   CASE WHEN r.total THEN NULL ELSE d.id END, r.period,
                   round(r.value, 4), round(r.numerator, 4), round(r.denominator, 4), %(version)s
            FROM ({definition.sql}) r
            LEFT JOIN anticor_department d ON d.id = r.department_id AND NOT r.total
            WHERE (r.total OR d.id IS NOT NULL) {keep}""",
        params,
    )


_RESTATE = """
    WITH latest AS (
        SELECT DISTINCT ON (code, scope, period) code, scope, period, new_value, new_numerator, new_denominator, at
        FROM anticor_indicatorrestatement
        ORDER BY code, scope, period, id DESC
    )
    INSERT INTO anticor_indicatorrestatement
        (code, scope, department_id, period, old_value, old_numerator, old_denominator,
         new_value, new_numerator, new_denominator, reason, run_id, at)
    SELECT r.code, r.scope, r.department_id, r.period, v.value, v.numerator, v.denominator,
           r.value, r.numerator, r.denominator,
           -- the reasons given for changes of the period (in this scope) since its last restatement or approval
           COALESCE((
               SELECT string_agg(c.reason, '; ' ORDER BY c.at, c.id) FROM anticor_lockedperiodchange c
               WHERE c.period = r.period AND c.at > COALESCE(l.at, lp.approved_at)
                 AND (r.scope = %(agency)s OR c.department_id = r.department_id)
           ), run.reason),
           run.id, %(now)s
    FROM indicator_result r
    JOIN anticor_lockedperiod lp ON lp.period = r.period
    JOIN anticor_indicatorvalue v ON v.code = r.code AND v.scope = r.scope AND v.period = r.period
    JOIN anticor_indicatorrun run ON run.id = %(run)s
    LEFT JOIN latest l ON l.code = r.code AND l.scope = r.scope AND l.period = r.period
    WHERE (r.value, r.numerator, r.denominator) IS DISTINCT FROM
          CASE WHEN l.code IS NULL THEN (v.value, v.numerator, v.denominator)
               ELSE (l.new_value, l.new_numerator, l.new_denominator) END
"""

_UPSERT = """
    INSERT INTO anticor_indicatorvalue
        (code, scope, department_id, period, value, numerator, denominator, formula_version, run_id, computed_at)
    SELECT r.code, r.scope, r.department_id, r.period, r.value, r.numerator, r.denominator, r.formula_version,
           %(run)s, %(now)s
    FROM indicator_result r
    WHERE NOT EXISTS (
        SELECT 1 FROM anticor_indicatorvalue v JOIN anticor_lockedperiod lp ON lp.period = v.period
        WHERE v.code = r.code AND v.scope = r.scope AND v.period = r.period
    )
    ON CONFLICT (code, scope, period) DO UPDATE
    SET value = EXCLUDED.value, numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
        formula_version = EXCLUDED.formula_version, department_id = EXCLUDED.department_id,
        run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at
    WHERE (anticor_indicatorvalue.value, anticor_indicatorvalue.numerator, anticor_indicatorvalue.denominator,
           anticor_indicatorvalue.formula_version, anticor_indicatorvalue.department_id)
          IS DISTINCT FROM
          (EXCLUDED.value, EXCLUDED.numerator, EXCLUDED.denominator, EXCLUDED.formula_version, EXCLUDED.department_id)
"""


def store(cursor, *, run_id: int) -> tuple[int, int]:
    """Write what changed: (values upserted, restatements added). Must run inside the run's transaction."""
    now = timezone.now()
    cursor.execute(_RESTATE, {"run": run_id, "now": now, "agency": AGENCY})
    restated = cursor.rowcount
    cursor.execute(_UPSERT, {"run": run_id, "now": now})
    return cursor.rowcount, restated


def recompute(
    *,
    registry: Registry,
    run_id: int,
    period: Period | None,
    scope: str | None,
    today: dt.date,
    progress: Progress,
) -> Outcome:
    """Compute and store every definition, stage by stage, with the apps' steps between stages.

    Runs in the caller's transaction (the service holds it and the advisory lock).
    """
    definitions = registry.all()
    stages = registry.stages()
    steps = {stage: registry.steps(after_stage=stage) for stage in [0, *stages]}
    staged = {stage: [d for d in definitions if d.stage == stage] for stage in stages}
    total = len(definitions) + sum(len(s) for s in steps.values()) + sum(1 for s in stages if staged[s])
    done = 0
    outcome = Outcome()
    with connection.cursor() as cursor:
        # Aggregations over millions of facts: hash and sort in memory (this transaction only; bench/README.md).
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")  # each statement is short: compiling it costs more than it saves
        first = earliest_fact(cursor, definitions) or today
        outcome.periods = fill_periods(cursor, period=period, first=min(first, today), today=today)
        fill_departments(cursor)
        context = StepContext(run_id=run_id, today=today, periods=outcome.periods, scope=scope)
        for stage in [0, *stages]:
            if stage and staged[stage]:
                _temp_table(
                    cursor,
                    "indicator_result",
                    "code text, scope text, department_id integer, period text, value numeric, numerator numeric, "
                    "denominator numeric, formula_version integer",
                )
                for definition in staged[stage]:
                    compute(cursor, definition, scope=scope)
                    done += 1
                    progress(done, total)
                written, restated = store(cursor, run_id=run_id)
                outcome.rows_written += written
                outcome.restatements_written += restated
                done += 1
                progress(done, total)
            for step in steps[stage]:
                setattr(outcome, step.counter, getattr(outcome, step.counter) + step.run(context))
                done += 1
                progress(done, total)
    return outcome
