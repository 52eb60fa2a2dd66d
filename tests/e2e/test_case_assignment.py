"""Bulk assignment in a real browser (issue 13 item 2): the head ticks three cases in the list, assigns them to an
investigator and sees the message and the investigator's full name in the list."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anticor.access import Role
from cases.models import Case, CaseEvent
from tests.e2e.steps import sign_in
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_assigns_three_cases_from_the_list(page):
    call_command("load_reference", verbosity=0)
    UserFactory(username="head", roles=[Role.DEPARTMENT_HEAD], department_code="75")
    investigator = UserFactory(
        username="zhumabaeva", first_name="Алия", last_name="Жумабаева", roles=[Role.INVESTIGATOR], department_code="75"
    )
    cases = CaseFactory.create_batch(3)
    left = CaseFactory()

    sign_in(page, "head")
    page.goto("/cases/")
    for case in cases:
        page.check(f"input[name=cases][value='{case.pk}']")
    page.select_option("#bulk-assign [name=investigator]", label="Жумабаева Алия")
    page.locator("#bulk-assign button[type=submit]").click()
    page.wait_for_load_state()

    assert "Назначено дел: 3." in page.content()
    rows = page.locator("table tbody tr")
    for case in cases:
        assert "Жумабаева Алия" in rows.filter(has_text=case.registration_number).inner_text()
    assert "не назначен" in rows.filter(has_text=left.registration_number).inner_text()
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("investigator", flat=True)) == {
        investigator.pk
    }
    assert CaseEvent.objects.filter(kind="assigned").count() == 3
