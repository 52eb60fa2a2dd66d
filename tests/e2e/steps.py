"""Steps every browser flow shares."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.factories import TEST_PASSWORD


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def sign_out(page):
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/accounts/login/")
