"""Building blocks for indicator SQL: one statement per indicator covers every period and department.

The engine fills two temporary tables before it runs the definitions:

- ``indicator_period(period, kind, starts_on, ends_on)`` — the periods being computed (dates inclusive, local);
- ``indicator_department(id)`` — every department, plus ``0`` for facts that belong to no department (they count
  in the agency total only).

:func:`aggregate` joins a definition's facts to both and groups by ``GROUPING SETS ((period, department), (period))``:
one pass gives each department's row and the agency total, and a department without facts still gets its row
(a count of 0, or a ratio with no value).
"""

from __future__ import annotations

# Ratios: a zero denominator is no value (NULL), never 0 or 100 (DESIGN.md §4.5).
PERCENT = "round(100.0 * ({num}) / nullif(({den}), 0), 4)"


def sql_list(values) -> str:
    """A literal SQL list of codes from our own choices (never user input)."""
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in sorted(values))


# The four period codes a local date belongs to; facts joined to periods by code use hash joins, not range scans.
PERIOD_CODES = """(VALUES (to_char({day}, 'YYYY')),
                (to_char({day}, 'YYYY') || CASE WHEN extract(month FROM {day}) <= 6 THEN '-H1' ELSE '-H2' END),
                (to_char({day}, 'YYYY-"Q"Q')),
                (to_char({day}, 'YYYY-MM')))"""


def per_day(facts: str, *keys: str, **sums: str) -> str:
    """``facts`` reduced to one row per department and day (and ``keys``), with the additive aggregates ``sums``.

    The grid join then handles a few thousand rows per year instead of one per case, four times over (counts and
    sums add up; bench/README.md finding 2). ``facts`` is aliased ``x``; its ``department_id`` and ``day`` are kept.
    """
    columns = ", ".join(["x.department_id", "x.day", *keys, *(f"{expr} AS {name}" for name, expr in sums.items())])
    group = ", ".join(str(i) for i in range(1, 3 + len(keys)))
    return f"SELECT {columns} FROM ({facts}) x GROUP BY {group}"


def aggregate(
    *,
    facts: str,
    numerator: str,
    denominator: str = "NULL",
    value: str | None = None,
    day: str | None = "day",
    match: str | None = None,
) -> str:
    """The SELECT the engine expects from a definition.

    ``facts`` yields rows with a ``department_id`` column (``f`` in the other expressions). A fact counts in the
    periods that hold its ``day`` column (a local date) or, for rolling windows, in those where ``match`` (over ``f``
    and the period ``p``) holds. ``numerator``/``denominator`` aggregate the matching facts. ``value`` defaults to the
    numerator for counts, or to the percentage when there is a denominator.
    """
    if value is None:
        value = "{num}" if denominator == "NULL" else PERCENT
    value_sql = value.format(num=numerator, den=denominator)
    if match is None:
        codes = PERIOD_CODES.format(day=f"facts.{day}")
        matched = f"SELECT k.period AS matched_period, facts.* FROM facts CROSS JOIN LATERAL {codes} AS k(period)"
        condition = "f.matched_period = p.period"
    else:
        matched = "SELECT * FROM facts"
        condition = match
    return f"""
        WITH facts AS ({facts}),
             matched AS ({matched})
        SELECT p.period,
               d.id AS department_id,
               GROUPING(d.id) = 1 AS total,
               ({numerator})::numeric AS numerator,
               ({denominator})::numeric AS denominator,
               ({value_sql})::numeric AS value
        FROM indicator_period p
        CROSS JOIN indicator_department d
        LEFT JOIN matched f ON f.department_id = d.id AND {condition}
        GROUP BY GROUPING SETS ((p.period, d.id), (p.period))
    """
