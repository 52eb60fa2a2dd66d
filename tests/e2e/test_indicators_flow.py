"""The analyst's indicator flow in a real browser (issue 7, "Done when"): the dashboard with the legacy and the
root-cause indicators side by side, a figure clicked through to the cases behind it, H1 approved, the collegium
report downloaded as XLSX."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.core.management import call_command

from anticor.access import Role
from anticor.indicators.models import IndicatorValue, LockedPeriod, RunTrigger
from anticor.indicators.services import indicators_recompute
from cases.choices import CaseStatus, RootCauseStatus
from tests import factories as data
from tests.e2e.steps import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_reads_the_dashboard_follows_a_figure_approves_h1_and_downloads_the_report(page, tmp_path):
    call_command("load_reference", verbosity=0)
    UserFactory(username="analyst", roles=[Role.ANALYST], department_code="00")
    covered = data.case(registered_on="2022-01-20", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2022-05-10")
    data.root_cause(cases=(covered,), identified_on="2022-02-01")
    data.case(registered_on="2022-01-21", status=CaseStatus.SENT_TO_COURT, sent_to_court_on="2022-06-30")
    data.case(registered_on="2022-06-29")  # in the last tenth of H1
    data.root_cause("71", identified_on="2022-03-01", status=RootCauseStatus.IDENTIFIED)
    indicators_recompute(trigger=RunTrigger.COMMAND)
    coverage = IndicatorValue.objects.get(code="root_cause_coverage", scope="agency", period="2022-H1")
    assert (coverage.numerator, coverage.denominator) == (1, 2)

    sign_in(page, "analyst")
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Показатели").click()
    page.select_option("#id_period", "2022-H1")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(lambda url: "period=2022-H1" in url)

    # The method's indicators and the legacy counts side by side; the legacy ones labelled as such.
    method = page.locator("#figure-root_cause_coverage")
    legacy = page.locator("#figure-cases_registered")
    assert method.locator(".figure__value").inner_text().strip() == "50%"
    assert "1 из 2" in method.inner_text()
    assert legacy.locator(".figure__value").inner_text().strip() == "3"
    assert "прежний показатель" in legacy.inner_text()
    assert "Прежние количественные показатели" in page.locator(".ind-legacy").inner_text()
    main_box, legacy_box = page.locator(".ind-main").bounding_box(), page.locator(".ind-legacy").bounding_box()
    assert legacy_box["x"] > main_box["x"] + main_box["width"] - 1  # beside, not below
    assert legacy_box["y"] < main_box["y"] + main_box["height"]
    # The end-of-period signal: one of three registrations in the last tenth, above the 20% threshold.
    assert "выше порога 20%" in page.locator("#figure-end_of_period_registrations").inner_text()

    # The figure leads to the cases behind it.
    method.locator(".figure__value a").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/cases/")
    query = parse_qs(urlsplit(page.url).query)
    assert query["completed_in"] == ["2022-H1"]
    assert query["has_root_cause"] == ["true"]
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert covered.registration_number in rows.first.inner_text()

    # The collegium report of H1 2022: approve it once.
    page.goto("/indicators/?period=2022-H1")
    page.get_by_role("link", name="Отчёт коллегии за полугодие").click()
    page.wait_for_url(lambda url: "/indicators/collegium/" in url and "period=2022-H1" in url)
    assert "Итоги работы за 1-е полугодие 2022" in page.locator("h1").inner_text()
    page.fill("#id_note", "Заседание коллегии 15.07.2022")
    page.get_by_role("button", name="Утвердить 2022-H1").click()
    page.wait_for_load_state()
    assert "утверждён" in page.locator(".messages").inner_text()
    assert "Утвердил" in page.locator(".approval").inner_text()
    assert page.get_by_role("button", name="Утвердить 2022-H1").count() == 0
    lock = LockedPeriod.objects.get()
    assert (lock.period, lock.note) == ("2022-H1", "Заседание коллегии 15.07.2022")

    # The XLSX download holds the figures of the page.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "collegium-2022-H1.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    cells = {(row[0], row[1]): row for row in book["Показатели"].iter_rows(min_row=2, values_only=True)}
    assert cells[("Агентство в целом", "root_cause_coverage")][4:9] == (50, None, None, 1, 2)
    assert book["Утверждение"]["B2"].value == "утверждён"
