"""The cases' part of ``manage.py generate_data``: cases, articles, subjects, root causes and recommendations.

Registered with the platform's load (:mod:`anticor.synthetic`) from ``CasesConfig.ready()``; see that module for
the transaction, the locks and the record of the dataset, which is kept on ``cases_case``.
"""

from __future__ import annotations

from typing import Any

from anticor.people import SYNTHETIC_FIRST_NAMES as FIRST_NAMES
from anticor.people import SYNTHETIC_PATRONYMICS as PATRONYMICS
from anticor.people import SYNTHETIC_SURNAMES as SURNAMES
from anticor.synthetic import REFERENCE_MISSING, Params, SyntheticDataError, SyntheticRun, SyntheticStep, base_id, query
from cases.models import RootCauseCategory, Sector, TerminationGround

CASE_PREFIX = "8"  # synthetic registration numbers start with 8 (demo ones with 9)
CHUNK = 100_000  # cases per INSERT round (progress granularity)

SUMMARIES = [
    "Получение взятки за выделение земельного участка вне очереди",
    "Хищение бюджетных средств при государственных закупках",
    "Злоупотребление полномочиями при выдаче разрешения на строительство",
    "Вымогательство взятки за положительное заключение проверки",
    "Присвоение средств, выделенных на субсидирование",
    "Служебный подлог при приёмке невыполненных работ",
    "Посредничество во взяточничестве при трудоустройстве",
    "Незаконное участие должностного лица в предпринимательской деятельности",
    "Получение взятки за выдачу лицензии",
    "Растрата средств квазигосударственной компании",
    "Хищение при строительстве социального объекта",
    "Взятка за непривлечение к административной ответственности",
]
CAUSE_TEXTS = [
    "Личный контакт заявителя с должностным лицом при оказании услуги",
    "Отсутствие автоматизированного контроля за приёмкой работ",
    "Широкие дискреционные полномочия без внешнего контроля",
    "Непрозрачный порядок распределения земельных участков",
    "Отсутствие ротации должностных лиц на коррупционно-опасных должностях",
    "Завышенные требования конкурсной документации под конкретного поставщика",
]

# Session-temporary helpers of the cases' statements (next to the platform's syn_r, syn_pick, syn_iin …).
FUNCTIONS_SQL = [
    "CREATE OR REPLACE FUNCTION pg_temp.syn_subjects(i bigint) RETURNS int LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT 1 + floor(pg_temp.syn_r(i, 20) * 3)::int $$",
    "CREATE OR REPLACE FUNCTION pg_temp.syn_name(i bigint, n int, surnames text[], firsts text[], "
    "patronymics text[]) RETURNS text LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT rtrim(pg_temp.syn_pick(surnames, i * 4 + n, 21) || ' ' || pg_temp.syn_pick(firsts, i * 4 + n, 22) "
    "|| ' ' || pg_temp.syn_pick(patronymics, i * 4 + n, 23)) $$",
    # The same picks as syn_name, from arrays of ready tsvector tokens (see _lexemes).
    "CREATE OR REPLACE FUNCTION pg_temp.syn_name_lex(i bigint, n int, surnames text[], firsts text[], "
    "patronymics text[]) RETURNS text LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT pg_temp.syn_pick(surnames, i * 4 + n, 21) || ' ' || pg_temp.syn_pick(firsts, i * 4 + n, 22) "
    "|| ' ' || pg_temp.syn_pick(patronymics, i * 4 + n, 23) $$",
]

# One chunk of cases [lo, hi). Case id = base + i + 1; i is the global row number 0..N-1.
CASES_SQL = """
INSERT INTO cases_case (
    id, version, created_at, updated_at, registration_number, registered_on, summary, damage_amount,
    recovered_amount, status, status_changed_on, sent_to_court_on, closed_on, is_archived, archive_reason,
    search_vector, department_id, investigator_id, merged_into_id, state_body_id, sector_id, termination_ground_id
)
SELECT
    %(base)s + i + 1, 1, created_at, created_at, regnum, reg, summary, damage, recovered, status,
    CASE WHEN status = 'registered' THEN NULL WHEN status = 'investigating' THEN t1
         WHEN status IN ('convicted', 'acquitted', 'terminated_by_court') THEN t3 ELSE t2 END,
    CASE WHEN status IN ('sent_to_court', 'convicted', 'acquitted', 'terminated_by_court') THEN t2 END,
    CASE WHEN status IN ('convicted', 'acquitted', 'terminated_by_court') THEN t3
         WHEN status IN ('terminated', 'merged') THEN t2 END,
    false, '',
    -- What cases.services.case_refresh_search builds (number and names A, summary B), from tokens stemmed once
    -- per word in _lexemes: to_tsvector per row would cost more than the rest of the row.
    (quote_literal(regnum) || ':1A ' || summary_lex || ' ' || names_lex)::tsvector,
    dept_id, NULL,
    CASE WHEN status = 'merged' THEN %(base)s + i END,
    body_id, sector_id,
    CASE WHEN status = 'terminated' THEN
        CASE WHEN pg_temp.syn_r(i, 17) < (CASE WHEN dn = 7 THEN 0.45 ELSE 0.15 END)
             THEN pg_temp.syn_pick(%(rehab)s::bigint[], i, 18) ELSE pg_temp.syn_pick(%(nonrehab)s::bigint[], i, 18)
        END
    END
FROM (
    SELECT *,
        CASE
            WHEN t1 > %(end)s THEN 'registered'
            WHEN o < 0.55 THEN CASE WHEN t2 > %(end)s THEN 'investigating'
                                    WHEN t3 > %(end)s OR c >= 0.90 THEN 'sent_to_court'
                                    WHEN c < 0.80 THEN 'convicted'
                                    WHEN c < 0.85 THEN 'acquitted'
                                    ELSE 'terminated_by_court' END
            WHEN t2 > %(end)s THEN 'investigating'
            WHEN o < 0.70 THEN 'terminated'
            WHEN o < 0.72 AND i > 0 THEN 'merged'
            WHEN o < 0.78 THEN 'suspended'
            ELSE 'investigating'
        END AS status,
        least(
            ((reg + lag)::timestamp + interval '9 hours' + pg_temp.syn_r(i, 14) * interval '9 hours')
                AT TIME ZONE 'Asia/Almaty',
            %(now)s::timestamptz
        ) AS created_at,
        %(prefix)s || code || lpad(i::text, 12, '0') AS regnum,
        pg_temp.syn_pick(%(summaries)s::text[], i, 15) AS summary,
        pg_temp.syn_pick(%(summaries_lex)s::text[], i, 15) AS summary_lex,
        (SELECT string_agg(pg_temp.syn_name_lex(i, n, %(surnames_lex)s, %(firsts_lex)s, %(patronymics_lex)s), ' ')
           FROM generate_series(1, pg_temp.syn_subjects(i)) AS n) AS names_lex,
        (floor(power(pg_temp.syn_r(i, 11), 3) * 500) * 100000)::numeric AS damage,
        round((floor(power(pg_temp.syn_r(i, 11), 3) * 500) * 100000)::numeric
              * (ARRAY[0, 0.25, 0.5, 1])[1 + floor(pg_temp.syn_r(i, 12) * 4)::int], 2) AS recovered
    FROM (
        SELECT *,
            reg + 1 + floor(pg_temp.syn_r(i, 5) * 14)::int AS t1,
            reg + 21 + floor(pg_temp.syn_r(i, 5) * 14)::int + floor(pg_temp.syn_r(i, 7) * 280)::int AS t2,
            reg + 51 + floor(pg_temp.syn_r(i, 5) * 14)::int + floor(pg_temp.syn_r(i, 7) * 280)::int
                + floor(pg_temp.syn_r(i, 9) * 210)::int AS t3,
            pg_temp.syn_r(i, 6) AS o,
            pg_temp.syn_r(i, 8) AS c,
            -- Entered more than 30 days after registration: 3 %%, 15 %% in two departments (a gaming signal).
            CASE WHEN pg_temp.syn_r(i, 13) < (CASE WHEN dn IN (5, 13) THEN 0.15 ELSE 0.03 END)
                 THEN 31 + floor(pg_temp.syn_r(i, 16) * 150)::int
                 ELSE floor(pg_temp.syn_r(i, 16) * 3)::int END AS lag
        FROM (
            SELECT *,
                -- Two departments push 15 %% of their registrations into the last days of the half-year.
                CASE WHEN dn IN (3, 11) AND pg_temp.syn_r(i, 3) < 0.15
                          AND half_end - floor(pg_temp.syn_r(i, 4) * 9)::int <= %(end)s
                     THEN half_end - floor(pg_temp.syn_r(i, 4) * 9)::int ELSE reg0 END AS reg
            FROM (
                SELECT i, dn, reg0,
                    (date_trunc('year', reg0)
                     + CASE WHEN extract(month FROM reg0) <= 6 THEN interval '6 months' ELSE interval '12 months' END
                    )::date - 1 AS half_end,
                    (%(dept_ids)s::bigint[])[dn + 1] AS dept_id,
                    (%(dept_codes)s::text[])[dn + 1] AS code,
                    (%(bodies)s::bigint[])[(%(body_offsets)s::int[])[dn + 1]
                        + floor(pg_temp.syn_r(i, 10) * (%(body_counts)s::int[])[dn + 1])::int + 1] AS body_id,
                    pg_temp.syn_pick(%(sectors)s::bigint[], i, 19) AS sector_id
                FROM (
                    SELECT i,
                        floor(%(ndepts)s * power(pg_temp.syn_r(i, 1), 1.2))::int AS dn,
                        %(start)s::date + floor(pg_temp.syn_r(i, 2) * %(span)s)::int AS reg0
                    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i
                    OFFSET 0
                ) AS a
                OFFSET 0
            ) AS b
            OFFSET 0
        ) AS c0
        OFFSET 0
    ) AS d
    OFFSET 0
) AS e
"""

ARTICLES_SQL = """
INSERT INTO cases_case_articles (case_id, article_id)
SELECT %(base)s + i + 1, pg_temp.syn_pick(%(articles)s::bigint[], i, 30)
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i
UNION ALL
SELECT %(base)s + i + 1, a2
FROM (
    SELECT i, pg_temp.syn_pick(%(articles)s::bigint[], i, 30) AS a1,
        pg_temp.syn_pick(%(articles)s::bigint[], i, 31) AS a2
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i
    WHERE pg_temp.syn_r(i, 32) < 0.2
    OFFSET 0
) AS x
WHERE a2 <> a1
"""

SUBJECTS_SQL = """
INSERT INTO cases_subject (full_name, iin, position, post_category, role, is_removed, case_id, state_body_id)
SELECT
    pg_temp.syn_name(i, n, %(surnames)s, %(firsts)s, %(patronymics)s),
    pg_temp.syn_iin(digits),
    CASE category WHEN 'political' THEN 'Аким района' WHEN 'corps_a' THEN 'Руководитель управления'
                  WHEN 'senior_administrative' THEN 'Заместитель руководителя департамента'
                  WHEN 'administrative' THEN 'Главный специалист' ELSE 'Директор ТОО' END,
    category,
    CASE WHEN n = 1 OR pg_temp.syn_r(i * 4 + n, 41) < 0.3 THEN
        CASE status WHEN 'sent_to_court' THEN 'accused' WHEN 'terminated_by_court' THEN 'accused'
                    WHEN 'convicted' THEN 'convicted' WHEN 'acquitted' THEN 'acquitted' ELSE 'suspect' END
        ELSE 'witness' END,
    false, id, state_body_id
FROM (
    SELECT c.id, c.status, c.state_body_id, c.id - %(base)s - 1 AS i, n, digits,
        CASE WHEN r < 0.03 THEN 'political' WHEN r < 0.13 THEN 'corps_a' WHEN r < 0.33 THEN 'senior_administrative'
             WHEN r < 0.70 THEN 'administrative' ELSE 'other' END AS category
    FROM cases_case AS c
    CROSS JOIN LATERAL generate_series(1, pg_temp.syn_subjects(c.id - %(base)s - 1)) AS n
    CROSS JOIN LATERAL (
        SELECT pg_temp.syn_r((c.id - %(base)s - 1) * 4 + n, 40) AS r,
            pg_temp.syn_h((c.id - %(base)s - 1) * 4 + n, 50) AS h
        OFFSET 0  -- not pulled up: syn_person_digits and syn_iin are inlined only when called with a column
    ) AS rr
    CROSS JOIN LATERAL (SELECT pg_temp.syn_person_digits(h) AS digits OFFSET 0) AS dg
    WHERE c.id BETWEEN %(base)s + %(lo)s + 1 AND %(base)s + %(hi)s
    OFFSET 0
) AS s
"""

# Root causes of ~60 % of decided cases (and a few under investigation); id = rc_base + i + 1.
CAUSES_SQL = """
INSERT INTO cases_rootcause (
    id, version, created_at, updated_at, description, identified_on, status, verified_on, verification_evidence,
    regressed_on, department_id, regressed_by_id, state_body_id, category_id, no_recommendation_reason
)
SELECT
    %(rc_base)s + i + 1, 1, ts, ts,
    pg_temp.syn_pick(%(cause_texts)s::text[], i, 33) || ' (дело № ' || registration_number || ')',
    identified, final_status,
    CASE WHEN final_status IN ('eliminated', 'regressed') THEN verified END,
    CASE WHEN final_status IN ('eliminated', 'regressed')
         THEN 'Проверка исполнения: процедура автоматизирована, личный контакт исключён' ELSE '' END,
    CASE WHEN final_status = 'regressed' THEN regressed END,
    department_id, NULL, state_body_id, pg_temp.syn_pick(%(categories)s::bigint[], i, 34), ''
FROM (
    SELECT *,
        CASE WHEN s IN ('eliminated', 'regressed') AND verified > %(end)s THEN 'implemented'
             WHEN s = 'regressed' AND regressed > %(end)s THEN 'eliminated'
             ELSE s END AS final_status,
        (identified::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Almaty' AS ts
    FROM (
        SELECT *,
            identified + 60 + floor(pg_temp.syn_r(i, 36) * 240)::int AS verified,
            identified + 90 + floor(pg_temp.syn_r(i, 36) * 240)::int + floor(pg_temp.syn_r(i, 37) * 170)::int
                AS regressed,
            CASE WHEN rs < 0.15 THEN 'identified' WHEN rs < 0.40 THEN 'recommended'
                 WHEN rs < 0.60 THEN 'implemented' WHEN rs < 0.85 THEN 'eliminated'
                 WHEN rs < 0.93 THEN 'regressed' ELSE 'rejected' END AS s
        FROM (
            SELECT c.id - %(base)s - 1 AS i, c.registration_number, c.department_id, c.state_body_id,
                least(c.registered_on + 20 + floor(pg_temp.syn_r(c.id - %(base)s - 1, 35) * 70)::int,
                      %(end)s::date) AS identified,
                pg_temp.syn_r(c.id - %(base)s - 1, 38) AS rs
            FROM cases_case AS c
            WHERE c.id BETWEEN %(base)s + %(lo)s + 1 AND %(base)s + %(hi)s
              AND ((c.status NOT IN ('registered', 'investigating') AND pg_temp.syn_r(c.id - %(base)s - 1, 39) < 0.6)
                   OR (c.status = 'investigating' AND pg_temp.syn_r(c.id - %(base)s - 1, 39) < 0.1))
            OFFSET 0
        ) AS a
        OFFSET 0
    ) AS b
    OFFSET 0
) AS x
"""

# A cause is linked to its case and, for 30 %, to one or two of the following cases (a systemic cause).
CAUSE_LINKS_SQL = """
INSERT INTO cases_rootcause_cases (rootcause_id, case_id)
SELECT r.id, %(base)s + i + 1 + j
FROM cases_rootcause AS r
CROSS JOIN LATERAL (SELECT r.id - %(rc_base)s - 1 AS i) AS ii
CROSS JOIN LATERAL generate_series(
    0, CASE WHEN pg_temp.syn_r(i, 42) < 0.7 THEN 0 ELSE 1 + floor(pg_temp.syn_r(i, 43) * 2)::int END
) AS j
WHERE r.id BETWEEN %(rc_base)s + %(lo)s + 1 AND %(rc_base)s + %(hi)s AND i + j < %(total)s
"""

# One recommendation per cause that got one (and drafts for 20 % of merely identified ones); id = rec_base + i + 1.
RECOMMENDATIONS_SQL = """
INSERT INTO cases_recommendation (
    id, version, created_at, updated_at, number, issued_on, delivered_on, due_on, answered_on, answer_summary,
    verified_on, verification_note, status, addressee_id, department_id
)
SELECT
    %(rec_base)s + i + 1, 1, ts, ts,
    code || '-' || extract(year FROM coalesce(issued, identified_on))::int || '-' || lpad(i::text, 7, '0'),
    issued, delivered, due, answered,
    CASE WHEN answered IS NOT NULL THEN 'Приняты меры: внесены изменения в регламент' ELSE '' END,
    CASE WHEN rstatus = 'verified' THEN cause_verified END,
    CASE WHEN rstatus = 'verified' THEN 'Исполнение подтверждено' ELSE '' END,
    rstatus, state_body_id, department_id
FROM (
    SELECT *,
        CASE WHEN draft THEN 'draft' WHEN answered IS NULL THEN 'issued'
             WHEN cstatus IN ('eliminated', 'regressed') THEN 'verified' ELSE 'answered' END AS rstatus
    FROM (
        SELECT *,
            CASE WHEN draft THEN NULL
                 WHEN cstatus IN ('eliminated', 'regressed') THEN least(delivered + ans_lag, cause_verified)
                 WHEN pg_temp.syn_r(i, 46) < 0.2 OR delivered + ans_lag > %(end)s THEN NULL
                 ELSE delivered + ans_lag END AS answered,
            CASE WHEN draft THEN NULL ELSE (delivered + interval '1 month')::date END AS due
        FROM (
            SELECT *,
                CASE WHEN draft THEN NULL ELSE least(issued + floor(pg_temp.syn_r(i, 45) * 5)::int, %(end)s::date)
                END AS delivered
            FROM (
                SELECT r.id - %(rc_base)s - 1 AS i, r.identified_on, r.status AS cstatus,
                    r.verified_on AS cause_verified,
                    r.state_body_id, r.department_id, d.code,
                    r.status = 'identified' AS draft,
                    CASE WHEN r.status = 'identified' THEN NULL
                         ELSE least(r.identified_on + 5 + floor(pg_temp.syn_r(r.id - %(rc_base)s - 1, 44) * 25)::int,
                                    %(end)s::date) END AS issued,
                    10 + floor(pg_temp.syn_r(r.id - %(rc_base)s - 1, 47) * 35)::int AS ans_lag,
                    (r.identified_on::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Almaty' AS ts
                FROM cases_rootcause AS r
                JOIN anticor_department AS d ON d.id = r.department_id
                WHERE r.id BETWEEN %(rc_base)s + %(lo)s + 1 AND %(rc_base)s + %(hi)s
                  AND (r.status NOT IN ('identified', 'rejected')
                       OR (r.status = 'identified' AND pg_temp.syn_r(r.id - %(rc_base)s - 1, 48) < 0.2))
                OFFSET 0
            ) AS a
            OFFSET 0
        ) AS b
        OFFSET 0
    ) AS c
    OFFSET 0
) AS x
"""

REC_LINKS_SQL = """
INSERT INTO cases_recommendation_root_causes (recommendation_id, rootcause_id)
SELECT id, id - %(rec_base)s + %(rc_base)s
FROM cases_recommendation WHERE id BETWEEN %(rec_base)s + %(lo)s + 1 AND %(rec_base)s + %(hi)s
"""

MEASURES_SQL = """
INSERT INTO cases_recommendationmeasure (description, responsible_person, done_on, recommendation_id)
SELECT 'Автоматизировать оказание услуги, исключить личный контакт', 'Заместитель руководителя', answered_on, id
FROM cases_recommendation WHERE id BETWEEN %(rec_base)s + %(lo)s + 1 AND %(rec_base)s + %(hi)s
"""

# The nightly job's regression rule (cases.indicators.FIRST_RECURRENCE), applied once to the generated causes: an
# eliminated cause with a later live case of the same state body linked to a cause of the same category is
# regressed, as the job would have left it. Without this, the first recompute would mark ~100,000 causes at once.
# Linear form of the same as-of join: the partition is read backwards with a running frame.
REGRESS_SQL = """
UPDATE cases_rootcause AS rc
SET status = 'regressed', regressed_on = r.recurred_on, regressed_by_id = r.case_id
FROM (
    WITH linked AS (
        SELECT DISTINCT c.state_body_id, other.category_id, c.registered_on, c.id
        FROM cases_case AS c
        JOIN cases_rootcause_cases AS link ON link.case_id = c.id
        JOIN cases_rootcause AS other ON other.id = link.rootcause_id
        WHERE NOT c.is_archived AND other.status <> 'rejected'
    ),
    timeline AS (
        SELECT state_body_id, category_id, verified_on AS day, 1 AS kind, id AS root_cause_id
        FROM cases_rootcause WHERE status IN ('eliminated', 'regressed') AND verified_on IS NOT NULL
        UNION ALL
        SELECT state_body_id, category_id, registered_on, 0, NULL FROM linked
    ),
    following AS (
        SELECT t.*, min(t.day) FILTER (WHERE t.kind = 0) OVER (
            PARTITION BY t.state_body_id, t.category_id ORDER BY t.day DESC, t.kind DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS recurred_on
        FROM timeline AS t
    )
    SELECT f.root_cause_id, f.recurred_on, first.id AS case_id
    FROM following AS f
    JOIN (SELECT state_body_id, category_id, registered_on, min(id) AS id FROM linked GROUP BY 1, 2, 3) AS first
      ON first.state_body_id = f.state_body_id AND first.category_id = f.category_id
     AND first.registered_on = f.recurred_on
    WHERE f.kind = 1
) AS r
WHERE rc.id = r.root_cause_id AND rc.status = 'eliminated'
  AND rc.id BETWEEN %(rc_base)s + 1 AND %(rc_base)s + %(total)s
"""


def _lexemes(words: list[str], *, weight: str, position: int | None) -> list[str]:
    """tsvector tokens of each text: Russian stems and unstemmed words (``position`` fixed) or the Russian vector."""
    if position is None:
        sql = "SELECT setweight(to_tsvector('russian', w), %s)::text FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, k)"
        return [row[0] for row in query(sql + " ORDER BY k", [weight, words])]
    sql = (
        "SELECT coalesce(string_agg(quote_literal(lexeme) || ':' || %s || %s, ' '), '') FROM unnest(%s::text[]) "
        "WITH ORDINALITY AS t(w, k) LEFT JOIN LATERAL (SELECT unnest(tsvector_to_array("
        "to_tsvector('russian', w) || to_tsvector('simple', w))) AS lexeme) AS l ON true GROUP BY k ORDER BY k"
    )
    return [row[0] for row in query(sql, [position, weight, words])]


def _prepare(_run: SyntheticRun) -> Params:
    sectors = list(Sector.objects.order_by("code").values_list("id", flat=True))
    categories = list(RootCauseCategory.objects.order_by("code").values_list("id", flat=True))
    grounds = list(TerminationGround.objects.order_by("code").values_list("id", "rehabilitating"))
    if not (sectors and categories and grounds):
        raise SyntheticDataError(REFERENCE_MISSING)
    return {
        "prefix": CASE_PREFIX,
        "sectors": sectors,
        "categories": categories,
        "rehab": [pk for pk, rehab in grounds if rehab] or [pk for pk, _ in grounds],
        "nonrehab": [pk for pk, rehab in grounds if not rehab] or [pk for pk, _ in grounds],
        "summaries": SUMMARIES,
        "cause_texts": CAUSE_TEXTS,
        "surnames": SURNAMES,
        "firsts": FIRST_NAMES,
        "patronymics": PATRONYMICS,
    }


def _load(run: SyntheticRun, params: dict[str, Any]) -> None:
    for statement in FUNCTIONS_SQL:
        query(statement)
    params.update(
        summaries_lex=_lexemes(SUMMARIES, weight="B", position=None),
        surnames_lex=_lexemes(SURNAMES, weight="A", position=2),
        firsts_lex=_lexemes(FIRST_NAMES, weight="A", position=3),
        patronymics_lex=_lexemes(PATRONYMICS, weight="A", position=4),
        base=base_id("cases_case"),
        rc_base=base_id("cases_rootcause"),
        rec_base=base_id("cases_recommendation"),
    )
    for lo in range(0, run.cases, CHUNK):
        hi = min(run.cases, lo + CHUNK)
        chunk = {**params, "lo": lo, "hi": hi}
        for statement in (CASES_SQL, ARTICLES_SQL, SUBJECTS_SQL, CAUSES_SQL, CAUSE_LINKS_SQL):
            query(statement, chunk)
        for statement in (RECOMMENDATIONS_SQL, REC_LINKS_SQL, MEASURES_SQL):
            query(statement, chunk)
        run.progress(f"cases {hi:>10,} / {run.cases:,}  ({run.elapsed():6.1f} s)")
    query(REGRESS_SQL, params)


# Written by the load; their secondary indexes are dropped for it and rebuilt after it.
BULK_TABLES = (
    "cases_case",
    "cases_case_articles",
    "cases_subject",
    "cases_rootcause",
    "cases_rootcause_cases",
    "cases_recommendation",
    "cases_recommendation_root_causes",
    "cases_recommendationmeasure",
)

SYNTHETIC_CASES = SyntheticStep(
    name="cases",
    # No events are generated (synthetic history starts empty, as for rows older than the timelines); the event
    # tables refer to the rows above, so they are truncated with them.
    tables=(*BULK_TABLES, "cases_caseevent", "cases_rootcauseevent", "cases_recommendationevent"),
    counted=("cases_case", "cases_rootcause", "cases_recommendation"),
    indexed=BULK_TABLES,
    identities=("cases_case", "cases_rootcause", "cases_recommendation"),
    meta_table="cases_case",  # where bench/README.md and earlier datasets have it
    prepare=_prepare,
    load=_load,
)
