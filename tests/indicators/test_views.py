"""Indicator pages as analysts, heads and auditors use them: dashboards, links to the records behind a figure,
gaming signals, legacy indicators apart, recompute, the collegium report and its approval, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from anticor.access import Role
from anticor.indicators.figures import figure_links
from anticor.indicators.models import IndicatorRun, IndicatorValue, LockedPeriod, RunStatus, RunTrigger
from anticor.indicators.periods import last_tenth_starts_on, parse_period
from anticor.indicators.registry import registry
from anticor.models import Department
from cases.choices import CaseStatus, RootCauseStatus
from cases.models import RootCause, RootCauseCategory, TerminationGround
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return IndicatorRun.objects.create(
        trigger=RunTrigger.COMMAND,
        reason="test",
        status=RunStatus.SUCCEEDED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )


def put(run, code, period, value, numerator=None, denominator=None, scope="agency"):
    department = None if scope == "agency" else Department.objects.get(code=scope)
    return IndicatorValue.objects.create(
        code=code,
        scope=scope,
        department=department,
        period=period,
        value=None if value is None else Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        formula_version=registry.get(code).version,
        run=run,
        computed_at=timezone.now(),
    )


@pytest.fixture
def analyst(make_user, client):
    user = make_user(Role.ANALYST, department="00")
    client.force_login(user)
    return user


def figures(response):
    board = response.context["board"]
    return {figure.code: figure for figure in board.figures}


# --- permissions -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "department", "url", "status"),
    [
        (Role.ANALYST, "00", "/indicators/", 200),
        (Role.ANALYST, "00", "/indicators/?scope=75", 200),
        (Role.ANALYST, "00", "/indicators/d/71/", 200),
        (Role.AUDITOR, "00", "/indicators/?scope=agency", 200),
        (Role.PROJECT_LEAD, "00", "/indicators/d/75/", 200),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/", 200),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/d/75/", 200),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/?scope=75", 200),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/d/71/", 403),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/?scope=71", 403),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/?scope=agency", 403),
        (Role.DEPARTMENT_HEAD, "75", "/indicators/collegium/", 403),
        (Role.INVESTIGATOR, "75", "/indicators/", 403),
        (Role.INVESTIGATOR, "75", "/indicators/collegium/", 403),
        (Role.INTERNAL_SECURITY, "00", "/indicators/", 403),
        (Role.INTERNAL_SECURITY, "00", "/indicators/collegium/report.xlsx", 403),
        (Role.ANALYST, "00", "/indicators/collegium/", 200),
        (Role.AUDITOR, "00", "/indicators/collegium/?period=2022-H1", 200),
        (Role.PROJECT_LEAD, "00", "/indicators/collegium/report.xlsx?period=2022-H1", 200),
    ],
)
def test_who_may_open_which_indicator_page(make_user, client, role, department, url, status):
    client.force_login(make_user(role, department=department))
    assert client.get(url).status_code == status


def test_a_head_sees_their_own_department_by_default_and_its_values_only(make_user, client, run):
    put(run, "root_cause_coverage", "2022-H1", "40", 2, 5, scope="75")
    put(run, "root_cause_coverage", "2022-H1", "90", 9, 10, scope="71")
    put(run, "root_cause_coverage", "2022-H1", "55", 11, 20)
    client.force_login(make_user(Role.DEPARTMENT_HEAD, department="75"))

    response = client.get("/indicators/?period=2022-H1")

    assert response.status_code == 200
    assert response.context["board"].scope == "75"
    assert [value for value, _label in response.context["scope_choices"]] == ["75"]
    assert figures(response)["root_cause_coverage"].value.numerator == Decimal(2)
    html = response.content.decode()
    assert "40%" in html
    assert "2 из 5" in html
    assert "90%" not in html
    assert "55%" not in html
    assert "Пересчитать сейчас" not in html  # heads read, analysts recompute


def test_the_menu_shows_indicators_to_readers_only(make_user, client):
    client.force_login(make_user(Role.AUDITOR, department="00"))
    assert 'href="/indicators/"' in client.get("/").content.decode()
    client.force_login(make_user(Role.INVESTIGATOR, department="75"))
    assert 'href="/indicators/"' not in client.get("/").content.decode()


# --- figures ---------------------------------------------------------------------------------------------------------


def test_figures_show_the_stored_values_formula_and_ratio_exactly(client, analyst, run):
    put(run, "root_cause_coverage", "2022-H1", "62.5000", 5, 8)
    put(run, "root_cause_coverage", "2021-H2", "50.0000", 4, 8)
    put(run, "days_to_eliminate", "2022-H1", "41.5000", 6)
    put(run, "recurrence_rate", "2022-H1", None, 0, 0)  # zero denominator: no value

    response = client.get("/indicators/?period=2022-H1")

    shown = figures(response)
    coverage = shown["root_cause_coverage"]
    assert coverage.value.value == Decimal("62.5")
    assert (coverage.shown, coverage.numerator_shown, coverage.denominator_shown) == ("62,5%", "5", "8")
    assert [value for _period, value in coverage.trend][-2:] == [Decimal("50"), Decimal("62.5")]
    assert shown["days_to_eliminate"].shown == "41,5\u00a0дн."
    assert shown["recurrence_rate"].shown == "—"
    assert shown["cases_registered"].value is None
    html = response.content.decode()
    assert "62,5%" in html
    assert "5 из 8" in html
    assert str(registry.get("root_cause_coverage").formula) in html
    assert "нет значения: знаменатель равен нулю" in html
    assert html.count('class="trend-chart"') == len(registry)
    assert 'role="img"' in html
    assert "<script" not in html.split("</header>", 1)[1]


def test_root_cause_indicators_come_first_and_legacy_ones_apart_labelled(client, analyst, run):
    for code in ("root_cause_coverage", "cases_registered", "officials_rank_score"):
        put(run, code, "2022", "7", 7)

    response = client.get("/indicators/?period=2022")

    board = response.context["board"]
    assert board.groups[0].code == "root_causes"
    assert {f.code for f in board.legacy} == {d.code for d in registry.all() if d.legacy}
    assert not any(f.definition.legacy for group in board.groups for f in group.figures)
    html = response.content.decode()
    main, legacy = html.split('aria-labelledby="legacy-heading"', 1)
    assert 'id="figure-root_cause_coverage"' in main
    assert 'id="figure-cases_registered"' not in main
    assert 'id="figure-cases_registered"' in legacy
    assert 'id="figure-officials_rank_score"' in legacy
    assert "Прежние количественные показатели" in legacy
    assert "это не цель" in legacy
    assert main.index('id="figure-root_cause_coverage"') < main.index('id="figure-end_of_period_registrations"')


@pytest.mark.parametrize(
    ("code", "value", "flagged"),
    [
        ("end_of_period_registrations", "20.0001", True),
        ("end_of_period_registrations", "20", False),
        ("backdated_entries", "7.5", True),
        ("rehabilitation_rate", "4", False),
        ("rehabilitation_rate", "12", True),
    ],
)
def test_gaming_signals_are_flagged_above_their_threshold(client, analyst, run, code, value, flagged):
    put(run, code, "2022-H1", value, 1, 1)

    response = client.get("/indicators/?period=2022-H1")

    figure = figures(response)[code]
    assert figure.flagged is flagged
    assert [f.code for f in response.context["board"].flagged] == ([code] if flagged else [])
    html = response.content.decode()
    threshold = figure.threshold_shown
    assert (f"выше порога {threshold}" in html) is flagged
    assert ("figure--flagged" in html) is flagged


def test_figures_link_to_the_cases_behind_them(client, analyst, run):
    """The numerator's link lists exactly the cases the engine counted: completed in H1 2022 with a root cause."""
    land = RootCauseCategory.objects.first()

    def case(day, status, **dates):
        return CaseFactory(registered_on=dt.date(2022, 1, day), status=status, **dates)

    with_cause = case(10, CaseStatus.SENT_TO_COURT, sent_to_court_on=dt.date(2022, 6, 30))
    without = case(
        11,
        CaseStatus.TERMINATED,
        closed_on=dt.date(2022, 3, 1),
        termination_ground=TerminationGround.objects.filter(rehabilitating=True).first(),
    )
    rejected_only = case(12, CaseStatus.SENT_TO_COURT, sent_to_court_on=dt.date(2022, 2, 1))
    case(13, CaseStatus.SENT_TO_COURT, sent_to_court_on=dt.date(2022, 7, 1))  # H2
    case(14, CaseStatus.SENT_TO_COURT, sent_to_court_on=dt.date(2022, 2, 2), is_archived=True)
    for case, status in ((with_cause, RootCauseStatus.IDENTIFIED), (rejected_only, RootCauseStatus.REJECTED)):
        cause = RootCause.objects.create(
            department=case.department,
            category=land,
            description="Ручное распределение участков",
            state_body=case.state_body,
            identified_on=dt.date(2022, 1, 20),
            status=status,
        )
        cause.cases.add(case)
    put(run, "root_cause_coverage", "2022-H1", "33.3333", 1, 3)

    response = client.get("/indicators/?period=2022-H1")

    coverage = figures(response)["root_cause_coverage"]
    numerator, denominator, without_link = coverage.links
    assert f'<a href="{numerator.url.replace("&", "&amp;")}"' in response.content.decode()
    assert parse_qs(urlsplit(numerator.url).query) == {
        "archived": ["false"],
        "completed_in": ["2022-H1"],
        "has_root_cause": ["true"],
    }
    listed = client.get(numerator.url).context["page"].object_list
    assert [c.registration_number for c in listed] == [with_cause.registration_number]
    listed = client.get(denominator.url).context["page"].object_list
    assert {c.registration_number for c in listed} == {
        with_cause.registration_number,
        without.registration_number,
        rejected_only.registration_number,
    }
    listed = client.get(without_link.url).context["page"].object_list
    assert {c.registration_number for c in listed} == {without.registration_number, rejected_only.registration_number}

    rehabilitated = figure_links("rehabilitation_rate", parse_period("2022-H1"), "75")[0]
    assert "department=75" in rehabilitated.url
    listed = client.get(rehabilitated.url).context["page"].object_list
    assert [c.registration_number for c in listed] == [without.registration_number]


def test_department_links_keep_the_department_and_staff_figures_have_no_link(client, analyst, run):
    put(run, "cases_registered", "2022-Q1", "3", 3, scope="75")
    put(run, "staff_disciplined", "2022-Q1", "2", 2, scope="75")

    response = client.get("/indicators/d/75/?period=2022-Q1")

    shown = figures(response)
    (link,) = shown["cases_registered"].links
    assert parse_qs(urlsplit(link.url).query) == {
        "department": ["75"],
        "archived": ["false"],
        "registered_in": ["2022-Q1"],
    }
    assert shown["staff_disciplined"].links == []
    assert response.context["board"].department.code == "75"


def test_end_of_period_link_starts_where_the_engine_counts_the_last_tenth():
    # 181 days in H1 2022: day i counts when 10·i ≥ 9·181 = 1629, i.e. from i = 163 (13 June).
    assert last_tenth_starts_on(parse_period("2022-H1")) == dt.date(2022, 6, 13)
    # 31 days: from i = 28 (29 January); 365 days: from i = 329 (26 November).
    assert last_tenth_starts_on(parse_period("2022-01")) == dt.date(2022, 1, 29)
    assert last_tenth_starts_on(parse_period("2022")) == dt.date(2022, 11, 26)


def test_the_case_list_period_filters_refuse_a_malformed_period(client, analyst):
    CaseFactory()
    response = client.get("/cases/?completed_in=2022-H7")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Неверный период «2022-H7»" in response.content.decode()


# --- query counts ----------------------------------------------------------------------------------------------------


DASHBOARD_QUERIES = 7


def _fill(run, scopes, periods):
    rows = []
    for scope in scopes:
        department = None if scope == "agency" else Department.objects.get(code=scope)
        for period in periods:
            for definition in registry.all():
                rows.append(
                    IndicatorValue(
                        code=definition.code,
                        scope=scope,
                        department=department,
                        period=period,
                        value=Decimal(12),
                        numerator=Decimal(3),
                        denominator=Decimal(25),
                        formula_version=definition.version,
                        run=run,
                        computed_at=timezone.now(),
                    )
                )
    IndicatorValue.objects.bulk_create(rows)


def test_the_dashboard_query_count_does_not_grow_with_departments_or_periods(
    client, analyst, run, django_assert_num_queries
):
    _fill(run, ["agency", "75"], ["2022-H1"])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get("/indicators/?period=2022-H1").status_code == 200

    codes = list(Department.objects.values_list("code", flat=True))
    _fill(run, [code for code in codes if code != "75"], ["2022-H1"])
    _fill(run, ["agency", *codes], ["2021-H1", "2021-H2", "2020-H2", "2020-H1", "2019-H2"])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get("/indicators/?period=2022-H1")
    assert len([v for _p, v in figures(response)["root_cause_coverage"].trend if v is not None]) == 6
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):  # the department itself
        assert client.get("/indicators/d/71/?period=2022-H1").status_code == 200


COLLEGIUM_QUERIES = 10


def test_the_collegium_query_count_does_not_grow_with_departments(client, analyst, run, django_assert_num_queries):
    _fill(run, ["agency", "75"], ["2022-H1", "2021-H2"])
    with django_assert_num_queries(COLLEGIUM_QUERIES):
        assert client.get("/indicators/collegium/?period=2022-H1").status_code == 200
    _fill(run, list(Department.objects.exclude(code="75").values_list("code", flat=True)), ["2022-H1", "2021-H2"])
    with django_assert_num_queries(COLLEGIUM_QUERIES):
        response = client.get("/indicators/collegium/?period=2022-H1")
    assert len(response.context["report"].departments) == Department.objects.count()


# --- bad input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/indicators/?period=2022-H3", "Неверный период «2022-H3»"),
        ("/indicators/?period=22", "Неверный период «22»"),
        ("/indicators/?period=1900", "Неверный период «1900»"),
        ("/indicators/?scope=99", "Неизвестный охват «99»"),
        ("/indicators/?scope=%3Cscript%3E", "Неизвестный охват «&lt;script&gt;»"),
        ("/indicators/d/7/", "Неизвестный охват «7»"),
        ("/indicators/collegium/?period=2022-Q1", "Отчёт коллегии составляется за полугодие"),
        ("/indicators/collegium/?period=abc", "Неверный период «abc»"),
        ("/indicators/collegium/report.xlsx?period=2022", "Отчёт коллегии составляется за полугодие"),
    ],
)
def test_malformed_period_or_unknown_scope_gets_a_clear_400(client, analyst, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_missing_run_is_404_and_recompute_needs_post(client, analyst):
    assert client.get("/indicators/runs/999999/").status_code == 404
    assert client.get("/indicators/recompute/").status_code == 405
    assert not IndicatorRun.objects.exists()


# --- recompute now ---------------------------------------------------------------------------------------------------


def test_only_writers_of_indicators_may_recompute(make_user, client):
    for role, department in ((Role.DEPARTMENT_HEAD, "75"), (Role.AUDITOR, "00"), (Role.PROJECT_LEAD, "00")):
        client.force_login(make_user(role, department=department))
        assert client.post("/indicators/recompute/").status_code == 403
    assert not IndicatorRun.objects.exists()


def test_an_analyst_recomputes_now_through_celery_and_follows_the_run(
    client, analyst, django_capture_on_commit_callbacks
):
    from anticor.indicators.services import indicator_run_execute

    CaseFactory(registered_on=dt.date(2022, 3, 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/indicators/recompute/", {"next": "/indicators/?period=2022-H1"})

    run = IndicatorRun.objects.get()
    assert (run.status, run.trigger, run.requested_by) == (RunStatus.QUEUED, RunTrigger.MANUAL, analyst)
    assert response["Location"] == f"/indicators/runs/{run.pk}/?next=/indicators/?period=2022-H1"
    assert len(callbacks) == 1  # the Celery task is sent once the run is committed
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page

    indicator_run_execute(run_id=run.pk)  # what the worker does with the task

    page = client.get(response["Location"]).content.decode()
    assert "Готово: показатели пересчитаны." in page
    assert 'http-equiv="refresh"' not in page
    registered = IndicatorValue.objects.get(code="cases_registered", scope="agency", period="2022-H1")
    assert registered.value == 1
    board = client.get("/indicators/?period=2022-H1")
    assert figures(board)["cases_registered"].shown == "1"
    assert f"/indicators/runs/{run.pk}/" in board.content.decode()


def test_the_run_page_refreshes_until_the_run_is_finished(client, analyst):
    queued = IndicatorRun.objects.create(trigger=RunTrigger.MANUAL, reason="Вручную", requested_by=analyst)

    html = client.get(f"/indicators/runs/{queued.pk}/?next=/indicators/%3Fperiod%3D2022").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Идёт расчёт" in html

    IndicatorRun.objects.filter(pk=queued.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(), progress_done=4, progress_total=4, rows_written=76
    )
    response = client.get(f"/indicators/runs/{queued.pk}/?next=/indicators/%3Fperiod%3D2022")
    html = response.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Готово: показатели пересчитаны." in html
    assert "100%" in html
    assert 'href="/indicators/?period=2022"' in html
    # An address elsewhere is not followed back.
    html = client.get(f"/indicators/runs/{queued.pk}/?next=https://example.com/").content.decode()
    assert '<a class="btn" href="/indicators/">' in html
    assert 'href="https://example.com/"' not in html


# --- the collegium report --------------------------------------------------------------------------------------------


def test_the_collegium_report_shows_each_department_beside_the_previous_half_year(client, analyst, run):
    put(run, "root_cause_coverage", "2022-H1", "60", 6, 10)
    put(run, "root_cause_coverage", "2021-H2", "50", 5, 10)
    put(run, "root_cause_coverage", "2022-H1", "25", 1, 4, scope="75")
    put(run, "root_cause_coverage", "2021-H2", "40", 2, 5, scope="75")
    put(run, "cases_registered", "2022-H1", "14", 14, scope="75")
    put(run, "staff_convicted", "2022-H1", "2", 2)
    put(run, "staff_disciplined", "2022-H1", "142", 142)
    put(run, "staff_dismissed_negative", "2022-H1", "5", 5)
    put(run, "integrity_checks_conducted", "2022-H1", "12", 12)
    put(run, "integrity_check_fail_rate", "2022-H1", "25", 3, 12)
    put(run, "staff_disciplined", "2022-H1", "4", 4, scope="75")

    response = client.get("/indicators/collegium/?period=2022-H1")

    report = response.context["report"]
    assert (report.period.code, report.previous.code) == ("2022-H1", "2021-H2")
    agency = {f.code: f for f in report.agency.figures}
    assert (agency["root_cause_coverage"].shown, agency["root_cause_coverage"].previous_shown) == ("60%", "50%")
    assert agency["root_cause_coverage"].change_shown == "+10\u00a0п."
    assert agency["root_cause_coverage"].change_is_better is True
    assert [r.scope for r in report.departments] == ["75"]
    almaty = {f.code: f for f in report.departments[0].figures + report.departments[0].legacy}
    assert almaty["root_cause_coverage"].change_shown == "−15\u00a0п."
    assert almaty["root_cause_coverage"].change_is_better is False
    assert almaty["cases_registered"].shown == "14"
    staff = {row.scope: row for row in report.staff}
    assert (staff["agency"].convicted, staff["agency"].disciplined, staff["agency"].dismissed_negative) == (2, 142, 5)
    assert (staff["agency"].checks_conducted, staff["agency"].checks_failed, staff["agency"].checks_with_outcome) == (
        12,
        3,
        12,
    )
    assert staff["75"].disciplined == 4
    assert staff["75"].convicted is None
    html = response.content.decode()
    assert "Итоги работы за 1-е полугодие 2022" in html
    assert "142" in html
    assert "3 из 12" in html
    assert "Прежние количественные показатели — для сравнения, не цель" in html
    assert 'href="/indicators/collegium/report.xlsx?period=2022-H1"' in html
    assert "Утвердить 2022-H1" in html


def test_recurring_root_cause_categories_are_ranked_by_regressions_then_departments(client, analyst):
    categories = list(RootCauseCategory.objects.order_by("code")[:3])
    regressed, spread, single = categories
    body = CaseFactory().state_body

    def cause(category, department, identified_on, **extra):
        return RootCause.objects.create(
            department=Department.objects.get(code=department),
            category=category,
            description="Причина",
            state_body=body,
            identified_on=identified_on,
            **extra,
        )

    cause(
        regressed,
        "75",
        dt.date(2021, 3, 1),
        status=RootCauseStatus.REGRESSED,
        verified_on=dt.date(2021, 9, 1),
        verification_evidence="Акт",
        regressed_on=dt.date(2022, 2, 1),
    )
    cause(spread, "75", dt.date(2022, 1, 5))
    cause(spread, "71", dt.date(2022, 6, 30))
    cause(single, "75", dt.date(2022, 2, 5))
    cause(single, "75", dt.date(2022, 3, 5))
    cause(single, "71", dt.date(2022, 7, 1))  # H2: not in the half-year

    rows = client.get("/indicators/collegium/?period=2022-H1").context["report"].categories

    assert [(r.code, r.regressed, r.departments, r.identified) for r in rows] == [
        (regressed.code, 1, 0, 0),
        (spread.code, 0, 2, 2),
    ]


def test_an_analyst_approves_a_half_year_once_and_a_second_approval_changes_nothing(client, analyst, run):
    put(run, "root_cause_coverage", "2022-H1", "60", 6, 10)

    response = client.post("/indicators/collegium/approve/", {"period": "2022-H1", "note": "Коллегия 15.07.2022"})

    assert response.status_code == 302
    assert response["Location"] == "/indicators/collegium/?period=2022-H1"
    lock = LockedPeriod.objects.get()
    assert (lock.period, lock.approved_by, lock.note) == ("2022-H1", analyst, "Коллегия 15.07.2022")
    html = client.get(response["Location"]).content.decode()
    assert "утверждён: значения периода зафиксированы" in html
    assert f"Утвердил {analyst.display_name}" in html
    assert "Утвердить 2022-H1" not in html

    response = client.post("/indicators/collegium/approve/", {"period": "2022-H1", "note": "ещё раз"}, follow=True)

    assert LockedPeriod.objects.count() == 1
    assert LockedPeriod.objects.get().note == "Коллегия 15.07.2022"
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "2022-H1" in messages[0]


@pytest.mark.parametrize(
    ("role", "department"), [(Role.AUDITOR, "00"), (Role.PROJECT_LEAD, "00"), (Role.DEPARTMENT_HEAD, "75")]
)
def test_only_analysts_approve(make_user, client, role, department):
    client.force_login(make_user(role, department=department))
    assert client.post("/indicators/collegium/approve/", {"period": "2022-H1"}).status_code == 403
    assert not LockedPeriod.objects.exists()


def test_approving_a_malformed_period_is_refused(client, analyst):
    response = client.post("/indicators/collegium/approve/", {"period": "2022-Q1"})
    assert response.status_code == 400
    assert "полугодие" in response.content.decode()
    assert not LockedPeriod.objects.exists()


# --- the links list exactly what the engine counted -------------------------------------------------------------------

# code → what each of its links lists, in order: the numerator's records or the denominator's.
LINKED_TERMS = {
    "root_cause_coverage": ("numerator", "denominator"),
    "rehabilitation_rate": ("numerator", "denominator"),
    "court_confirmation_rate": ("numerator", "denominator"),
    "end_of_period_registrations": ("numerator", "denominator"),
    "backdated_entries": ("numerator", "denominator"),
    "cases_registered": ("numerator",),
    "cases_sent_to_court": ("numerator",),
    "recommendations_on_time": ("numerator", "denominator"),
    "causes_eliminated": ("numerator",),
    "days_to_eliminate": ("numerator",),
    "recurrence_rate": ("denominator",),
}


def test_every_linked_list_holds_as_many_records_as_the_engine_counted(client, analyst):
    from anticor.indicators.services import indicators_recompute
    from tests import factories as data

    rehabilitating = TerminationGround.objects.filter(rehabilitating=True).first().code
    other_ground = TerminationGround.objects.filter(rehabilitating=False).first().code
    on_trial = data.case(registered_on="2023-01-05", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2023-06-30")
    data.root_cause(cases=(on_trial,), identified_on="2023-02-01")
    data.case(registered_on="2023-01-06", status=CaseStatus.TERMINATED, closed_on="2023-03-01", ground=rehabilitating)
    rejected = data.case(registered_on="2023-01-07", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2023-02-01")
    data.root_cause(cases=(rejected,), status=RootCauseStatus.REJECTED)
    data.case(
        registered_on="2023-01-08", status=CaseStatus.CONVICTED, sent_to_court_on="2023-01-15", closed_on="2023-05-01"
    )
    data.case(
        "71",
        registered_on="2022-11-08",
        status=CaseStatus.ACQUITTED,
        sent_to_court_on="2022-12-01",
        closed_on="2023-04-01",
    )
    data.case(
        "71",
        registered_on="2022-10-08",
        status=CaseStatus.TERMINATED_BY_COURT,
        sent_to_court_on="2022-12-05",
        closed_on="2023-06-01",
        ground=other_ground,
    )
    data.case(registered_on="2023-01-09", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2023-02-02", archived=True)
    data.case(registered_on="2023-06-13")  # the first day of the last tenth of H1
    data.case(registered_on="2023-06-12")
    data.case(registered_on="2023-02-01", entered_at=dt.datetime(2023, 3, 4, 9, 0, tzinfo=data.ALMATY))  # 31 days
    data.case(registered_on="2023-02-01", entered_at=dt.datetime(2023, 3, 3, 23, 30, tzinfo=data.ALMATY))  # 30 days
    body = data.state_body("75")
    data.root_cause(identified_on="2022-09-01", status=RootCauseStatus.ELIMINATED, verified_on="2023-03-01", body=body)
    came_back = data.root_cause(
        identified_on="2022-01-10",
        status=RootCauseStatus.ELIMINATED,
        verified_on="2022-06-01",
        body=body,
        category="opacity",
    )
    later = data.case(registered_on="2023-01-10", body=body)
    data.root_cause(identified_on="2023-01-11", cases=(later,), body=body, category="opacity")
    assert came_back.pk
    data.recommendation(due_on="2023-02-10", answered_on="2023-02-01")
    data.recommendation(due_on="2023-05-01", answered_on="2023-05-10")
    data.recommendation("71", due_on="2023-03-01")

    indicators_recompute(trigger=RunTrigger.COMMAND, period="2023-H1")

    checked = 0
    for scope, department in (("agency", None), ("75", "75"), ("71", "71")):
        for code, terms in LINKED_TERMS.items():
            stored = IndicatorValue.objects.get(code=code, scope=scope, period="2023-H1")
            links = figure_links(code, parse_period("2023-H1"), department)
            for link, term in zip(links, terms, strict=False):
                listed = client.get(link.url).context["page"].paginator.count
                assert listed == getattr(stored, term), (scope, code, term, link.url)
                checked += listed
    assert checked > 30


def test_a_recompute_after_approval_shows_the_locked_value_beside_the_restated_one(client, analyst):
    from anticor.indicators.services import indicators_recompute
    from tests import factories as data

    covered = data.case(registered_on="2022-01-20", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2022-05-10")
    data.root_cause(cases=(covered,), identified_on="2022-02-01")
    indicators_recompute(trigger=RunTrigger.COMMAND, period="2022-H1")
    assert client.post("/indicators/collegium/approve/", {"period": "2022-H1"}).status_code == 302
    # A case completed in H1 is entered after the approval.
    data.case(registered_on="2022-02-01", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2022-06-01")
    indicators_recompute(trigger=RunTrigger.COMMAND, period="2022-H1")

    response = client.get("/indicators/collegium/?period=2022-H1")

    report = response.context["report"]
    agency = {f.code: f for f in report.agency.figures}
    assert agency["root_cause_coverage"].shown == "100%"  # the locked value stays
    rows = {(r.item.code, r.item.scope): r for r in report.restatements}
    row = rows[("root_cause_coverage", "agency")]
    assert (row.old, row.new, row.old_ratio, row.new_ratio) == ("100%", "50%", "1 / 1", "1 / 2")
    assert row.reason
    html = response.content.decode()
    assert "Пересмотры утверждённых значений" in html
    assert row.reason in html


def test_a_heads_dashboard_query_count_is_pinned_too(make_user, client, run, django_assert_num_queries):
    client.force_login(make_user(Role.DEPARTMENT_HEAD, department="75"))
    _fill(run, ["agency", "75", "71"], ["2022-H1", "2021-H2"])
    with django_assert_num_queries(HEAD_DASHBOARD_QUERIES):
        assert client.get("/indicators/?period=2022-H1").status_code == 200
    _fill(run, ["75", "71"], ["2021-H1", "2020-H2", "2020-H1"])
    with django_assert_num_queries(HEAD_DASHBOARD_QUERIES):
        assert client.get("/indicators/d/75/?period=2022-H1").status_code == 200


HEAD_DASHBOARD_QUERIES = 9


def test_an_unfinished_half_year_offers_no_approval(client, analyst, run):
    current = f"{timezone.localdate().year}-H{1 if timezone.localdate().month <= 6 else 2}"
    put(run, "root_cause_coverage", current, "60", 6, 10)

    html = client.get(f"/indicators/collegium/?period={current}").content.decode()

    assert "Полугодие ещё не закончилось" in html
    assert f"Утвердить {current}" not in html
    response = client.post("/indicators/collegium/approve/", {"period": current}, follow=True)
    assert "ещё не закончилось" in " ".join(str(m) for m in response.context["messages"])
    assert not LockedPeriod.objects.exists()
