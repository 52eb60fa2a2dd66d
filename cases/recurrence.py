"""The recurrence rule shared by the recurrence indicator and the regression marking (DESIGN.md §4.2), as SQL.

A plain definition both ``cases.indicators`` and ``cases.services`` read, so neither imports the other.
"""

from __future__ import annotations

from anticor.indicators.sql import sql_list
from cases.choices import RootCauseStatus

REJECTED = f"'{RootCauseStatus.REJECTED.value}'"
VERIFIED = sql_list([RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED])

# The first live case registered after a cause's verified elimination with the same state body, linked to a root
# cause of the same category (the cause itself included): the scheme is back. Shared with the regression marking.
#
# Set-based as-of join: causes and such cases are merged into one timeline per (state body, category); each cause
# takes the earliest case after it. The timeline runs backwards with a running frame (linear; a frame that does not
# start at the partition's first row is re-aggregated per row). A case registered on the very day of the
# verification sorts on the cause's far side, so "after" stays strict. One sort, no per-cause lookup.
FIRST_RECURRENCE = f"""
    WITH linked AS (
        SELECT DISTINCT c.state_body_id, other.category_id, c.registered_on, c.id
        FROM cases_case c
        JOIN cases_rootcause_cases link ON link.case_id = c.id
        JOIN cases_rootcause other ON other.id = link.rootcause_id
        WHERE NOT c.is_archived AND other.status <> {REJECTED}
    ),
    timeline AS (
        SELECT rc.state_body_id, rc.category_id, rc.verified_on AS day, 1 AS kind, rc.id AS root_cause_id,
               rc.department_id, rc.status
        FROM cases_rootcause rc
        WHERE rc.status IN ({VERIFIED}) AND rc.verified_on IS NOT NULL
        UNION ALL
        SELECT state_body_id, category_id, registered_on, 0, NULL, NULL, NULL FROM linked
    ),
    following AS (
        SELECT t.*, min(t.day) FILTER (WHERE t.kind = 0) OVER (
                   PARTITION BY t.state_body_id, t.category_id ORDER BY t.day DESC, t.kind DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS recurred_on
        FROM timeline t
    )
    SELECT f.root_cause_id, f.department_id, f.day AS verified_on, f.status, f.recurred_on, first.id AS case_id
    FROM following f
    LEFT JOIN (SELECT state_body_id, category_id, registered_on, min(id) AS id FROM linked GROUP BY 1, 2, 3) first
           ON first.state_body_id = f.state_body_id AND first.category_id = f.category_id
              AND first.registered_on = f.recurred_on
    WHERE f.kind = 1
"""
