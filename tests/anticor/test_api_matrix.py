"""Every endpoint of /api/v1/ against the access rules of DESIGN.md §5.2, derived from the router itself so that a
resource added later is covered without editing this file:

- no credentials → 401 (JSON, ``WWW-Authenticate: Token``);
- a token without the resource's scope → 403; a read-only token on a write → 403;
- a token limited to department 71 on a department-75 object → 404 (only where the model has ``department_lookup``);
- permitted → 200 for reads (for a token and for a signed-in user with a role that reaches the area);
- a denied write changes nothing;
- list endpoints run a number of SQL queries that does not depend on the page size.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anticor.access import ROLE_GRANTS as GRANTS
from anticor.access import SCOPE_AREAS, ApiScope, Grant, Role, Scope
from anticor.api.clients import api_client_create
from anticor.api.urls import router
from anticor.models import Department
from cases.models import Case, Recommendation, RootCause, RootCauseCategory
from tests.factories import INDICATOR_MAKERS, INTEGRITY_MAKERS, PROJECT_MAKERS, CaseFactory

pytestmark = pytest.mark.django_db

SAFE = {"get", "head", "options"}


@dataclasses.dataclass(frozen=True)
class Endpoint:
    prefix: str
    viewset: type
    route_name: str
    detail: bool
    method: str
    action: str

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.prefix}{'/{id}' if self.detail else ''}:{self.action}"

    @property
    def model(self) -> type[Model]:
        return model_of(self.viewset)

    @property
    def area(self) -> str:
        return self.viewset.access_area

    @property
    def write(self) -> bool:
        return self.method not in SAFE

    @property
    def department_scoped(self) -> bool:
        return getattr(self.model, "department_lookup", None) is not None

    def url(self, obj: Model | None) -> str:
        if not self.detail:
            return reverse(self.route_name)
        lookup = self.viewset.lookup_field
        kwarg = self.viewset.lookup_url_kwarg or lookup
        return reverse(self.route_name, kwargs={kwarg: getattr(obj, lookup)})


def model_of(viewset) -> type[Model]:
    for name in ("base_queryset", "queryset"):
        queryset = getattr(viewset, name, None)
        if queryset is not None:
            return queryset.model
    return viewset.serializer_class.Meta.model


def router_endpoints() -> list[Endpoint]:
    endpoints = []
    for prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in router.get_method_map(viewset, route.mapping).items():
                name = route.name.format(basename=basename)
                endpoints.append(Endpoint(prefix, viewset, name, route.detail, method, action))
    return endpoints


ENDPOINTS = router_endpoints()
READS = [e for e in ENDPOINTS if not e.write]
WRITES = [e for e in ENDPOINTS if e.write]
LISTS = [e for e in READS if not e.detail and e.action == "list"]
DOCUMENT_URLS = ["/api/v1/", "/api/v1/schema/", "/api/v1/docs/"]


def test_the_router_holds_the_resources_of_the_contract():
    # DESIGN.md §5.2: the reference resources and the cases resources (projects, integrity, indicators arrive later)
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert {
        "regions",
        "departments",
        "state-bodies",
        "articles",
        "termination-grounds",
        "root-cause-categories",
        "sectors",
    } <= prefixes
    assert {"cases", "root-causes", "recommendations"} <= prefixes
    # And every listed endpoint is covered below
    assert len(READS) >= 2 * len(prefixes)


# --- objects and credentials ------------------------------------------------------------------------------------------


def make_case(department: str = "75") -> Case:
    return CaseFactory(department_code=department)


def make_root_cause(department: str = "75") -> RootCause:
    case = make_case(department)
    cause = RootCause.objects.create(
        department=case.department,
        category=RootCauseCategory.objects.get(code="manual_process"),
        description="Личный контакт заявителя с чиновником при выдаче разрешений",
        state_body=case.state_body,
        identified_on=dt.date(2026, 1, 15),
    )
    cause.cases.add(case)
    return cause


def make_recommendation(department: str = "75") -> Recommendation:
    cause = make_root_cause(department)
    rec = Recommendation.objects.create(
        number=f"{department}-2026-{uuid.uuid4().hex[:6]}", department=cause.department, addressee=cause.state_body
    )
    rec.root_causes.add(cause)
    return rec


MAKERS: dict[type[Model], Callable[[], Model]] = {
    Case: make_case,
    RootCause: make_root_cause,
    Recommendation: make_recommendation,
}
MAKERS.update(PROJECT_MAKERS)  # department-scoped project rows (projects, KPIs, measurements, milestones, …)
MAKERS.update(INTEGRITY_MAKERS)  # employees, disciplinary records, convictions, integrity checks
MAKERS.update(INDICATOR_MAKERS)  # indicator values (by department), runs and the catalogue


def existing_object(model: type[Model]) -> Model:
    """A department-75 object of a department-scoped model, else a reference row loaded with the test database."""
    if model in MAKERS:
        return MAKERS[model]()
    assert getattr(model, "department_lookup", None) is None, f"add a maker for {model.__name__} to MAKERS"
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model.__name__} row in the test database; add a maker to MAKERS"
    return obj


def scopes_for(area: str, *, write: bool = False) -> list[str]:
    return [scope for scope, (areas, is_write) in SCOPE_AREAS.items() if area in areas and is_write == write]


def scopes_without(area: str) -> list[str]:
    return [scope for scope, (areas, _write) in SCOPE_AREAS.items() if area not in areas]


def token(scopes: list[str], departments: tuple[str, ...] = ()) -> str:
    client, secret = api_client_create(
        name=f"matrix-{uuid.uuid4().hex[:12]}", scopes=scopes, department_codes=departments
    )
    cache.delete(f"throttle_api_client_{client.pk}")  # Redis outlives the test database (ids are reused)
    return secret


def auth(secret: str | None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {secret}"} if secret else {}


def request(client, endpoint: Endpoint, url: str, secret: str | None = None, **extra):
    method = getattr(client, endpoint.method)
    if endpoint.write:
        return method(url, data={}, content_type="application/json", **auth(secret), **extra)
    return method(url, **auth(secret), **extra)


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status
    assert set(body) <= {"status", "code", "detail", "errors"}
    return body


def snapshot(model: type[Model], obj: Model) -> tuple[int, dict]:
    return model.objects.count(), model.objects.filter(pk=obj.pk).values().get()


def role_reaching(area: str) -> str:
    return next(role for role in Role if GRANTS.get(role, {}).get(area, Grant()).read == Scope.ALL)


def role_without(area: str) -> str | None:
    return next((role for role in Role if area not in GRANTS.get(role, {})), None)


# --- no credentials --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_no_credentials_is_401_with_the_token_challenge(client, endpoint):
    obj = existing_object(endpoint.model)
    before = snapshot(endpoint.model, obj)
    response = request(client, endpoint, endpoint.url(obj))
    body = assert_error(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("url", DOCUMENT_URLS)
def test_no_credentials_on_the_root_schema_and_docs_is_401_json(client, url):
    response = client.get(url)
    body = assert_error(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "text/html"])
def test_anonymous_browser_on_the_docs_is_refused_never_sent_to_the_login_page(client, accept):
    response = client.get("/api/v1/docs/", HTTP_ACCEPT=accept)
    assert response.status_code == 401
    assert "Location" not in response
    assert response["Content-Type"] == "application/json"


# --- missing scope ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_token_without_the_scope_is_403(client, endpoint):
    # Given a token holding every scope except those of the resource's area
    secret = token(scopes_without(endpoint.area))
    obj = existing_object(endpoint.model)
    before = snapshot(endpoint.model, obj)
    # Then the request is refused and changes nothing
    body = assert_error(request(client, endpoint, endpoint.url(obj), secret), 403)
    assert body["code"] == "permission_denied"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_read_only_token_on_a_write_is_403_and_changes_nothing(client, endpoint):
    secret = token(scopes_for(endpoint.area))
    obj = existing_object(endpoint.model)
    before = snapshot(endpoint.model, obj)
    body = assert_error(request(client, endpoint, endpoint.url(obj), secret), 403)
    assert body["code"] == "permission_denied"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("url", DOCUMENT_URLS)
def test_any_valid_token_reads_the_root_schema_and_docs(client, url):
    # The description of the API is not a resource: any client may read it, whatever its scopes
    response = client.get(url, **auth(token(["reference:read"])))
    assert response.status_code == 200


# --- other department ------------------------------------------------------------------------------------------------


DEPARTMENT_SCOPED = [e for e in ENDPOINTS if e.detail and e.department_scoped]


@pytest.mark.parametrize("endpoint", DEPARTMENT_SCOPED, ids=lambda e: e.id)
def test_object_of_another_department_is_404(client, endpoint):
    # Given a department-75 object and a client limited to department 71 with every scope of the area
    obj = existing_object(endpoint.model)
    secret = token(scopes_for(endpoint.area) + scopes_for(endpoint.area, write=True), departments=("71",))
    before = snapshot(endpoint.model, obj)
    # Then the object does not exist for that client, and nothing changes
    body = assert_error(request(client, endpoint, endpoint.url(obj), secret), 404)
    assert body["code"] == "not_found"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("endpoint", [e for e in LISTS if e.department_scoped], ids=lambda e: e.id)
def test_list_holds_only_the_clients_departments(client, endpoint):
    obj = existing_object(endpoint.model)
    own = MAKERS[endpoint.model]("71")
    secret = token(scopes_for(endpoint.area), departments=("71",))
    response = request(client, endpoint, endpoint.url(None), secret)
    assert response.status_code == 200
    lookup = endpoint.viewset.lookup_field
    keys = [str(item[lookup if lookup != "pk" else "id"]) for item in response.json()["results"]]
    assert keys == [str(getattr(own, lookup))]
    assert str(getattr(obj, lookup)) not in keys


# --- permitted -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", READS, ids=lambda e: e.id)
def test_token_with_the_scope_reads(client, endpoint):
    obj = existing_object(endpoint.model)
    departments = ("75",) if endpoint.department_scoped else ()
    response = request(client, endpoint, endpoint.url(obj), token(scopes_for(endpoint.area), departments))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    if endpoint.action == "list":
        assert response.json()["results"]
    if endpoint.action == "retrieve":
        assert response["ETag"].startswith('"')


@pytest.mark.parametrize("endpoint", [e for e in READS if e.action == "retrieve"], ids=lambda e: e.id)
def test_detail_honours_if_none_match(client, endpoint):
    obj = existing_object(endpoint.model)
    headers = auth(token(scopes_for(endpoint.area)))
    url = endpoint.url(obj)
    etag = client.get(url, **headers)["ETag"]
    for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url, HTTP_IF_NONE_MATCH=given, **headers)
        assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag), given
    response = client.get(url, HTTP_IF_NONE_MATCH='"other"', **headers)
    assert (response.status_code, response["ETag"]) == (200, etag)


@pytest.mark.parametrize("endpoint", [e for e in READS if scopes_for(e.area, write=True)], ids=lambda e: e.id)
def test_write_scope_also_reads(client, endpoint):
    obj = existing_object(endpoint.model)
    response = request(client, endpoint, endpoint.url(obj), token(scopes_for(endpoint.area, write=True)))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_write_scope_passes_the_gate_and_an_empty_body_is_a_field_error(client, endpoint):
    # Given a client with the write scope: the request reaches validation (not 401/403/404)
    obj = existing_object(endpoint.model)
    secret = token(scopes_for(endpoint.area, write=True), ("75",) if endpoint.department_scoped else ())
    before = snapshot(endpoint.model, obj)
    response = request(client, endpoint, endpoint.url(obj), secret)
    if endpoint.action == "partial_update":
        # An empty PATCH changes nothing and answers the current representation
        assert response.status_code == 200, response.content
        assert response["ETag"].startswith('"')
    else:
        body = assert_error(response, 400)
        assert body["code"] == "invalid"
        assert body["errors"]
    count, row = snapshot(endpoint.model, obj)
    assert count == before[0]
    assert {k: v for k, v in row.items() if k != "updated_at"} == {
        k: v for k, v in before[1].items() if k != "updated_at"
    }


@pytest.mark.parametrize("endpoint", READS, ids=lambda e: e.id)
def test_signed_in_user_with_a_role_reaching_the_area_reads(client, make_user, endpoint):
    obj = existing_object(endpoint.model)
    client.force_login(make_user(role_reaching(endpoint.area), department="75"))
    response = request(client, endpoint, endpoint.url(obj))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("endpoint", [e for e in READS if role_without(e.area)], ids=lambda e: e.id)
def test_signed_in_user_without_the_area_is_403(client, make_user, endpoint):
    obj = existing_object(endpoint.model)
    client.force_login(make_user(role_without(endpoint.area), department="75"))
    assert_error(request(client, endpoint, endpoint.url(obj)), 403)


def department_role(area: str) -> str | None:
    return next((role for role in Role if GRANTS.get(role, {}).get(area, Grant()).read == Scope.DEPARTMENT), None)


@pytest.mark.parametrize(
    "endpoint", [e for e in READS if e.detail and e.department_scoped and department_role(e.area)], ids=lambda e: e.id
)
def test_signed_in_user_of_another_department_gets_404(client, make_user, endpoint):
    obj = existing_object(endpoint.model)
    client.force_login(make_user(department_role(endpoint.area), department="71"))
    assert_error(request(client, endpoint, endpoint.url(obj)), 404)


@pytest.mark.parametrize("url", DOCUMENT_URLS)
def test_signed_in_user_reads_the_root_schema_and_docs(client, make_user, url):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200


def test_root_lists_every_resource(client):
    response = client.get("/api/v1/", **auth(token(["reference:read"])))
    assert set(response.json()) == {prefix for prefix, _viewset, _basename in router.registry}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/regions/"),
        ("put", "/api/v1/regions/75/"),
        ("delete", "/api/v1/regions/75/"),
        ("delete", "/api/v1/cases/{number}/"),
        ("post", "/api/v1/cases/"),
    ],
)
def test_a_method_the_endpoint_lacks_is_405_even_with_every_scope(client, method, url):
    case = make_case()
    url = url.format(number=case.registration_number)
    before = (snapshot(Case, case), list(Department.objects.values()))
    response = getattr(client, method)(url, data={}, content_type="application/json", **auth(token(list(ApiScope))))
    body = assert_error(response, 405)
    assert body["code"] == "method_not_allowed"
    assert (snapshot(Case, case), list(Department.objects.values())) == before
    # And without credentials it is still 401 first
    assert_error(getattr(client, method)(url, data={}, content_type="application/json"), 401)


# --- bodies that are not JSON objects of a sane size ------------------------------------------------------------------


def write_context(endpoint: Endpoint):
    obj = existing_object(endpoint.model)
    secret = token(scopes_for(endpoint.area, write=True), ("75",) if endpoint.department_scoped else ())
    return obj, endpoint.url(obj), auth(secret)


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_oversized_body_is_413_and_changes_nothing(client, settings, endpoint):
    settings.API_MAX_BODY_BYTES = 1000
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    body = '{"summary": "' + "x" * 2000 + '"}'
    response = getattr(client, endpoint.method)(url, data=body, content_type="application/json", **headers)
    assert assert_error(response, 413)["code"] == "too_large"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("body", ['{"summary": ', "[1, 2", "\x00", '{"a": NaN}'], ids=["cut", "list", "nul", "nan"])
@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_malformed_json_is_400_and_changes_nothing(client, endpoint, body):
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    response = getattr(client, endpoint.method)(url, data=body, content_type="application/json", **headers)
    assert assert_error(response, 400)["code"] == "parse_error"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"], ids=["list", "string", "number", "null"])
@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_json_that_is_not_an_object_is_400_and_changes_nothing(client, endpoint, body):
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    response = getattr(client, endpoint.method)(url, data=body, content_type="application/json", **headers)
    assert assert_error(response, 400)["code"] == "invalid"
    assert snapshot(endpoint.model, obj) == before


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: e.id)
def test_a_form_body_is_415_and_changes_nothing(client, endpoint):
    obj, url, headers = write_context(endpoint)
    before = snapshot(endpoint.model, obj)
    response = getattr(client, endpoint.method)(
        url, data="summary=x", content_type="application/x-www-form-urlencoded", **headers
    )
    assert assert_error(response, 415)["code"] == "unsupported_media_type"
    assert snapshot(endpoint.model, obj) == before


# --- the OpenAPI document -------------------------------------------------------------------------------------------


def test_schema_describes_every_endpoint_with_its_auth_and_errors(client):
    response = client.get("/api/v1/schema/?format=json", **auth(token(["reference:read"])))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["components"]["securitySchemes"]["ApiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <token>` — issued once by `manage.py create_api_client`.",
    }
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"status", "code", "detail"}
    patterns = {re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"): path for path in document["paths"]}
    for endpoint in ENDPOINTS:
        url = endpoint.url(existing_object(endpoint.model))
        (path,) = [path for pattern, path in patterns.items() if pattern.match(url)]
        operation = document["paths"][path][endpoint.method]
        assert {"ApiToken": []} in operation["security"], endpoint.id
        for code in ("401", "403", "404", "429"):
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (endpoint.id, code)
        if endpoint.action == "retrieve":
            assert "304" in operation["responses"], endpoint.id
            assert "ETag" in operation["responses"]["200"]["headers"], endpoint.id
        if endpoint.method in ("put", "patch"):
            assert "412" in operation["responses"], endpoint.id
            assert "If-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}, endpoint.id


# --- unknown paths ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/nothing-here/", "/api/v2/regions/", "/api/v1/regions/abc/", "/api/v1/regions/75/nested/"],
)
def test_unknown_api_path_is_404_json(client, url):
    for extra in ({}, auth(token(["reference:read"]))):
        body = assert_error(client.get(url, **extra), 404)
        assert body == {"status": 404, "code": "not_found", "detail": "Не найдено."}


def test_unknown_object_is_404_json(client):
    body = assert_error(client.get("/api/v1/regions/99/", **auth(token(["reference:read"]))), 404)
    assert body["code"] == "not_found"


# --- pagination ------------------------------------------------------------------------------------------------------


def cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


FORGED_CURSORS = {
    "position not a number": cursor("p=abc"),
    "position with a nul byte": cursor("p=\x00"),
    "position out of range": cursor("p=1e400"),
    "reverse not a number": cursor("r=x"),
    "negative offset": cursor("o=-1"),
    "not base64": "zzz",
}


@pytest.mark.parametrize("forged", FORGED_CURSORS.values(), ids=FORGED_CURSORS.keys())
@pytest.mark.parametrize("endpoint", LISTS, ids=lambda e: e.id)
def test_forged_cursor_is_404_never_a_server_error(client, endpoint, forged):
    existing_object(endpoint.model)
    response = client.get(endpoint.url(None), {"cursor": forged}, **auth(token(scopes_for(endpoint.area))))
    assert assert_error(response, 404)["detail"] == "Не корректный курсор"


@pytest.mark.parametrize("raw", ["p=2026-13-45", "p=not-a-date", "p=\x00"], ids=str)
def test_forged_cursor_on_a_date_ordering_is_404(client, raw):
    make_case()
    secret = token(["cases:read"])
    response = client.get("/api/v1/cases/", {"ordering": "-registered_on", "cursor": cursor(raw)}, **auth(secret))
    assert_error(response, 404)


def test_cursor_pages_walk_the_whole_list_once(client):
    secret = token(["reference:read"])
    codes, url = [], "/api/v1/regions/?page_size=7"
    while url:
        body = client.get(url, **auth(secret)).json()
        codes += [region["code"] for region in body["results"]]
        url = body["next"]
    assert len(codes) == len(set(codes)) == 20


# --- query counts ----------------------------------------------------------------------------------------------------


def count_queries(client, url: str, secret: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **auth(secret))
    assert response.status_code == 200, response.content
    return len(queries)


# Token lookup, the client's departments, the page (+1 row to know there is a next page) — and nothing per row.
REFERENCE_LIST_QUERIES = {
    "regions": 3,
    "departments": 3,
    "state-bodies": 3,
    "articles": 3,
    "termination-grounds": 3,
    "root-cause-categories": 3,
    "sectors": 3,
}


@pytest.mark.parametrize("prefix", sorted(REFERENCE_LIST_QUERIES))
def test_reference_list_query_count_is_pinned_and_independent_of_page_size(client, prefix):
    secret = token(["reference:read"])
    url = f"/api/v1/{prefix}/"
    count_queries(client, url, secret)  # the first request also records the client's use
    small = count_queries(client, f"{url}?page_size=2", secret)
    large = count_queries(client, f"{url}?page_size=50", secret)
    assert (small, large) == (REFERENCE_LIST_QUERIES[prefix], REFERENCE_LIST_QUERIES[prefix])


@pytest.mark.parametrize("endpoint", [e for e in LISTS if e.model in MAKERS], ids=lambda e: e.id)
def test_list_query_count_is_independent_of_page_size(client, endpoint):
    for _ in range(4):
        MAKERS[endpoint.model]()
    secret = token(scopes_for(endpoint.area))
    url = endpoint.url(None)
    count_queries(client, url, secret)
    small = count_queries(client, f"{url}?page_size=2", secret)
    large = count_queries(client, f"{url}?page_size=50", secret)
    assert small == large


def test_department_codes_used_in_this_file_exist():
    assert set(Department.objects.filter(code__in=["71", "75"]).values_list("code", flat=True)) == {"71", "75"}
    assert set(ApiScope.values) == set(SCOPE_AREAS)
