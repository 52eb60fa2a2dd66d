"""The integrity resources of the REST API, through HTTP with real client tokens and signed-in users (issue 6).

Internal security runs a check from draft to closed with a failed outcome and a follow-up sanction, over HTTP, as
a signed-in user and as an API client where a client is allowed (never the approval); a client without the
integrity scopes gets 403 everywhere, a read-only one cannot write; a client limited to departments does not see
the others; the IIN is masked for those who do not keep the staff records; each bad input of the issue answers
400 with the field path and saves nothing; investigators, analysts and the tested employee see nothing; every
read is in the access log; list query counts do not depend on the page size.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anticor.access import Role
from anticor.api.clients import api_client_create
from anticor.api.urls import router
from anticor.audit import Source
from anticor.models import AccessAction, AccessLog, ApiClient
from integrity.choices import CheckOutcome, CheckStatus, DisciplineStatus, EmployeeStatus
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    DisciplinaryRecordEvent,
    Employee,
    IntegrityCheck,
    IntegrityCheckEvent,
)
from integrity.selectors import mask_iin
from tests.factories import (
    INTEGRITY_MAKERS,
    DisciplinaryRecordFactory,
    EmployeeFactory,
    IntegrityCheckFactory,
    UserFactory,
    make_check,
    make_conviction,
    make_employee,
    make_record,
)

pytestmark = pytest.mark.django_db

READ = ("reference:read", "integrity:read")
WRITE = ("reference:read", "integrity:read", "integrity:write")
PREFIXES = ("employees", "disciplinary-records", "convictions", "integrity-checks")
IIN = "850101300015"  # valid: a man born on 1 January 1985, check digit 5
NEW_IIN = "900101400003"  # valid: a woman born on 1 January 1990


# --- the client -------------------------------------------------------------------------------------------------------


class Api:
    """Requests with JSON bodies through Django's test client: with ``Authorization: Token …``, or as whoever is
    signed in on the client when there is no token."""

    def __init__(self, client, token: str | None = None, name: str = "") -> None:
        self.client, self.token, self.name = client, token, name

    def call(self, method: str, path: str, body=None, **headers: str):
        data = "" if body is None else json.dumps(body, ensure_ascii=False)
        extra = {"HTTP_AUTHORIZATION": f"Token {self.token}"} if self.token else {}
        return self.client.generic(
            method, path, data=data, content_type="application/json", headers=headers or None, **extra
        )

    def get(self, path: str, **headers: str):
        return self.call("GET", path, **headers)

    def post(self, path: str, body=None, **headers: str):
        return self.call("POST", path, body, **headers)

    def patch(self, path: str, body=None, **headers: str):
        return self.call("PATCH", path, body, **headers)


@pytest.fixture
def make_api(client):
    """``make_api("integrity:read", departments=["71"])`` — an Api with a fresh client's token."""
    counter = itertools.count(1)

    def build(*scopes: str, departments: tuple[str, ...] | list[str] = ()) -> Api:
        api_client, token = api_client_create(
            name=f"Кадровая система {next(counter)}", scopes=list(scopes or WRITE), department_codes=list(departments)
        )
        ApiClient.objects.filter(pk=api_client.pk).update(rate_limit_per_minute=1_000_000)  # limits: not here
        return Api(client, token, api_client.name)

    return build


@pytest.fixture
def api(make_api) -> Api:
    return make_api(*WRITE)


@pytest.fixture
def as_user(client):
    """``as_user(user)`` — an Api for that signed-in user (session authentication)."""

    def build(user) -> Api:
        client.force_login(user)
        return Api(client)

    return build


def security_officer(username: str, department: str = "00"):
    return UserFactory(username=username, roles=(Role.INTERNAL_SECURITY,), department_code=department)


@pytest.fixture
def tester():
    return security_officer("tester")


@pytest.fixture
def approver():
    return security_officer("approver")


@pytest.fixture
def employee() -> Employee:
    return EmployeeFactory(
        personnel_number="75-0042",
        last_name="Серикбаев",
        first_name="Арман",
        iin=IIN,
        position="Старший следователь",
        hired_on=dt.date(2015, 9, 1),
    )


def error(response, status: int) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    return body.get("errors", {})


def totals() -> tuple[int, ...]:
    """Row counts of everything the integrity API writes."""
    models = (Employee, DisciplinaryRecord, DisciplinaryRecordEvent, Conviction, IntegrityCheck, IntegrityCheckEvent)
    return tuple(model.objects.count() for model in models)


def check_state(check: IntegrityCheck) -> dict:
    return IntegrityCheck.objects.filter(pk=check.pk).values().get() | {
        "events": IntegrityCheckEvent.objects.filter(integrity_check=check).count()
    }


def employee_body(**overrides) -> dict:
    body = {
        "personnel_number": "75-0100",
        "last_name": "Ахметова",
        "first_name": "Дана",
        "middle_name": "Сериковна",
        "iin": NEW_IIN,
        "department": "75",
        "position": "Следователь",
        "special_rank": "лейтенант",
        "hired_on": "2020-09-01",
    }
    body.update(overrides)
    return body


def record_body(employee: Employee, **overrides) -> dict:
    body = {
        "employee": employee.personnel_number,
        "offence": "Нарушение порядка регистрации заявлений",
        "committed_on": "2026-02-20",
        "discovered_on": "2026-03-01",
        "sanction": "reprimand",
        "order_number": "112-лс",
        "imposed_on": "2026-03-10",
    }
    body.update(overrides)
    return body


def check_body(employee: Employee, *, omit: tuple[str, ...] = (), **overrides) -> dict:
    body = {
        "employee": employee.personnel_number,
        "trigger": "targeted",
        "grounds": "Жалоба заявителя о вымогательстве",
        "scenario": "Предложение вознаграждения за ускорение рассмотрения обращения",
        "tester": "tester",
        "planned_from": "2026-06-01",
        "planned_to": "2026-06-30",
        "safeguard_realistic": True,
        "safeguard_no_excess_inducement": True,
        "safeguard_no_provocation": True,
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if name not in omit}


def check_url(check: IntegrityCheck, step: str = "") -> str:
    return f"/api/v1/integrity-checks/{check.pk}/" + (f"{step}/" if step else "")


# --- authentication and scopes ----------------------------------------------------------------------------------------


def integrity_routes() -> list[tuple[str, str]]:
    """(method, url) of every integrity endpoint on the router, for one row of each resource."""
    rows = {
        "employees": make_employee(),
        "disciplinary-records": make_record(),
        "convictions": make_conviction(),
        "integrity-checks": make_check(),
    }
    result = []
    for prefix, viewset, basename in router.registry:
        if prefix not in PREFIXES:
            continue
        kwargs = {viewset.lookup_url_kwarg or viewset.lookup_field: getattr(rows[prefix], viewset.lookup_field)}
        for route in router.get_routes(viewset):
            url = reverse(route.name.format(basename=basename), kwargs=kwargs if route.detail else None)
            result += [(method, url) for method in router.get_method_map(viewset, route.mapping)]
    return result


def test_every_integrity_resource_is_on_the_router_with_its_steps():
    routes = integrity_routes()
    paths = {(method, url.split("/")[3], url.rstrip("/").split("/")[-1]) for method, url in routes}
    assert {(m, p) for m, p, _ in paths} >= {(m, p) for m in ("get", "post") for p in PREFIXES}
    assert ("post", "integrity-checks", "transitions") in paths
    assert ("post", "integrity-checks", "follow-up") in paths
    assert ("post", "integrity-checks", "inform") in paths
    assert ("post", "disciplinary-records", "transitions") in paths
    assert not any(method in ("put", "delete") for method, _url in routes)


def test_no_token_is_401_on_every_integrity_route(client):
    routes = integrity_routes()
    before = totals()
    for method, url in routes:
        response = Api(client).call(method.upper(), url, {})
        assert response.status_code == 401, (method, url)
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    assert totals() == before


def test_a_client_without_the_integrity_scopes_gets_403_on_every_integrity_route(make_api):
    routes = integrity_routes()
    api = make_api("reference:read", "cases:read", "cases:write", "projects:read", "projects:write", "indicators:read")
    before = totals()
    for method, url in routes:
        response = api.call(method.upper(), url, {})
        assert response.status_code == 403, (method, url, response.content)
        assert response.json()["code"] == "permission_denied"
    assert totals() == before
    assert AccessLog.objects.exclude(action=AccessAction.DENIED).count() == 0  # refusals are logged, not reads
    assert AccessLog.objects.filter(action=AccessAction.DENIED).count() == len(routes)


def test_integrity_read_reads_but_cannot_write(make_api, employee, tester):
    # Given a read-only client and a draft check
    api = make_api(*READ)
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    before, state = totals(), check_state(check)
    # It reads every resource
    for prefix in PREFIXES:
        assert api.get(f"/api/v1/{prefix}/").status_code == 200
    assert api.get(check_url(check)).status_code == 200
    # But every write is refused and nothing is created or changed
    refused = [
        api.post("/api/v1/employees/", employee_body()),
        api.patch(f"/api/v1/employees/{employee.personnel_number}/", {"position": "Начальник отдела"}),
        api.post("/api/v1/disciplinary-records/", record_body(employee)),
        api.post("/api/v1/integrity-checks/", check_body(employee)),
        api.patch(check_url(check), {"scenario": "Другой сценарий"}),
        api.post(check_url(check, "transitions"), {"to": "cancelled", "reason": "Нет оснований"}),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    assert totals() == before
    assert check_state(check) == state
    assert Employee.objects.get(pk=employee.pk).position == "Старший следователь"


def test_integrity_scopes_are_never_granted_by_default():
    # The command requires --scopes; a client is created with exactly what it was given
    client, _token = api_client_create(name="Только справочники", scopes=["reference:read"])
    assert client.scopes == ["reference:read"]
    from anticor.management.commands.create_api_client import Command

    parser = Command().create_parser("manage.py", "create_api_client")
    scopes = next(action for action in parser._actions if action.dest == "scopes")
    assert (scopes.required, scopes.default) == (True, None)


# --- departments ------------------------------------------------------------------------------------------------------


def test_a_client_limited_to_department_71_sees_only_its_department(make_api, tester):
    # Given rows of departments 75 and 71
    ours = {model: maker("71") for model, maker in INTEGRITY_MAKERS.items()}
    theirs = {model: maker("75") for model, maker in INTEGRITY_MAKERS.items()}
    api = make_api(*WRITE, departments=["71"])
    # Lists hold department 71 only
    listed = {e["personnel_number"] for e in api.get("/api/v1/employees/").json()["results"]}
    assert listed == set(Employee.objects.filter(department__code="71").values_list("personnel_number", flat=True))
    assert len(listed) == 4  # one employee per maker
    assert theirs[Employee].personnel_number not in listed
    for prefix, model in [
        ("disciplinary-records", DisciplinaryRecord),
        ("convictions", Conviction),
        ("integrity-checks", IntegrityCheck),
    ]:
        assert [row["id"] for row in api.get(f"/api/v1/{prefix}/").json()["results"]] == [ours[model].pk]
        # And a department-75 row does not exist for the client, read or write
        assert api.get(f"/api/v1/{prefix}/{theirs[model].pk}/").status_code == 404
    assert api.get(f"/api/v1/employees/{theirs[Employee].personnel_number}/").status_code == 404
    before = totals()
    assert api.patch(f"/api/v1/employees/{theirs[Employee].personnel_number}/", {"position": "X"}).status_code == 404
    assert (
        api.post(check_url(theirs[IntegrityCheck], "transitions"), {"to": "cancelled", "reason": "x"}).status_code
        == 404
    )
    # A department-75 employee is an unknown reference; creating a department-75 employee is refused
    errors = error(api.post("/api/v1/disciplinary-records/", record_body(theirs[Employee])), 400)
    assert errors == {"employee": [f"Сотрудник не найден или недоступен: {theirs[Employee].personnel_number}."]}
    assert error(api.post("/api/v1/employees/", employee_body(department="75")), 403) == {}
    assert totals() == before
    assert IntegrityCheck.objects.get(pk=theirs[IntegrityCheck].pk).status == CheckStatus.DRAFT


# --- personal data ----------------------------------------------------------------------------------------------------


def test_the_iin_is_masked_for_readers_who_do_not_keep_staff_records(make_api, as_user, employee):
    url = f"/api/v1/employees/{employee.personnel_number}/"
    # A read-only client and the department head see it masked
    assert make_api(*READ).get(url).json()["iin"] == "850101******"
    assert make_api(*READ).get("/api/v1/employees/").json()["results"][0]["iin"] == "850101******"
    head = UserFactory(roles=(Role.DEPARTMENT_HEAD,), department_code="75")
    assert as_user(head).get(url).json()["iin"] == "850101******"
    # A client that writes staff records and internal security see it in full
    assert make_api(*WRITE).get(url).json()["iin"] == IIN
    assert make_api(*WRITE).get("/api/v1/employees/").json()["results"][0]["iin"] == IIN
    assert as_user(security_officer("officer")).get(url).json()["iin"] == IIN
    assert mask_iin(IIN) == "850101******"


def test_a_department_head_reads_the_staff_of_their_department_only_and_never_the_checks(as_user, employee):
    other = make_employee("71")
    check = IntegrityCheckFactory(employee=employee)
    record = DisciplinaryRecordFactory(employee=employee)
    api = as_user(UserFactory(roles=(Role.DEPARTMENT_HEAD,), department_code="75"))
    assert [e["personnel_number"] for e in api.get("/api/v1/employees/").json()["results"]] == ["75-0042"]
    assert api.get(f"/api/v1/employees/{other.personnel_number}/").status_code == 404
    assert [r["id"] for r in api.get("/api/v1/disciplinary-records/").json()["results"]] == [record.pk]
    assert error(api.get("/api/v1/integrity-checks/"), 403) == {}
    assert error(api.get(check_url(check)), 403) == {}
    before = totals()
    assert api.post("/api/v1/disciplinary-records/", record_body(employee)).status_code == 403
    assert totals() == before


# --- employees --------------------------------------------------------------------------------------------------------


def test_create_and_patch_an_employee(api):
    response = api.post("/api/v1/employees/", employee_body())
    assert response.status_code == 201, response.json()
    assert response["Location"] == "/api/v1/employees/75-0100/"
    assert response.json() == {
        "personnel_number": "75-0100",
        "last_name": "Ахметова",
        "first_name": "Дана",
        "middle_name": "Сериковна",
        "full_name": "Ахметова Дана Сериковна",
        "iin": NEW_IIN,
        "department": "75",
        "position": "Следователь",
        "special_rank": "лейтенант",
        "hired_on": "2020-09-01",
        "status": "active",
        "dismissed_on": None,
        "user": None,
        "version": 1,
    }
    account = UserFactory(username="d.akhmetova", department_code="75")
    etag = response["ETag"]

    patched = api.patch("/api/v1/employees/75-0100/", {"position": "Старший следователь", "user": "d.akhmetova"})

    assert patched.status_code == 200, patched.json()
    assert (patched.json()["position"], patched.json()["user"], patched.json()["version"]) == (
        "Старший следователь",
        "d.akhmetova",
        2,
    )
    assert Employee.objects.get(personnel_number="75-0100").user == account
    # A write based on the first version is stale: 412, nothing changed
    stale = api.patch("/api/v1/employees/75-0100/", {"position": "Начальник"}, **{"If-Match": etag})
    assert error(stale, 412) == {}
    assert Employee.objects.get(personnel_number="75-0100").position == "Старший следователь"
    # Sending back what was read changes nothing
    same = api.patch("/api/v1/employees/75-0100/", patched.json(), **{"If-Match": patched["ETag"]})
    assert (same.status_code, same["ETag"]) == (200, patched["ETag"])


def test_invalid_iin_is_400_on_iin_and_nothing_is_saved(api):
    errors = error(api.post("/api/v1/employees/", employee_body(iin="900101400004")), 400)
    assert errors == {"iin": ["Неверная контрольная цифра ИИН."]}
    errors = error(api.post("/api/v1/employees/", employee_body(iin="12345")), 400)
    assert errors == {"iin": ["ИИН должен состоять ровно из 12 цифр."]}
    assert Employee.objects.count() == 0


def test_duplicate_personnel_number_is_400_on_personnel_number_and_nothing_is_saved(api, employee):
    before = totals()
    errors = error(api.post("/api/v1/employees/", employee_body(personnel_number=employee.personnel_number)), 400)
    assert list(errors) == ["personnel_number"]
    assert totals() == before
    assert Employee.objects.get(personnel_number=employee.personnel_number).last_name == "Серикбаев"


def test_duplicate_iin_and_a_changed_personnel_number_are_refused(api, employee):
    before = totals()
    assert list(error(api.post("/api/v1/employees/", employee_body(iin=IIN)), 400)) == ["iin"]
    errors = error(api.patch(f"/api/v1/employees/{employee.personnel_number}/", {"personnel_number": "75-9999"}), 400)
    assert errors == {"personnel_number": ["Табельный номер не меняется."]}
    assert totals() == before
    assert Employee.objects.get(pk=employee.pk).version == 1


def test_unknown_fields_and_references_are_400_with_their_paths(api):
    errors = error(api.post("/api/v1/employees/", employee_body(department="99", salary=1, user="nobody")), 400)
    assert errors == {"salary": ["Неизвестное поле."]}
    errors = error(api.post("/api/v1/employees/", employee_body(department="99", user="nobody")), 400)
    assert errors == {
        "department": ["Неизвестный департамент: 99."],
        "user": ["Неизвестный пользователь: nobody."],
    }
    assert Employee.objects.count() == 0


# --- discipline -------------------------------------------------------------------------------------------------------


def test_a_sanction_with_the_default_expiry_and_the_deadline_warnings(api, employee):
    # Given an offence of June 2025 discovered in January 2026 and punished in March 2026 (both deadlines missed)
    response = api.post(
        "/api/v1/disciplinary-records/",
        record_body(employee, committed_on="2025-06-01", discovered_on="2026-01-10", imposed_on="2026-03-01"),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    record = DisciplinaryRecord.objects.get()
    assert response["Location"] == f"/api/v1/disciplinary-records/{record.pk}/"
    assert data == {
        "id": record.pk,
        "employee": "75-0042",
        "offence": "Нарушение порядка регистрации заявлений",
        "committed_on": "2025-06-01",
        "discovered_on": "2026-01-10",
        "corruption_related": False,
        "sanction": "reprimand",
        "negative_grounds": False,
        "order_number": "112-лс",
        "imposed_on": "2026-03-01",
        "expires_on": "2027-03-01",
        "status": "active",
        "status_changed_on": "2026-03-01",
        "status_reason": "",
        "deadline_warnings": [
            "Взыскание наложено позднее одного месяца со дня обнаружения проступка.",
            "Взыскание наложено позднее шести месяцев со дня совершения проступка.",
        ],
        "version": 1,
    }
    assert list(record.events.values_list("to_status", "actor", "client_label")) == [("active", None, api.name)]
    # In time: no warnings
    ok = api.post("/api/v1/disciplinary-records/", record_body(employee, order_number="113-лс"))
    assert ok.json()["deadline_warnings"] == []


def test_dismissal_on_negative_grounds_dismisses_the_employee(api, employee):
    response = api.post(
        "/api/v1/disciplinary-records/",
        record_body(employee, sanction="dismissal", negative_grounds=True, corruption_related=True),
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["expires_on"], response.json()["negative_grounds"]) == (None, True)
    employee.refresh_from_db()
    assert (employee.status, employee.dismissed_on) == (EmployeeStatus.DISMISSED, dt.date(2026, 3, 10))


def test_negative_grounds_without_dismissal_is_400_and_nothing_is_saved(api, employee):
    before = totals()
    errors = error(api.post("/api/v1/disciplinary-records/", record_body(employee, negative_grounds=True)), 400)
    assert errors == {"negative_grounds": ["Отрицательные мотивы указываются только при увольнении со службы."]}
    assert totals() == before


def test_expiry_before_imposition_is_400_and_nothing_is_saved(api, employee):
    before = totals()
    errors = error(api.post("/api/v1/disciplinary-records/", record_body(employee, expires_on="2026-03-01")), 400)
    assert errors == {"expires_on": ["Срок действия должен заканчиваться позже даты наложения."]}
    assert totals() == before


def test_an_order_date_far_in_the_future_is_400_never_a_server_error(api, employee):
    before = totals()
    body = record_body(employee, committed_on="9999-12-01", discovered_on="9999-12-20", imposed_on="9999-12-31")
    errors = error(api.post("/api/v1/disciplinary-records/", body), 400)
    assert errors == {
        name: ["Дата не может быть в будущем."] for name in ("committed_on", "discovered_on", "imposed_on")
    }
    assert totals() == before


def test_discipline_transitions_with_a_reason(api, employee):
    record = DisciplinaryRecordFactory(employee=employee)
    url = f"/api/v1/disciplinary-records/{record.pk}/transitions/"
    # Without a reason, or to a status only the daily task sets: refused, nothing changed
    assert error(api.post(url, {"to": "lifted", "reason": " "}), 400) == {"reason": ["Укажите основание."]}
    assert error(api.post(url, {"to": "expired", "reason": "Истёк"}), 400) == {
        "to": ["Этот статус устанавливается только автоматически."]
    }
    assert (DisciplinaryRecord.objects.get(pk=record.pk).status, record.events.count()) == ("active", 0)

    response = api.post(url, {"to": "appealed", "reason": "Жалоба в суд", "on": "2026-04-01"})

    assert response.status_code == 200, response.json()
    assert {k: response.json()[k] for k in ("status", "status_changed_on", "status_reason", "version")} == {
        "status": "appealed",
        "status_changed_on": "2026-04-01",
        "status_reason": "Жалоба в суд",
        "version": 2,
    }
    assert list(record.events.values_list("from_status", "to_status", "client_label")) == [
        ("active", "appealed", api.name)
    ]
    # A stale If-Match on a step is 412
    assert error(api.post(url, {"to": "overturned", "reason": "Решение суда"}, **{"If-Match": '"old"'}), 412) == {}
    assert DisciplinaryRecord.objects.get(pk=record.pk).status == DisciplineStatus.APPEALED


def test_patch_of_a_record_cannot_move_it_to_another_employee(api, employee):
    record = DisciplinaryRecordFactory(employee=employee)
    other = make_employee("75")
    errors = error(api.patch(f"/api/v1/disciplinary-records/{record.pk}/", {"employee": other.personnel_number}), 400)
    assert errors == {"employee": ["Взыскание нельзя перенести на другого сотрудника."]}
    response = api.patch(f"/api/v1/disciplinary-records/{record.pk}/", {"sanction": "severe_reprimand"})
    assert (response.status_code, response.json()["sanction"], response.json()["version"]) == (
        200,
        "severe_reprimand",
        2,
    )
    assert DisciplinaryRecord.objects.get(pk=record.pk).employee == employee


# --- convictions ------------------------------------------------------------------------------------------------------


def test_record_a_conviction(api, employee):
    body = {
        "employee": "75-0042",
        "article": "366",
        "verdict_on": "2026-05-14",
        "court": "Суд г. Алматы",
        "sentence": "Лишение свободы сроком на 5 лет",
    }
    response = api.post("/api/v1/convictions/", body)
    assert response.status_code == 201, response.json()
    conviction = Conviction.objects.get()
    assert response.json() == {"id": conviction.pk, **body, "version": 1}
    assert error(api.post("/api/v1/convictions/", {**body, "article": "999"}), 400) == {
        "article": ["Неизвестная статья УК: 999."]
    }
    assert error(api.post("/api/v1/convictions/", {**body, "verdict_on": "2999-01-01"}), 400) == {
        "verdict_on": ["Дата не может быть в будущем."]
    }
    assert Conviction.objects.count() == 1


# --- the check workflow -----------------------------------------------------------------------------------------------


def run_failed_check_to_the_end(creator: Api, approver_api: Api, employee: Employee, **create) -> IntegrityCheck:
    """Draft → approved → conducted → reviewed (failed) → follow-up sanction → informed → closed, over HTTP."""
    created = creator.post("/api/v1/integrity-checks/", check_body(employee, **create))
    assert created.status_code == 201, created.json()
    check = IntegrityCheck.objects.get(pk=created.json()["id"])
    assert created["Location"] == check_url(check)
    assert (created.json()["status"], created.json()["tester"]) == ("draft", "tester")
    assert created.json()["next_step"].startswith("Ожидает утверждения")

    patched = creator.patch(check_url(check), {"planned_to": "2026-06-25"}, **{"If-Match": created["ETag"]})
    assert (patched.status_code, patched.json()["planned_to"], patched.json()["version"]) == (200, "2026-06-25", 2)

    approved = approver_api.post(check_url(check, "transitions"), {"to": "approved", "on": "2026-05-25"})
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["approver"], approved.json()["approved_on"]) == (
        "approved",
        "approver",
        "2026-05-25",
    )

    conducted = creator.post(
        check_url(check, "transitions"),
        {"to": "conducted", "conducted_on": "2026-06-10", "notes": "Сотрудник принял предложенное вознаграждение"},
    )
    assert conducted.status_code == 200, conducted.json()
    reviewed = creator.post(
        check_url(check, "transitions"),
        {"to": "reviewed", "outcome": "failed", "summary": "Проверка не пройдена", "reviewed_on": "2026-06-20"},
    )
    assert (reviewed.status_code, reviewed.json()["outcome"]) == (200, "failed"), reviewed.json()
    # A failed check is not closed without its follow-up sanction
    errors = error(creator.post(check_url(check, "transitions"), {"to": "closed", "on": "2026-07-10"}), 400)
    assert set(errors) == {"follow_up_record", "informed_on"}

    record = creator.post(
        "/api/v1/disciplinary-records/",
        record_body(
            employee,
            offence="Получение вознаграждения в ходе проверки на добропорядочность",
            committed_on="2026-06-10",
            discovered_on="2026-06-20",
            imposed_on="2026-07-01",
            sanction="dismissal",
            negative_grounds=True,
            corruption_related=True,
        ),
    )
    assert record.status_code == 201, record.json()
    linked = creator.post(check_url(check, "follow-up"), {"follow_up_record": record.json()["id"]})
    assert (linked.status_code, linked.json()["follow_up_record"]) == (200, record.json()["id"]), linked.json()
    informed = creator.post(check_url(check, "inform"), {"informed_on": "2026-07-05"})
    assert (informed.status_code, informed.json()["employee_informed_on"]) == (200, "2026-07-05")
    assert informed.json()["next_step"] == "Всё готово: проверку можно закрыть."
    closed = creator.post(check_url(check, "transitions"), {"to": "closed", "on": "2026-07-10"})
    assert closed.status_code == 200, closed.json()
    assert {k: closed.json()[k] for k in ("status", "closed_on", "outcome", "conducted_on", "reviewed_on")} == {
        "status": "closed",
        "closed_on": "2026-07-10",
        "outcome": "failed",
        "conducted_on": "2026-06-10",
        "reviewed_on": "2026-06-20",
    }
    return check


def test_internal_security_runs_a_failed_check_to_the_end_over_http(client, tester, approver, employee):
    # Given two internal-security officers of the central office, each signed in on their own browser
    from django.test import Client

    as_tester = Api(client)
    client.force_login(tester)
    other_browser = Client()
    other_browser.force_login(approver)
    as_approver = Api(other_browser)

    check = run_failed_check_to_the_end(as_tester, as_approver, employee, omit=("tester",))

    assert list(check.events.values_list("from_status", "to_status", "actor__username", "client_label")) == [
        ("", "draft", "tester", ""),
        ("draft", "approved", "approver", ""),
        ("approved", "conducted", "tester", ""),
        ("conducted", "reviewed", "tester", ""),
        ("reviewed", "closed", "tester", ""),
    ]
    employee.refresh_from_db()
    assert (employee.status, employee.dismissed_on) == (EmployeeStatus.DISMISSED, dt.date(2026, 7, 1))


def test_a_client_runs_the_check_except_the_approval(client, api, tester, approver, employee):
    # Given an internal-security officer who approves in the UI's place (a client never approves)
    client.force_login(approver)
    as_approver = Api(client)
    check = run_failed_check_to_the_end(api, as_approver, employee)
    assert list(check.events.values_list("to_status", "actor__username", "client_label")) == [
        ("draft", None, api.name),
        ("approved", "approver", ""),
        ("conducted", None, api.name),
        ("reviewed", None, api.name),
        ("closed", None, api.name),
    ]


def test_a_client_can_never_approve_and_nothing_changes(api, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    before, state = totals(), check_state(check)
    response = api.post(check_url(check, "transitions"), {"to": "approved", "on": "2026-05-25"})
    assert error(response, 403) == {}
    assert (
        response.json()["detail"]
        == "Утверждать проверки может только уполномоченный сотрудник собственной безопасности."
    )
    assert (totals(), check_state(check)) == (before, state)


def test_a_client_must_name_the_tester(api, employee):
    errors = error(api.post("/api/v1/integrity-checks/", check_body(employee, tester=None)), 400)
    assert "tester" in errors
    assert error(api.post("/api/v1/integrity-checks/", check_body(employee, omit=("tester",))), 400) == {
        "tester": ["Укажите проверяющего."]
    }
    assert IntegrityCheck.objects.count() == 0


def test_an_approver_from_the_employees_department_is_400_on_approver(as_user, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    state = check_state(check)
    api = as_user(security_officer("almaty-officer", department="75"))
    errors = error(api.post(check_url(check, "transitions"), {"to": "approved", "on": "2026-05-25"}), 400)
    assert errors == {"approver": ["Утверждающий не может быть из департамента проверяемого сотрудника."]}
    assert check_state(check) == state


def test_a_tester_approving_their_own_check_is_400_on_approver(as_user, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    state = check_state(check)
    errors = error(as_user(tester).post(check_url(check, "transitions"), {"to": "approved", "on": "2026-05-25"}), 400)
    assert errors == {"approver": ["Проверяющий не может утвердить свою проверку."]}
    assert check_state(check) == state


def test_unconfirmed_safeguards_block_the_approval(as_user, employee, tester, approver):
    check = IntegrityCheckFactory(employee=employee, tester=tester, safeguard_no_provocation=False)
    state = check_state(check)
    errors = error(as_user(approver).post(check_url(check, "transitions"), {"to": "approved", "on": "2026-05-25"}), 400)
    assert list(errors) == ["safeguards"]
    assert check_state(check) == state


def test_an_outcome_before_conduct_is_400_on_outcome(api, employee, tester, approver):
    check = IntegrityCheckFactory(
        employee=employee,
        tester=tester,
        status=CheckStatus.APPROVED,
        approver=approver,
        approved_on=dt.date(2026, 5, 25),
    )
    state = check_state(check)
    body = {"to": "reviewed", "outcome": "failed", "summary": "Не пройдена", "reviewed_on": "2026-06-20"}
    assert error(api.post(check_url(check, "transitions"), body), 400) == {
        "outcome": ["Результат фиксируется только после проведения проверки."]
    }
    assert check_state(check) == state


def test_conduct_before_approval_is_400_and_nothing_changes(api, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    state = check_state(check)
    body = {"to": "conducted", "conducted_on": "2026-06-10", "notes": "Проведена"}
    assert error(api.post(check_url(check, "transitions"), body), 400) == {
        "to": ["Проверку можно провести только после утверждения."]
    }
    assert check_state(check) == state


def test_each_step_takes_its_own_fields(api, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    state = check_state(check)
    url = check_url(check, "transitions")
    assert error(api.post(url, {"to": "conducted"}), 400) == {
        "conducted_on": ["Обязательное поле для перехода в «Проведена»."],
        "notes": ["Обязательное поле для перехода в «Проведена»."],
    }
    assert error(api.post(url, {"to": "cancelled", "reason": "Нет оснований", "outcome": "passed"}), 400) == {
        "outcome": ["Поле не используется при переходе в «Отменена»."]
    }
    assert error(api.post(url, {"to": "draft"}), 400) == {"to": ["В этот статус проверку перевести нельзя."]}
    assert error(api.post(url, {"to": "closed", "extra": 1}), 400) == {"extra": ["Неизвестное поле."]}
    assert error(api.post(url, {}), 400) == {"to": ["Обязательное поле."]}
    assert check_state(check) == state


def test_the_plan_is_frozen_once_approved_and_a_stale_patch_is_412(api, employee, tester, approver):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    etag = api.get(check_url(check))["ETag"]
    assert api.patch(check_url(check), {"scenario": "Уточнённый сценарий"}).status_code == 200
    state = check_state(check)
    assert error(api.patch(check_url(check), {"scenario": "Ещё сценарий"}, **{"If-Match": etag}), 412) == {}
    assert error(api.patch(check_url(check), {"employee": make_employee().personnel_number}), 400) == {
        "employee": ["Это поле здесь не изменяется."]
    }
    assert check_state(check) == state
    IntegrityCheck.objects.filter(pk=check.pk).update(
        status=CheckStatus.APPROVED, approver=approver, approved_on=dt.date(2026, 5, 25)
    )
    state = check_state(check)
    assert error(api.patch(check_url(check), {"scenario": "После утверждения"}), 400) == {
        "non_field_errors": ["Изменять план можно только у проекта проверки; утверждённый план неизменен."]
    }
    assert check_state(check) == state


def test_a_follow_up_of_another_employee_is_400(api, employee, tester, approver):
    check = IntegrityCheckFactory(
        employee=employee,
        tester=tester,
        status=CheckStatus.REVIEWED,
        approver=approver,
        approved_on=dt.date(2026, 5, 25),
        conducted_on=dt.date(2026, 6, 10),
        conduct_notes="Проведена",
        outcome=CheckOutcome.FAILED,
        outcome_summary="Не пройдена",
        reviewed_on=dt.date(2026, 6, 20),
    )
    other = DisciplinaryRecordFactory(discovered_on=dt.date(2026, 6, 20), imposed_on=dt.date(2026, 7, 1))
    state = check_state(check)
    assert error(api.post(check_url(check, "follow-up"), {"follow_up_record": other.pk}), 400) == {
        "follow_up_record": ["Взыскание наложено на другого сотрудника."]
    }
    assert error(api.post(check_url(check, "follow-up"), {"follow_up_record": 10**12}), 400) == {
        "follow_up_record": [f"Взыскание не найдено или недоступно: {10**12}."]
    }
    assert error(api.post(check_url(check, "inform"), {"informed_on": "2026-06-01"}), 400) == {
        "informed_on": ["Дата ознакомления раньше рассмотрения результата."]
    }
    assert check_state(check) == state


# --- who sees nothing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.ANALYST, Role.AUDITOR, Role.PROJECT_LEAD])
def test_investigators_analysts_and_others_get_403_and_see_nothing(as_user, role, employee):
    check = IntegrityCheckFactory(employee=employee)
    record = DisciplinaryRecordFactory(employee=employee)
    api = as_user(UserFactory(roles=(role,), department_code="75"))
    before = totals()
    for url in [f"/api/v1/{prefix}/" for prefix in PREFIXES] + [
        check_url(check),
        f"/api/v1/employees/{employee.personnel_number}/",
        f"/api/v1/disciplinary-records/{record.pk}/",
    ]:
        response = api.get(url)
        assert response.status_code == 403, url
        assert set(response.json()) == {"status", "code", "detail"}
        assert employee.last_name not in response.content.decode()
    assert api.post(check_url(check, "transitions"), {"to": "cancelled", "reason": "x"}).status_code == 403
    assert totals() == before
    assert AccessLog.objects.exclude(action=AccessAction.DENIED).count() == 0  # refusals are logged, not reads
    assert AccessLog.objects.filter(action=AccessAction.DENIED).count() == len(PREFIXES) + 4


def test_the_tested_employee_cannot_see_the_check_even_with_the_internal_security_role(as_user, employee, tester):
    # Given the tested employee has an account with the internal-security role
    account = security_officer("serikbaev")
    Employee.objects.filter(pk=employee.pk).update(user=account)
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    other = IntegrityCheckFactory(employee=make_employee("71"), tester=tester)
    api = as_user(account)
    # The check about them does not exist for them; others' checks do
    assert error(api.get(check_url(check)), 404) == {}
    assert [c["id"] for c in api.get("/api/v1/integrity-checks/").json()["results"]] == [other.pk]
    assert [
        c["id"] for c in api.get(f"/api/v1/integrity-checks/?employee={employee.personnel_number}").json()["results"]
    ] == []
    state = check_state(check)
    assert error(api.post(check_url(check, "transitions"), {"to": "cancelled", "reason": "Снимаю"}), 404) == {}
    assert error(api.patch(check_url(check), {"scenario": "Другой"}), 404) == {}
    assert check_state(check) == state
    # Each refused attempt on the check is in the access log as denied, naming the check (never a read of it)
    logged = AccessLog.objects.filter(object_id=str(check.pk), content_type__model="integritycheck")
    assert list(logged.order_by("id").values_list("user", "source", "action", "object_repr", "path")) == [
        (account.pk, Source.API, AccessAction.DENIED, f"Проверка № {check.pk}", check_url(check)),
        (account.pk, Source.API, AccessAction.DENIED, f"Проверка № {check.pk}", check_url(check, "transitions")),
        (account.pk, Source.API, AccessAction.DENIED, f"Проверка № {check.pk}", check_url(check)),
    ]
    # Nor can they plan a check about themselves
    before = totals()
    assert error(api.post("/api/v1/integrity-checks/", check_body(employee)), 403) == {}
    assert totals() == before


# --- filters ----------------------------------------------------------------------------------------------------------


def test_lists_filter_with_the_html_filtersets(api, employee, tester):
    other = make_employee("71")
    draft = IntegrityCheckFactory(employee=employee, tester=tester)
    cancelled = IntegrityCheckFactory(employee=other, tester=tester, status=CheckStatus.CANCELLED, cancel_reason="x")
    record = DisciplinaryRecordFactory(employee=employee)
    DisciplinaryRecordFactory(employee=other, status=DisciplineStatus.LIFTED)

    def ids(url: str) -> list:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        return [row.get("id", row.get("personnel_number")) for row in response.json()["results"]]

    assert ids("/api/v1/employees/?department=71") == [other.personnel_number]
    assert ids("/api/v1/employees/?status=active&department=75") == ["75-0042"]
    assert ids("/api/v1/integrity-checks/?status=cancelled") == [cancelled.pk]
    assert ids("/api/v1/integrity-checks/?department=75") == [draft.pk]
    assert ids(f"/api/v1/integrity-checks/?employee={employee.personnel_number}") == [draft.pk]
    assert ids("/api/v1/disciplinary-records/?status=active&department=75") == [record.pk]
    assert ids("/api/v1/disciplinary-records/?sanction=dismissal") == []
    assert list(error(api.get("/api/v1/integrity-checks/?status=nonsense"), 400)) == ["status"]
    assert list(error(api.get("/api/v1/employees/?department=99"), 400)) == ["department"]


# --- the access log ---------------------------------------------------------------------------------------------------


def test_every_read_is_in_the_access_log_with_the_clients_name(make_api, as_user, employee, tester):
    check = IntegrityCheckFactory(employee=employee, tester=tester)
    record = DisciplinaryRecordFactory(employee=employee)
    api = make_api(*READ)

    api.get("/api/v1/integrity-checks/")
    detail = api.get(check_url(check))
    api.get(f"/api/v1/employees/{employee.personnel_number}/")
    api.get(f"/api/v1/disciplinary-records/{record.pk}/")
    api.get("/api/v1/convictions/")
    # An unchanged representation (304) sends nothing: not a read
    assert api.get(check_url(check), **{"If-None-Match": detail["ETag"]}).status_code == 304

    rows = list(
        AccessLog.objects.order_by("id").values_list(
            "user", "client_label", "source", "action", "content_type__model", "object_id", "object_repr", "path"
        )
    )
    assert rows == [
        (None, api.name, Source.API, AccessAction.LIST, "integritycheck", "", "", "/api/v1/integrity-checks/"),
        (
            None,
            api.name,
            Source.API,
            AccessAction.VIEW,
            "integritycheck",
            str(check.pk),
            f"Проверка № {check.pk}",
            check_url(check),
        ),
        (
            None,
            api.name,
            Source.API,
            AccessAction.VIEW,
            "employee",
            str(employee.pk),
            str(employee),
            "/api/v1/employees/75-0042/",
        ),
        (
            None,
            api.name,
            Source.API,
            AccessAction.VIEW,
            "disciplinaryrecord",
            str(record.pk),
            f"Взыскание № {record.pk}",
            f"/api/v1/disciplinary-records/{record.pk}/",
        ),
        (None, api.name, Source.API, AccessAction.LIST, "conviction", "", "", "/api/v1/convictions/"),
    ]
    # A signed-in officer is logged by user
    officer = security_officer("officer")
    as_user(officer).get("/api/v1/employees/?department=75")
    assert AccessLog.objects.order_by("-id").values_list("user", "client_label", "source", "action", "path")[0] == (
        officer.pk,
        "",
        Source.API,
        AccessAction.LIST,
        "/api/v1/employees/?department=75",
    )


# --- query counts -----------------------------------------------------------------------------------------------------


def count_queries(api: Api, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


# Token lookup, the client's departments, the page, the access log row — nothing per row.
LIST_QUERIES = {"employees": 4, "disciplinary-records": 4, "convictions": 4, "integrity-checks": 4}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_list_query_count_is_pinned_and_independent_of_page_size(make_api, prefix):
    model = {
        "employees": Employee,
        "disciplinary-records": DisciplinaryRecord,
        "convictions": Conviction,
        "integrity-checks": IntegrityCheck,
    }[prefix]
    for department in ("75", "75", "71", "71", "75"):
        INTEGRITY_MAKERS[model](department)
    api = make_api(*WRITE)
    url = f"/api/v1/{prefix}/"
    count_queries(api, url)  # the first request also records the client's use
    small = count_queries(api, f"{url}?page_size=2")
    large = count_queries(api, f"{url}?page_size=50")
    assert (small, large) == (LIST_QUERIES[prefix], LIST_QUERIES[prefix])


def test_session_list_query_count_is_independent_of_page_size(as_user):
    for department in ("75", "71", "75", "71", "75"):
        make_check(department)
    api = as_user(security_officer("officer"))
    url = "/api/v1/integrity-checks/"
    count_queries(api, url)
    assert count_queries(api, f"{url}?page_size=2") == count_queries(api, f"{url}?page_size=50")
