"""Hostile input is cheap to refuse (issue 11 item 8): deep JSON, huge or unbounded bodies, unknown or malformed
query parameters — a clear 4xx in the API's error format (or a translated page), nothing written, never a 500."""

from __future__ import annotations

import socket
import time

import pytest

from tests.anticor.test_api_matrix import LISTS, WRITES, assert_error, auth, snapshot, token, write_context
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HUGE = 200 * 1024 * 1024


class RecordingInput:
    """A ``wsgi.input`` that remembers how much of the body was read."""

    def __init__(self, data: bytes) -> None:
        self.data, self.read_bytes = data, 0

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) - self.read_bytes if size is None or size < 0 else size
        chunk = self.data[self.read_bytes : self.read_bytes + size]
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


# --- JSON nested too deep --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['{"a": ' * 1000 + "1" + "}" * 1000, "[" * 1000 + "]" * 1000, '{"summary": ' + "[" * 33 + "]" * 33 + "}"],
    ids=["objects-1000", "lists-1000", "lists-33"],
)
@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_json_nested_too_deep_is_400_and_changes_nothing(client, endpoint, body):
    # Given an object the endpoint writes, when a body nested deeper than 32 levels is sent
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    response = getattr(client, endpoint.method)(url, data=body, content_type="application/json", **headers)

    # Then a JSON 400 in the API's format says so, and nothing changed
    assert assert_error(response, 400) == {
        "status": 400,
        "code": "parse_error",
        "detail": "Ошибка разбора JSON: вложенность глубже 32 уровней.",
    }
    assert snapshot(endpoint.model, obj) == before


def test_json_nested_32_deep_is_parsed(client):
    # Given a body exactly at the depth limit, when it is sent, then it reaches validation (a field error, not parsing)
    _obj, url, headers = write_context(next(e for e in WRITES if e.prefix == "cases" and e.method == "patch"))
    body = '{"summary": ' + "[" * 31 + "]" * 31 + "}"
    response = client.patch(url, data=body, content_type="application/json", **headers)
    assert assert_error(response, 400)["code"] == "invalid"


# --- request bodies --------------------------------------------------------------------------------------------------


def test_an_api_body_declared_huge_is_a_json_413_before_a_byte_is_read(client):
    # Given a write token, when a POST declares 200 MB of body
    stream = RecordingInput(b'{"summary": "x"}')
    headers = auth(token(["cases:read", "cases:write"]))
    response = client.post(
        "/api/v1/cases/", content_type="application/json", CONTENT_LENGTH=str(HUGE), **{"wsgi.input": stream}, **headers
    )

    # Then it is refused in the API's error format and nothing of the body was read
    assert assert_error(response, 413) == {
        "status": 413,
        "code": "too_large",
        "detail": "Запрос больше допустимого размера (1,0\xa0МБ): он не принят.",
    }
    assert stream.read_bytes == 0


def test_an_api_body_of_11_mb_is_a_json_413_not_an_html_400(client):
    from cases.models import Case

    body = '{"summary": "' + "x" * (11 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/cases/", data=body, content_type="application/json")
    assert assert_error(response, 413)["code"] == "too_large"
    assert Case.objects.count() == 0


def test_a_multipart_upload_declared_huge_is_an_html_413_before_a_byte_is_read(client, make_user):
    # Given a signed-in investigator, when the import form is posted with a 200 MB multipart body
    client.force_login(make_user("investigator"))
    stream = RecordingInput(b"--boundary\r\n")
    response = client.post(
        "/cases/import/",
        content_type="multipart/form-data; boundary=boundary",
        CONTENT_LENGTH=str(HUGE),
        **{"wsgi.input": stream},
    )

    # Then a translated HTML page refuses it and nothing of the body was read
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>Слишком большой запрос</h1>" in page
    assert "Запрос больше допустимого размера (10,0\xa0МБ): он не принят." in page
    assert stream.read_bytes == 0


def test_the_html_413_page_follows_the_chosen_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/cases/import/", content_type="text/plain", CONTENT_LENGTH=str(HUGE))
    assert response.status_code == 413
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.parametrize(("path", "json"), [("/api/v1/cases/", True), ("/cases/import/", False)])
def test_a_chunked_body_without_content_length_is_411_and_not_read(client, path, json):
    # When a body comes chunked, without Content-Length (Django would read none of it and drop it silently)
    stream = RecordingInput(b"5\r\nhello\r\n0\r\n\r\n")
    response = client.generic(
        "POST", path, content_type="application/json", HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": stream}
    )

    # Then it is refused as 411 and nothing was read
    detail = "Укажите размер тела запроса в заголовке Content-Length: тело без него не принимается."
    if json:
        assert assert_error(response, 411) == {"status": 411, "code": "length_required", "detail": detail}
    else:
        assert response.status_code == 411
        assert detail in response.content.decode()
    assert stream.read_bytes == 0


def test_a_body_within_the_web_limit_reaches_the_view(client, make_user):
    # Given a signed-in investigator, when the import form is posted with no file, then the form answers (200)
    client.force_login(make_user("investigator"))
    response = client.post("/cases/import/", data={})
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_over_real_http_a_declared_200_mb_upload_is_answered_without_sending_it(live_server):
    # Given a live server, when only the headers of a 200 MB upload are sent
    host, port = live_server.thread.host, live_server.thread.port
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/cases/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {HUGE}\r\n\r\n".encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk

    # Then the JSON 413 arrives at once
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"code": "too_large"' in answer or b'"code":"too_large"' in answer
    assert time.perf_counter() - started < 5


# --- query parameters ------------------------------------------------------------------------------------------------


@pytest.fixture
def reader(client):
    """GET with a token that reads every area."""
    from anticor.access import ApiScope

    headers = auth(token([scope for scope in ApiScope if scope.endswith(":read")]))
    return lambda url: client.get(url, **headers)


def test_an_unknown_query_parameter_is_400_naming_it_and_the_accepted_ones(reader):
    from cases.filtersets import CaseFilterSet
    from cases.models import Case

    accepted = ", ".join([*CaseFilterSet.base_filters, "cursor", "page_size", "format"])

    # Given cases, when the list is asked with a field name that is no filter
    CaseFactory.create_batch(2)
    response = reader("/api/v1/cases/?registration_number=750000000000001")

    # Then a 400 names the parameter and lists the accepted ones, and no case is returned
    assert assert_error(response, 400) == {
        "status": 400,
        "code": "invalid",
        "detail": "Ошибка в данных запроса.",
        "errors": {"registration_number": [f"Неизвестный параметр. Допустимые параметры: {accepted}."]},
    }
    assert Case.objects.count() == 2


@pytest.mark.parametrize("endpoint", LISTS, ids=lambda e: e.id)
def test_every_list_refuses_an_unknown_query_parameter(reader, endpoint):
    response = reader(endpoint.url(None) + "?no_such_filter=1")
    body = assert_error(response, 400)
    assert list(body["errors"]) == ["no_such_filter"]
    assert body["errors"]["no_such_filter"][0].startswith("Неизвестный параметр. Допустимые параметры: ")
    assert "page_size" in body["errors"]["no_such_filter"][0]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page_size=null", {"page_size": ["Ожидается целое число больше нуля (не больше 500)."]}),
        ("page_size=-3", {"page_size": ["Ожидается целое число больше нуля (не больше 500)."]}),
        ("page_size=", {"page_size": ["Пустое значение: укажите значение или не передавайте параметр."]}),
        ("registered_from=", {"registered_from": ["Пустое значение: укажите значение или не передавайте параметр."]}),
        ("registered_from=2026-13-01", {"registered_from": ["Введите правильную дату."]}),
        ("status=", {"status": ["Пустое значение: укажите значение или не передавайте параметр."]}),
    ],
)
def test_a_malformed_case_list_parameter_is_400(reader, query, errors):
    CaseFactory()
    response = reader(f"/api/v1/cases/?{query}")
    assert assert_error(response, 400) == {
        "status": 400,
        "code": "invalid",
        "detail": "Ошибка в данных запроса.",
        "errors": errors,
    }


@pytest.mark.parametrize("value", ["-1", "yes", "2", "1"])
def test_a_yes_no_filter_accepts_only_true_or_false(reader, value):
    response = reader(f"/api/v1/regions/?is_active={value}")
    assert assert_error(response, 400)["errors"] == {"is_active": ["Ожидается true или false."]}


def test_known_parameters_with_good_values_still_filter(reader):
    from anticor.models import Region

    response = reader("/api/v1/regions/?is_active=false&page_size=7&format=json")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == list(
        Region.objects.filter(is_active=False).order_by("id").values_list("code", flat=True)[:7]
    )


def test_an_unknown_parameter_on_a_detail_or_a_write_is_400_and_changes_nothing(client):
    endpoint = next(e for e in WRITES if e.prefix == "cases" and e.method == "patch")
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    response = client.patch(f"{url}?dry=1", data={"summary": "Иное"}, content_type="application/json", **headers)
    assert list(assert_error(response, 400)["errors"]) == ["dry"]
    assert snapshot(endpoint.model, obj) == before


def test_the_schema_documents_the_400_of_every_list_operation(client):
    from anticor.access import ApiScope

    schema = client.get("/api/v1/schema/?format=json", **auth(token(list(ApiScope)))).json()
    lists = [
        (path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get" and "{" not in path
    ]
    assert len(lists) == len(LISTS)
    for path, operation in lists:
        response = operation["responses"].get("400")
        assert response is not None, path
        assert "unknown" in response["description"], path
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, path
