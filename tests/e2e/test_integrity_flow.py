"""The Integrity Check in a real browser: a tester plans it, another internal-security officer approves it, it is
conducted, failed, followed by a dismissal and closed; the tested employee, an analyst and an investigator cannot
see it; the auditor finds every read in the access log."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from anticor.access import Role
from integrity.models import IntegrityCheck
from tests.e2e.steps import sign_in, sign_out
from tests.factories import EmployeeFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, step: str) -> None:
    page.locator(f"button[data-step='{step}']").click()
    page.wait_for_load_state()


def test_check_from_draft_to_closed_and_nobody_else_sees_it(page):
    call_command("load_reference", verbosity=0)
    UserFactory(username="security", roles=[Role.INTERNAL_SECURITY], department_code="00")
    UserFactory(username="tester", roles=[Role.INTERNAL_SECURITY], department_code="71")
    # The tested employee is an internal-security officer themselves: the role does not let them see their check.
    tested_account = UserFactory(username="tested", roles=[Role.INTERNAL_SECURITY], department_code="75")
    UserFactory(username="investigator", roles=[Role.INVESTIGATOR], department_code="75")
    UserFactory(username="analyst", roles=[Role.ANALYST], department_code="00")
    UserFactory(username="auditor", roles=[Role.AUDITOR], department_code="00")
    employee = EmployeeFactory(user=tested_account, last_name="Проверяемый", first_name="Ержан")
    today = dt.date.today()
    start = today - dt.timedelta(days=10)

    # The tester plans the check from the employee's file.
    sign_in(page, "tester")
    page.goto(f"/integrity/e/{employee.personnel_number}/")
    page.get_by_role("link", name="Назначить проверку").click()
    page.select_option("[name=trigger]", "targeted")
    page.fill("[name=grounds]", "Жалоба гражданина на вымогательство")
    page.fill("[name=scenario]", "Предложение денег за прекращение материала")
    page.fill("[name=planned_from]", start.isoformat())
    page.fill("[name=planned_to]", today.isoformat())
    page.check("[name=safeguard_realistic]")
    page.check("[name=safeguard_no_excess_inducement]")
    page.check("[name=safeguard_no_provocation]")
    page.locator("form.form-page button[type=submit]").click()
    page.wait_for_url(re.compile(r"/integrity/checks/\d+/$"))
    check_url = urlsplit(page.url).path
    assert "Ожидает утверждения" in page.inner_text(".alert--info")
    sign_out(page)

    # Another officer, not from the employee's department, approves it; then it is conducted and reviewed.
    sign_in(page, "security")
    page.goto(check_url)
    page.fill("form[action$='/approve/'] [name=on]", start.isoformat())
    submit(page, "approve")
    page.fill("[name=conducted_on]", (start + dt.timedelta(days=1)).isoformat())
    page.fill("[name=notes]", "Сотрудник принял деньги")
    submit(page, "conduct")
    page.select_option("[name=outcome]", "failed")
    page.fill("[name=summary]", "Проверка не пройдена")
    page.fill("[name=reviewed_on]", (start + dt.timedelta(days=2)).isoformat())
    submit(page, "review")
    assert "наложите взыскание по результатам проверки" in page.inner_text(".alert--info")

    # The follow-up sanction: a dismissal on negative grounds, recorded from the check page.
    page.get_by_role("link", name="Записать новое взыскание по результатам проверки").click()
    page.fill("[name=offence]", "Получение денег в ходе проверки")
    page.fill("[name=committed_on]", (start + dt.timedelta(days=1)).isoformat())
    page.fill("[name=discovered_on]", (start + dt.timedelta(days=2)).isoformat())
    page.select_option("[name=sanction]", label="Увольнение со службы")
    page.check("[name=negative_grounds]")
    page.fill("[name=order_number]", "15-лс")
    page.fill("[name=imposed_on]", (start + dt.timedelta(days=3)).isoformat())
    page.locator("form.form-page button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == check_url)
    page.fill("[name=informed_on]", (start + dt.timedelta(days=3)).isoformat())
    submit(page, "inform")
    submit(page, "close")
    assert "Закрыта" in page.inner_text(".page-header")
    check = IntegrityCheck.objects.get()
    assert (check.status, check.outcome, check.follow_up_record.order_number) == ("closed", "failed", "15-лс")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "integrity-check-closed.png"), full_page=True)
    sign_out(page)

    # The tested employee does not find it (404, as if it did not exist); an analyst and an investigator are refused.
    for username, expected in (("tested", 404), ("analyst", 403), ("investigator", 403)):
        sign_in(page, username)
        assert page.goto(check_url).status == expected, username
        assert "Предложение денег" not in page.content()
        sign_out(page)
    sign_in(page, "tested")
    page.goto("/integrity/checks/")
    assert check_url not in page.content()
    sign_out(page)

    # The auditor reviews the access log: the reads of the check by the officers are there.
    sign_in(page, "auditor")
    page.goto("/audit/access-log/")
    log = page.inner_text("main")
    assert log.count(f"Проверка № {check.pk}") >= 5  # each page of the check the officers opened
    assert "Проверяемый Ержан" in log  # the employee's file was opened by the tester
