"""Signing in and out, and the brute-force lockout."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from anticor.access import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_correct_password_signs_in_and_lands_on_home(client, make_user):
    user = make_user(Role.INVESTIGATOR, username="ivanov")
    response = login(client, "ivanov", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_the_error_and_does_not_sign_in(client, make_user):
    make_user(Role.INVESTIGATOR, username="ivanov")
    response = login(client, "ivanov", "wrong-password")
    assert response.status_code == 200
    assert "Неверное имя пользователя или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_user_and_address(client, make_user):
    make_user(Role.INVESTIGATOR, username="ivanov")
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        assert login(client, "ivanov", "wrong").status_code == 200
    # The attempt that reaches the limit is refused, and so is the right password afterwards.
    assert login(client, "ivanov", "wrong").status_code == 429
    locked = login(client, "ivanov", TEST_PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Слишком много неудачных попыток" in locked.content.decode()
    # The attempt made while locked counts as a failure too.
    assert AccessAttempt.objects.get(username="ivanov", ip_address="10.0.0.1").failures_since_start == limit + 1


def test_lockout_is_per_user_and_address(client, make_user):
    make_user(Role.INVESTIGATOR, username="ivanov")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ivanov", "wrong", ip="10.0.0.1")
    # The same person from another workstation is not locked out.
    response = login(client, "ivanov", TEST_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


def test_logout_requires_post_and_ends_the_session(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client, make_user):
    make_user(Role.INVESTIGATOR, username="fired", is_active=False)
    response = login(client, "fired", TEST_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_from_one_address_over_many_user_names_lock_the_address(client, make_user, settings):
    make_user(Role.INVESTIGATOR, username="ivanov")
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    names = [f"user{number:02d}" for number in range(46)]
    # The reported spray: 58 wrong passwords from one address over 46 user names (no name reaches its own limit)
    codes = [login(client, names[attempt % 46], "wrong", ip="10.0.0.9").status_code for attempt in range(58)]
    assert codes == [200] * (limit - 1) + [429] * (58 - limit + 1)
    # Every name from that address is refused now, the right password too; other addresses are not affected
    locked = login(client, "ivanov", TEST_PASSWORD, ip="10.0.0.9")
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток входа с этого адреса" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(client, "ivanov", TEST_PASSWORD, ip="10.0.0.10").status_code == 302


def test_a_correct_login_does_not_clear_the_address_count_of_other_names(client, make_user, settings):
    make_user(Role.INVESTIGATOR, username="ivanov")
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for attempt in range(limit - 1):
        assert login(client, f"guess{attempt}", "wrong", ip="10.0.0.9").status_code == 200
    assert login(client, "ivanov", TEST_PASSWORD, ip="10.0.0.9").status_code == 302
    client.post("/accounts/logout/")
    # The sprayer's failures still count: one more from that address locks it
    assert login(client, "guess-last", "wrong", ip="10.0.0.9").status_code == 429
