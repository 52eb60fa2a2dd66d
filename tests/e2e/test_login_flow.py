"""A person signs in through a real browser, sees their home page, switches language and signs out."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from anticor.access import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_wrong_then_right_password_switch_language_and_sign_out(page):
    call_command("load_reference", verbosity=0)
    UserFactory(
        username="head", roles=[Role.DEPARTMENT_HEAD], department_code="75", last_name="Ахметов", first_name="Ерлан"
    )

    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", "not-the-password")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text().startswith("Неверное имя пользователя или пароль")

    page.fill("input[name=password]", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    assert "Ахметов Ерлан" in page.content()
    assert "Руководитель департамента" in page.content()

    page.select_option("select[name=language]", "kk")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "kk"

    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/accounts/login/")
