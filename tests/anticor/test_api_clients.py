"""API clients of other agencies: a token shown once and stored hashed, expiry, revocation, rotation, address
allow-list, malformed credentials, per-client throttling, the admin pages, and attribution in the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from io import StringIO

import pghistory
import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pghistory.models import Context as PghContext
from pghistory.models import Events

from anticor.access import Role
from anticor.api.clients import api_client_create, api_client_revoke, api_client_rotate
from anticor.models import ApiClient, Department, StateBody
from cases.models import Case

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/"
FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def unique_name(prefix: str = "client") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_client(**kwargs) -> tuple[ApiClient, str]:
    kwargs.setdefault("name", unique_name())
    kwargs.setdefault("scopes", ["reference:read"])
    api_client, token = api_client_create(**kwargs)
    # Redis outlives the test database: a client of an earlier run may have had this id within the last minute
    cache.delete(f"throttle_api_client_{api_client.pk}")
    return api_client, token


def get(client, token: str | None, url: str = URL, **extra):
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client.get(url, **extra)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


# --- create_api_client -----------------------------------------------------------------------------------------------


def test_command_prints_the_token_last_and_stores_only_its_hash(client):
    # Given a name, scopes, a department and a future expiry
    name = unique_name("prosecutor")
    # When the administrator runs the command
    output = run_command(name, "--scopes", "cases:read,reference:read", "--departments", "75", "--expires", FUTURE)
    # Then the token is the last line of the output
    token = output.strip().splitlines()[-1]
    assert token.startswith("ac_")
    assert len(token) == 46
    # And the client exists with what was asked
    api_client = ApiClient.objects.get(name=name)
    assert api_client.scopes == ["cases:read", "reference:read"]
    assert list(api_client.departments.values_list("code", flat=True)) == ["75"]
    assert api_client.expires_on == dt.date.fromisoformat(FUTURE)
    assert api_client.is_active is True
    # And the token is stored only as its SHA-256 hash (plus a short prefix to recognise it)
    assert api_client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert api_client.token_prefix == token[:10]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM anticor_apiclient c WHERE id = %s", [api_client.pk])
        (row,) = cursor.fetchone()
    assert token not in row
    assert token[10:] not in row
    # And nowhere else in the output but the last line
    assert output.count(token) == 1
    # And it authenticates API requests
    response = get(client, token)
    assert response.status_code == 200, response.content
    assert response.json()["results"][0].keys() == {"code", "kind", "name_ru", "name_kk", "former_names", "is_active"}


def test_command_without_departments_or_expiry_gives_an_agency_wide_client_without_expiry():
    name = unique_name()
    output = run_command(name, "--scopes", "reference:read")
    api_client = ApiClient.objects.get(name=name)
    assert api_client.departments.count() == 0
    assert api_client.expires_on is None
    assert "departments: all; expires: never" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scopes", "cases:read,cases:delete"], "scopes: Неизвестные права: cases:delete"),
        (["--scopes", ""], "scopes: Укажите хотя бы одно право."),
        (["--scopes", "cases:read", "--departments", "75,99"], "departments: Неизвестные департаменты: 99"),
        (["--scopes", "cases:read", "--expires", "2020-01-01"], "expires_on: Срок действия должен быть в будущем."),
        (["--scopes", "cases:read", "--expires", "tomorrow"], "--expires: expected a date YYYY-MM-DD"),
        (["--scopes", "cases:read", "--allow", "10.0.0.0/99"], "allowed_networks: Не IP-адрес и не сеть: 10.0.0.0/99"),
    ],
    ids=["unknown-scope", "no-scope", "unknown-department", "past-expiry", "bad-date", "bad-network"],
)
def test_command_refuses_bad_input_and_creates_nothing(args, message):
    before = ApiClient.objects.count()
    name = unique_name()
    with pytest.raises(CommandError) as error:
        run_command(name, *args)
    assert str(error.value) == message
    assert ApiClient.objects.count() == before
    assert not ApiClient.objects.filter(name=name).exists()


def test_command_refuses_a_duplicate_name():
    api_client, _token = make_client()
    with pytest.raises(CommandError, match=r"^name: "):
        run_command(api_client.name, "--scopes", "reference:read")
    assert ApiClient.objects.filter(name=api_client.name).count() == 1


def test_today_is_the_last_day_a_token_works(client):
    # Given a client whose expiry date is today
    api_client, token = make_client(expires_on=timezone.localdate() + dt.timedelta(days=1))
    ApiClient.objects.filter(pk=api_client.pk).update(expires_on=timezone.localdate())
    # Then the token still works
    assert get(client, token).status_code == 200


# --- tokens that no longer work ---------------------------------------------------------------------------------------


def test_expired_token_is_401_with_the_json_error(client):
    # Given a client whose expiry date has passed
    api_client, token = make_client(expires_on=timezone.localdate() + dt.timedelta(days=1))
    ApiClient.objects.filter(pk=api_client.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    # When it calls the API
    response = get(client, token)
    # Then it is refused with the JSON error and the auth challenge
    body = assert_error(response, 401, "authentication_failed")
    assert body == {"status": 401, "code": "authentication_failed", "detail": "Срок действия токена истёк."}
    assert response["WWW-Authenticate"] == "Token"
    # And its use is not recorded
    api_client.refresh_from_db()
    assert api_client.last_used_at is None


def test_revoked_token_is_401(client):
    api_client, token = make_client()
    assert get(client, token).status_code == 200
    revoked = api_client_revoke(client_id=api_client.pk, reason="договор расторгнут")
    assert (revoked.is_active, revoked.revoke_reason) == (False, "договор расторгнут")
    assert revoked.revoked_at is not None
    body = assert_error(get(client, token), 401, "authentication_failed")
    assert body["detail"] == "Токен отозван."


def test_rotated_token_replaces_the_old_one(client):
    api_client, old_token = make_client()
    assert get(client, old_token).status_code == 200
    _client, new_token = api_client_rotate(client_id=api_client.pk)
    assert new_token != old_token
    assert_error(get(client, old_token), 401, "authentication_failed")
    assert get(client, new_token).status_code == 200
    api_client.refresh_from_db()
    assert api_client.token_hash == hashlib.sha256(new_token.encode()).hexdigest()
    assert api_client.token_prefix == new_token[:10]


def test_unknown_token_is_401(client):
    body = assert_error(get(client, "ac_" + "x" * 43), 401, "authentication_failed")
    assert body["detail"] == "Недействительный токен."


def test_no_credentials_is_401_with_the_challenge(client):
    response = get(client, None)
    body = assert_error(response, 401, "not_authenticated")
    assert set(body) == {"status", "code", "detail"}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token", "Заголовок Authorization: ожидается «Token <токен>»."),
        ("Token a b", "Заголовок Authorization: ожидается «Token <токен>»."),
        ("Token ключ", "Недействительный токен."),
        ("Token clé", "Недействительный токен."),
        ("token ac_lowercase_keyword_is_accepted_but_unknown", "Недействительный токен."),
    ],
    ids=["no-token", "two-tokens", "cyrillic", "latin1", "lowercase-keyword"],
)
def test_malformed_authorization_header_is_401_json(client, header, detail):
    response = client.get(URL, HTTP_AUTHORIZATION=header)
    body = assert_error(response, 401, "authentication_failed")
    assert body["detail"] == detail


def test_other_authorization_schemes_are_not_tokens(client):
    # A Basic header is not ours: the request is simply unauthenticated
    response = client.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "Authentication credentials were not provided."),
        ("ru", "Учетные данные не были предоставлены."),
        ("de-DE,de;q=0.9", "Учетные данные не были предоставлены."),
    ],
)
def test_errors_follow_accept_language(client, language, detail):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    body = assert_error(response, 401, "not_authenticated")
    assert body["detail"] == detail


# --- address allow-list -----------------------------------------------------------------------------------------------


def test_token_is_accepted_only_from_allowed_networks(client):
    # Given a client limited to 10.1.0.0/16
    api_client, token = make_client(allowed_networks=["10.1.0.0/16"])
    # Then a request from inside the network is served
    assert get(client, token, REMOTE_ADDR="10.1.2.3").status_code == 200
    # And one from elsewhere is refused, and not recorded as use
    ApiClient.objects.filter(pk=api_client.pk).update(last_used_at=None)
    body = assert_error(get(client, token, REMOTE_ADDR="192.0.2.1"), 403, "permission_denied")
    assert body["detail"] == "С этого адреса доступ по данному токену запрещён."
    api_client.refresh_from_db()
    assert api_client.last_used_at is None


def test_single_addresses_and_ipv6_in_the_allow_list(client):
    _api_client, token = make_client(allowed_networks=["192.0.2.7", "2001:db8::/32"])
    assert get(client, token, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert get(client, token, REMOTE_ADDR="2001:db8::1").status_code == 200
    assert_error(get(client, token, REMOTE_ADDR="192.0.2.8"), 403, "permission_denied")
    assert_error(get(client, token, REMOTE_ADDR="2001:db9::1"), 403, "permission_denied")


def test_a_malformed_network_stored_in_the_database_refuses_instead_of_failing(client):
    # Given a row edited behind the service's back (e.g. by SQL) with a value that is not a network
    api_client, token = make_client(allowed_networks=["10.1.0.0/16"])
    ApiClient.objects.filter(pk=api_client.pk).update(allowed_networks=["not-a-network", "10.1.0.0/16"])
    # Then the valid entry still works and the bad one matches nothing (never a 500)
    assert get(client, token, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert_error(get(client, token, REMOTE_ADDR="192.0.2.1"), 403, "permission_denied")


# --- use and throttling ----------------------------------------------------------------------------------------------


def test_use_is_recorded(client):
    api_client, token = make_client()
    assert api_client.last_used_at is None
    before = timezone.now()
    assert get(client, token).status_code == 200
    api_client.refresh_from_db()
    assert api_client.last_used_at >= before


def test_client_over_its_rate_limit_gets_429_with_retry_after(client):
    # Given a client allowed 3 requests a minute, with no history in the (real Redis) cache
    api_client, token = make_client(name=unique_name("throttled"), rate_limit_per_minute=3)
    assert api_client.rate_limit_per_minute == 3
    # When it makes four requests
    statuses = [get(client, token).status_code for _ in range(3)]
    response = get(client, token)
    # Then the fourth is refused with 429 and told when to retry
    assert statuses == [200, 200, 200]
    body = assert_error(response, 429, "throttled")
    assert set(body) == {"status", "code", "detail"}
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    # And another client is not affected
    _other, other_token = make_client()
    assert get(client, other_token).status_code == 200


# --- the admin site --------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    administrator = make_user(Role.ADMINISTRATOR, is_staff=True)
    client.force_login(administrator)
    return client


def admin_form(name: str, **overrides) -> dict:
    data = {
        "name": name,
        "description": "Генеральная прокуратура",
        "scopes": ["cases:read", "reference:read"],
        "departments": [Department.objects.get(code="75").pk],
        "allowed_networks": "10.1.0.0/16",
        "rate_limit_per_minute": "120",
        "expires_on": FUTURE,
    }
    data.update(overrides)
    return data


def test_administrator_creates_a_client_and_sees_the_token_once(admin_client):
    # Given an administrator on the admin site
    name = unique_name("prosecutor")
    # When they add a client
    response = admin_client.post("/admin/anticor/apiclient/add/", admin_form(name), follow=True)
    # Then the client exists as entered
    assert response.status_code == 200
    api_client = ApiClient.objects.get(name=name)
    assert api_client.scopes == ["cases:read", "reference:read"]
    assert list(api_client.departments.values_list("code", flat=True)) == ["75"]
    assert api_client.allowed_networks == ["10.1.0.0/16"]
    assert api_client.rate_limit_per_minute == 120
    assert api_client.expires_on == dt.date.fromisoformat(FUTURE)
    assert api_client.description == "Генеральная прокуратура"
    # And the token is shown once, in the message, and matches the stored hash
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    token_messages = [text for text in texts if "показывается один раз" in text]
    assert len(token_messages) == 1
    token = token_messages[0].rsplit(": ", 1)[1]
    assert api_client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # And it is not on the client's page afterwards
    page = admin_client.get(f"/admin/anticor/apiclient/{api_client.pk}/change/")
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert token[:10] in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"allowed_networks": "10.1.0.0/16,not-a-network"}, "allowed_networks"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"scopes": ["cases:delete"]}, "scopes"),
    ],
    ids=["bad-network", "past-expiry", "unknown-scope"],
)
def test_admin_refuses_bad_input_with_a_form_error_and_creates_nothing(admin_client, overrides, field):
    before = ApiClient.objects.count()
    name = unique_name()
    response = admin_client.post("/admin/anticor/apiclient/add/", admin_form(name, **overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert ApiClient.objects.count() == before


def test_admin_change_refuses_a_malformed_network_and_changes_nothing(admin_client):
    api_client, _token = make_client(allowed_networks=["10.1.0.0/16"])
    data = admin_form(api_client.name, allowed_networks="10.1.0.0/16,not-a-network")
    response = admin_client.post(f"/admin/anticor/apiclient/{api_client.pk}/change/", data)
    assert response.status_code == 200
    assert "allowed_networks" in response.context["adminform"].form.errors
    api_client.refresh_from_db()
    assert api_client.allowed_networks == ["10.1.0.0/16"]
    assert api_client.scopes == ["reference:read"]


def test_admin_changes_a_client_and_its_token_keeps_working(admin_client, client):
    api_client, token = make_client()
    data = admin_form(api_client.name, scopes=["reference:read", "cases:read"], allowed_networks="", expires_on="")
    response = admin_client.post(f"/admin/anticor/apiclient/{api_client.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    api_client.refresh_from_db()
    assert api_client.scopes == ["reference:read", "cases:read"]
    assert list(api_client.departments.values_list("code", flat=True)) == ["75"]
    assert api_client.rate_limit_per_minute == 120
    admin_client.logout()
    assert get(client, token).status_code == 200


def test_admin_may_edit_a_client_whose_expiry_has_passed_without_moving_it(admin_client):
    api_client, _token = make_client(expires_on=timezone.localdate() + dt.timedelta(days=1))
    past = timezone.localdate() - dt.timedelta(days=3)
    ApiClient.objects.filter(pk=api_client.pk).update(expires_on=past)
    data = admin_form(api_client.name, description="Договор продлевается", expires_on=past.isoformat())
    response = admin_client.post(f"/admin/anticor/apiclient/{api_client.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    api_client.refresh_from_db()
    assert (api_client.description, api_client.expires_on) == ("Договор продлевается", past)


def test_admin_rotate_action_issues_a_new_token(admin_client, client):
    api_client, old_token = make_client()
    response = admin_client.post(
        "/admin/anticor/apiclient/",
        {"action": "rotate_tokens", "_selected_action": [api_client.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    token_messages = [text for text in texts if "показывается один раз" in text]
    assert len(token_messages) == 1
    new_token = token_messages[0].rsplit(": ", 1)[1]
    admin_client.logout()
    assert_error(get(client, old_token), 401, "authentication_failed")
    assert get(client, new_token).status_code == 200


def test_admin_revoke_action_stops_the_token(admin_client, client):
    api_client, token = make_client()
    other, other_token = make_client()
    response = admin_client.post(
        "/admin/anticor/apiclient/",
        {"action": "revoke_clients", "_selected_action": [api_client.pk]},
        follow=True,
    )
    assert response.status_code == 200
    api_client.refresh_from_db()
    assert api_client.is_active is False
    assert api_client.revoked_at is not None
    assert api_client.revoke_reason.endswith(response.wsgi_request.user.username)
    other.refresh_from_db()
    assert other.is_active is True
    admin_client.logout()
    assert_error(get(client, token), 401, "authentication_failed")
    assert get(client, other_token).status_code == 200


def test_admin_never_deletes_clients(admin_client):
    api_client, _token = make_client()
    response = admin_client.post(f"/admin/anticor/apiclient/{api_client.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ApiClient.objects.filter(pk=api_client.pk).exists()


def test_api_clients_admin_is_refused_to_other_staff(client, make_user):
    analyst = make_user(Role.ANALYST, is_staff=True)
    client.force_login(analyst)
    before = ApiClient.objects.count()
    response = client.post("/admin/anticor/apiclient/add/", admin_form(unique_name()))
    assert response.status_code == 403
    assert ApiClient.objects.count() == before


# --- audit trail -----------------------------------------------------------------------------------------------------


def test_a_change_through_the_api_is_attributed_to_the_client_in_the_audit_trail(client):
    # Given a client that writes cases
    api_client, token = make_client(scopes=["cases:write"], department_codes=["75"])
    state_body = StateBody.objects.filter(region__code="75").order_by("pk").first()
    body = {
        "registered_on": "2026-03-02",
        "department": "75",
        "articles": ["366"],
        "state_body": state_body.pk,
        "sector": "land",
        "summary": "Получение взятки за выделение земельного участка",
    }
    # When it creates a case through the API from its address
    response = client.put(
        "/api/v1/cases/750000000012345/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 201, response.content
    # Then the row's audit event names the client, the channel, the address and the request
    case = Case.objects.get(registration_number="750000000012345")
    (event,) = Events.objects.tracks(case).filter(pgh_label="insert")
    context = event.pgh_context
    assert context["api_client"] == api_client.name
    assert context["api_client_id"] == api_client.pk
    assert context["source"] == "api"
    assert context["ip"] == "192.0.2.44"
    assert context["url"] == "/api/v1/cases/750000000012345/"
    assert context["method"] == "PUT"
    assert context["user"] is None


def test_a_refused_api_request_records_nothing_in_the_audit_trail(client):
    # Given a client that may only read cases
    _api_client, token = make_client(scopes=["cases:read"])
    before = PghContext.objects.count()
    # When it tries to write, it is refused and no audit context is stored
    response = client.put(
        "/api/v1/cases/750000000012346/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert_error(response, 403, "permission_denied")
    assert not Case.objects.filter(registration_number="750000000012346").exists()
    assert PghContext.objects.count() == before


def test_every_api_request_adds_the_client_to_an_open_audit_context(client):
    # Reads open no context of their own; inside one (as the middleware opens for writes) the client is named
    api_client, token = make_client()
    with pghistory.context() as context:
        assert get(client, token).status_code == 200
    assert context.metadata["api_client"] == api_client.name
    assert context.metadata["api_client_id"] == api_client.pk
