"""Bad data is refused, not silently stored (issue 11 item 5).

Each input a new user managed to save is tried through the page and through the API: it gets a translated error at
its field and nothing changes. Every database constraint of the project has a translated message shown at a field,
never its raw name.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise

from anticor import bounds
from anticor.access import Role
from anticor.api.clients import api_client_create
from anticor.dates import add_months
from anticor.models import ApiClient, Article, Department, StateBody
from cases.models import Case, Recommendation, RootCause, RootCauseCategory, Sector
from integrity.models import DisciplinaryRecord, Employee, Sanction
from projects import services as project_services
from projects.models import KPI, Direction, KPIMeasurement, Project, PublicEvent
from tests.factories import CaseFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

TOO_EARLY = "Дата не может быть раньше 01.01.2000."
TOO_EARLY_FOR_SERVICE = "Дата не может быть раньше 01.01.1950."
PERCENT = "Значение в процентах должно быть от 0 до 100."
BAD_NUMBER = "Номер представления: буквы, цифры и знаки «-», «/», «.», «№», без пробелов; начинается с буквы или цифры."
DUE = "Срок ответа не может быть раньше даты внесения и даты вручения."
UNKNOWN_CODE = "Показателя с кодом «no_such_code» нет в реестре показателей."
PROJECT_APPS = ("anticor", "cases", "projects", "integrity")


def too_late() -> str:
    latest = add_months(timezone.localdate(), 12 * bounds.PLAN_YEARS_AHEAD)
    return f"Дата не может быть позже {latest:%d.%m.%Y}."


def long_text(limit: int) -> tuple[str, str]:
    """A text one character over ``limit`` and the error it gets."""
    text = "ф" * (limit + 1)
    return text, f"Текст слишком длинный: не более {limit} знаков (сейчас {limit + 1})."


class Api:
    def __init__(self, client, token: str) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body) -> dict:
        return self.client.generic(
            method,
            path,
            data=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {self.token}",
        )

    def errors(self, method: str, path: str, body) -> dict[str, list[str]]:
        response = self.call(method, path, body)
        assert response.status_code == 400, response.content.decode()[:2000]
        assert response.json()["status"] == 400
        return response.json()["errors"]


@pytest.fixture
def api(client):
    counter = itertools.count(1)

    def build(*scopes: str) -> Api:
        api_client, token = api_client_create(
            name=f"Внешняя система {next(counter)}", scopes=list(scopes), department_codes=[]
        )
        ApiClient.objects.filter(pk=api_client.pk).update(rate_limit_per_minute=1_000_000)
        return Api(client, token)

    return build


def form_errors(response) -> dict[str, list[str]]:
    assert response.status_code in (200, 400), response.status_code
    return dict(response.context["form"].errors)


# --- cases ------------------------------------------------------------------------------------------------------------


def case_form_data(user, **overrides) -> dict:
    data = {
        "registration_number": "751111111111111",
        "registered_on": "2026-03-10",
        "department": str(user.department_id),
        "articles": [str(Article.objects.get(code="366").pk)],
        "state_body": str(StateBody.objects.filter(region__code="75").first().pk),
        "sector": str(Sector.objects.get(code="construction").pk),
        "summary": "Взятка за разрешение на строительство",
        "investigator": "",
        "damage_amount": "1000000",
        "recovered_amount": "250000",
        "subjects-TOTAL_FORMS": "0",
        "subjects-INITIAL_FORMS": "0",
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def case_api_body(**overrides) -> dict:
    body = {
        "registered_on": "2026-03-02",
        "department": "75",
        "articles": ["366"],
        "state_body": StateBody.objects.filter(region__code="75").first().pk,
        "sector": "land",
        "summary": "Получение взятки за выделение земельного участка",
    }
    body.update(overrides)
    return body


@pytest.fixture
def investigator(make_user, client):
    user = make_user(Role.INVESTIGATOR)
    client.force_login(user)
    return user


def input_tag(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[page.rindex("<", 0, start) : page.index(">", start)]


def test_a_16_digit_erdr_number_is_refused_not_cut_to_15_by_the_browser(client, investigator):
    tag = input_tag(client.get("/cases/new/").content.decode(), "registration_number")
    assert "maxlength" not in tag  # a browser silently cuts a pasted 16-digit number at maxlength="15"
    response = client.post("/cases/new/", case_form_data(investigator, registration_number="7511111111111112"))
    assert form_errors(response)["registration_number"] == [
        "Убедитесь, что это значение содержит не более 15 символов (сейчас 16)."
    ]
    assert not Case.objects.exists()


def test_identifiers_are_never_cut_by_maxlength_on_any_form(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR, Role.INTERNAL_SECURITY))
    case = CaseFactory()
    pages = {
        "/cases/new/": ["registration_number", "subjects-0-iin"],
        f"/cases/{case.registration_number}/": ["merged_into"],
        "/integrity/new/": ["personnel_number", "iin"],
    }
    for url, names in pages.items():
        page = client.get(url).content.decode()
        for name in names:
            assert "maxlength" not in input_tag(page, name), (url, name)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("registered_on", "1899-01-01", TOO_EARLY),
        ("registered_on", "0637-01-01", TOO_EARLY),
        ("summary", *long_text(bounds.TEXT_DOCUMENT)),
    ],
)
def test_case_form_refuses_implausible_data(client, investigator, field, value, message):
    response = client.post("/cases/new/", case_form_data(investigator, **{field: value}))
    assert form_errors(response)[field] == [message]
    assert not Case.objects.exists()


def test_a_megabyte_fabula_is_refused_by_the_form(client, investigator):
    response = client.post("/cases/new/", case_form_data(investigator, summary="Ф" * 1_100_000))
    assert form_errors(response)["summary"] == [
        f"Текст слишком длинный: не более {bounds.TEXT_DOCUMENT} знаков (сейчас 1100000)."
    ]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("registered_on", "1899-01-01", TOO_EARLY),
        ("summary", *long_text(bounds.TEXT_DOCUMENT)),
    ],
)
def test_case_api_refuses_implausible_data(api, field, value, message):
    errors = api("reference:read", "cases:read", "cases:write").errors(
        "PUT", "/api/v1/cases/750000000012345/", case_api_body(**{field: value})
    )
    assert errors == {field: [message]}
    assert not Case.objects.exists()


def test_case_api_edit_to_a_date_of_1899_changes_nothing(api):
    case = CaseFactory(registration_number="750000000012345")
    before = Case.objects.filter(pk=case.pk).values().get()
    errors = api("reference:read", "cases:read", "cases:write").errors(
        "PATCH", f"/api/v1/cases/{case.registration_number}/", {"registered_on": "1899-01-01"}
    )
    assert errors == {"registered_on": [TOO_EARLY]}
    assert Case.objects.filter(pk=case.pk).values().get() == before


@pytest.fixture
def cause() -> RootCause:
    case = CaseFactory()
    return RootCause.objects.create(
        department=case.department,
        category=RootCauseCategory.objects.get(code="manual_process"),
        description="Личный контакт заявителя с чиновником",
        state_body=case.state_body,
        identified_on=dt.date(2026, 1, 15),
    )


def recommendation_form_data(cause, **overrides) -> dict:
    data = {
        "number": "75-2026-0001",
        "department": str(cause.department_id),
        "addressee": str(cause.state_body_id),
        "root_causes": [str(cause.pk)],
        "issued_on": "2026-02-01",
        "delivered_on": "2026-02-05",
        "due_on": "2026-03-05",
        "measures-TOTAL_FORMS": "0",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def recommendation_api_body(cause, **overrides) -> dict:
    body = {
        "number": "75-2026-0001",
        "department": "75",
        "addressee": cause.state_body_id,
        "root_causes": [cause.pk],
        "issued_on": "2026-02-01",
        "delivered_on": "2026-02-05",
        "due_on": "2026-03-05",
    }
    body.update(overrides)
    return body


RECOMMENDATION_CASES = [
    ({"due_on": "2026-02-01"}, "due_on", DUE),
    ({"number": "bad number !!!"}, "number", BAD_NUMBER),
    ({"issued_on": "1899-01-01"}, "issued_on", TOO_EARLY),
    ({"issued_on": "2026-02-10"}, "delivered_on", "Дата вручения не может быть раньше даты внесения."),
]


@pytest.mark.parametrize(("values", "field", "message"), RECOMMENDATION_CASES)
def test_recommendation_form_refuses_bad_data_at_the_field(client, investigator, cause, values, field, message):
    response = client.post("/cases/recommendations/new/", recommendation_form_data(cause, **values))
    errors = form_errors(response)
    assert errors[field] == [message]
    assert "__all__" not in errors
    assert "Нарушено ограничение" not in response.content.decode()
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(("values", "field", "message"), RECOMMENDATION_CASES[:3])  # the 4th: refused already
def test_recommendation_api_refuses_bad_data_at_the_field(api, cause, values, field, message):
    errors = api("reference:read", "cases:read", "cases:write").errors(
        "POST", "/api/v1/recommendations/", recommendation_api_body(cause, **values)
    )
    assert errors == {field: [message]}
    assert not Recommendation.objects.exists()


# --- projects ---------------------------------------------------------------------------------------------------------

START, END, TARGET_ON = dt.date(2026, 1, 1), dt.date(2027, 6, 30), dt.date(2026, 12, 31)


@pytest.fixture
def lead(make_user, client):
    user = make_user(Role.PROJECT_LEAD, department="00", username="lead-bounds")
    client.force_login(user)
    return user


@pytest.fixture
def project(lead) -> Project:
    return project_services.project_create(
        user=lead,
        values={
            "direction": Direction.objects.get(code="anti_corruption"),
            "code": "PK-2026-01",
            "title": "Прозрачные земельные торги",
            "goal": "Исключить ручное распределение земельных участков",
            "lead": lead,
            "owner_department": Department.objects.get(code="75"),
            "start_on": START,
            "end_on": END,
        },
    )


@pytest.fixture
def kpi(lead, project) -> KPI:
    return project_services.kpi_create(
        user=lead,
        values={
            "project": project,
            "name": "Доля участков через аукцион",
            "unit": "%",
            "baseline": Decimal("10"),
            "target": Decimal("90"),
            "target_on": TARGET_ON,
        },
    )


def kpi_form_data(**overrides) -> dict:
    data = {
        "name": "Доля участков, распределённых через аукцион",
        "unit": "%",
        "baseline": "10",
        "target": "100",
        "target_on": TARGET_ON.isoformat(),
        "better": "higher",
        "method": "",
        "responsible": "",
        "source": "manual",
        "indicator_code": "",
        "indicator_scope": "",
    }
    data.update(overrides)
    return data


def kpi_api_body(**overrides) -> dict:
    body = {
        "project": "PK-2026-01",
        "name": "Доля участков, распределённых через аукцион",
        "unit": "%",
        "baseline": "10",
        "target": "100",
        "target_on": TARGET_ON.isoformat(),
        "better": "higher",
    }
    body.update(overrides)
    return body


PROJECT_WRITE = ("reference:read", "projects:read", "projects:write")
KPI_CASES = [
    ({"baseline": "-5"}, {"baseline": [PERCENT]}),
    ({"target": "150"}, {"target": [PERCENT]}),
    ({"unit": "проценты", "baseline": "-5", "target": "150"}, {"baseline": [PERCENT], "target": [PERCENT]}),
    ({"source": "indicator", "indicator_code": "no_such_code"}, {"indicator_code": [UNKNOWN_CODE]}),
    ({"target_on": "2712-01-01"}, None),
]


def _expected(expected):
    return expected if expected is not None else {"target_on": [too_late()]}


@pytest.mark.parametrize(("values", "expected"), KPI_CASES)
def test_kpi_form_refuses_bad_values_at_the_field(client, project, values, expected):
    response = client.post(f"/projects/{project.code}/kpis/new/", kpi_form_data(**values))
    assert form_errors(response) == _expected(expected)
    assert not KPI.objects.exists()


@pytest.mark.parametrize(("values", "expected"), KPI_CASES)
def test_kpi_api_refuses_bad_values_at_the_field(api, project, values, expected):
    assert api(*PROJECT_WRITE).errors("POST", "/api/v1/kpis/", kpi_api_body(**values)) == _expected(expected)
    assert not KPI.objects.exists()


def test_kpi_edit_to_150_percent_changes_nothing(api, client, kpi):
    before = KPI.objects.filter(pk=kpi.pk).values().get()
    response = client.post(f"/projects/{kpi.project.code}/kpis/{kpi.pk}/edit/", kpi_form_data(target="150"))
    assert form_errors(response) == {"target": [PERCENT]}
    assert api(*PROJECT_WRITE).errors("PATCH", f"/api/v1/kpis/{kpi.pk}/", {"baseline": "-5"}) == {"baseline": [PERCENT]}
    assert KPI.objects.filter(pk=kpi.pk).values().get() == before


def test_a_percent_spelled_out_is_stored_as_the_percent_sign(lead, project):
    kpi = project_services.kpi_create(
        user=lead,
        values={
            "project": project,
            "name": "Доля",
            "unit": " Процентов ",
            "baseline": Decimal(0),
            "target": Decimal(100),
            "target_on": TARGET_ON,
        },
    )
    assert KPI.objects.get(pk=kpi.pk).unit == "%"


@pytest.mark.parametrize("value", ["-5", "150"])
def test_a_measurement_outside_0_100_percent_is_refused(api, client, kpi, value):
    on = "2026-06-01"
    response = client.post(f"/projects/{kpi.project.code}/kpis/{kpi.pk}/measure/", {"measured_on": on, "value": value})
    assert form_errors(response) == {"value": [PERCENT]}
    body = {"kpi": kpi.pk, "measured_on": on, "value": value}
    assert api(*PROJECT_WRITE).errors("POST", "/api/v1/kpi-measurements/", body) == {"value": [PERCENT]}
    assert not KPIMeasurement.objects.exists()


def test_a_public_event_in_2712_is_refused(api, client, project):
    response = client.post(
        f"/projects/{project.code}/events/new/",
        {"held_on": "2712-02-10", "kind": "hearing", "title": "Слушания", "participants": "40"},
    )
    assert form_errors(response) == {"held_on": [too_late()]}
    body = {"project": project.code, "held_on": "2712-02-10", "kind": "hearing", "title": "Слушания"}
    assert api(*PROJECT_WRITE).errors("POST", "/api/v1/public-events/", body) == {"held_on": [too_late()]}
    assert not PublicEvent.objects.exists()


# --- integrity --------------------------------------------------------------------------------------------------------

INTEGRITY_WRITE = ("reference:read", "integrity:read", "integrity:write")


@pytest.fixture
def security(make_user, client):
    user = make_user(Role.INTERNAL_SECURITY, department="00")
    client.force_login(user)
    return user


def employee_data(**overrides) -> dict:
    data = {
        "personnel_number": "75-0100",
        "last_name": "Ахметова",
        "first_name": "Дана",
        "middle_name": "Сериковна",
        "iin": "900101400003",
        "department": "75",
        "position": "Следователь",
        "special_rank": "лейтенант",
        "hired_on": "2020-09-01",
    }
    data.update(overrides)
    return data


def test_a_hire_date_of_1702_is_refused(api, client, security):
    form = employee_data(department=str(Department.objects.get(code="75").pk), status="active", hired_on="1702-05-01")
    assert form_errors(client.post("/integrity/new/", form))["hired_on"] == [TOO_EARLY_FOR_SERVICE]
    errors = api(*INTEGRITY_WRITE).errors("POST", "/api/v1/employees/", employee_data(hired_on="1702-05-01"))
    assert errors == {"hired_on": [TOO_EARLY_FOR_SERVICE]}
    assert not Employee.objects.exists()


def test_a_veteran_hired_in_1995_is_accepted(api):
    response = api(*INTEGRITY_WRITE).call("POST", "/api/v1/employees/", employee_data(hired_on="1995-09-01"))
    assert response.status_code == 201, response.content.decode()
    assert Employee.objects.get().hired_on == dt.date(1995, 9, 1)


def test_an_offence_date_of_0637_is_refused(api, client, security):
    employee = EmployeeFactory(department_code="75")
    form = {
        "offence": "Нарушение",
        "committed_on": "0637-02-20",
        "discovered_on": "2026-03-01",
        "sanction": Sanction.objects.get(code="remark").pk,
        "order_number": "2-лс",
        "imposed_on": "2026-03-10",
    }
    response = client.post(f"/integrity/e/{employee.personnel_number}/discipline/new/", form)
    assert form_errors(response)["committed_on"] == [TOO_EARLY]
    body = {**form, "employee": employee.personnel_number, "sanction": "remark"}
    errors = api(*INTEGRITY_WRITE).errors("POST", "/api/v1/disciplinary-records/", body)
    assert errors == {"committed_on": [TOO_EARLY]}
    assert not DisciplinaryRecord.objects.exists()


# --- the bounds themselves --------------------------------------------------------------------------------------------


def test_the_earliest_record_date_is_a_setting(settings):
    settings.EARLIEST_RECORD_DATE = dt.date(2010, 1, 1)
    with pytest.raises(ValidationError) as error:
        bounds.past_date(dt.date(2009, 12, 31))
    assert error.value.messages == ["Дата не может быть раньше 01.01.2010."]
    bounds.past_date(dt.date(2010, 1, 1))


def test_the_earliest_record_date_is_read_from_the_environment():
    from anticor.env import ConfigError, Env

    assert Env({}).date("EARLIEST_RECORD_DATE", dt.date(2000, 1, 1)) == dt.date(2000, 1, 1)
    assert Env({"EARLIEST_RECORD_DATE": "2005-07-01"}).date("EARLIEST_RECORD_DATE", dt.date(2000, 1, 1)) == dt.date(
        2005, 7, 1
    )
    with pytest.raises(ConfigError) as error:
        Env({"EARLIEST_RECORD_DATE": "01.07.2005"}).date("EARLIEST_RECORD_DATE", dt.date(2000, 1, 1))
    assert str(error.value) == "EARLIEST_RECORD_DATE: expected a date as YYYY-MM-DD, got '01.07.2005'"


def project_constraints():
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_of_every_project_model_has_a_translated_field_message():
    seen = 0
    for model, constraint in project_constraints():
        seen += 1
        where = f"{model._meta.label}.{constraint.name}"
        message = constraint.violation_error_message
        assert message != constraint.default_violation_error_message, where
        assert isinstance(message, Promise), f"{where}: not wrapped in gettext_lazy"
        assert any("а" <= char <= "я" for char in str(message).lower()), f"{where}: not Russian"
        assert constraint.name not in str(message), where
        field = getattr(constraint, "violation_error_field", None)
        assert field is not None, f"{where}: names no field to show the message at"
        model._meta.get_field(field)  # the field exists
    assert seen > 60


def test_a_constraint_a_concurrent_write_violates_in_the_database_is_the_field_message():
    case = CaseFactory(damage_amount=Decimal(100), recovered_amount=Decimal(0))
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        Case.objects.filter(pk=case.pk).update(recovered_amount=Decimal(200))
    mapped = bounds.constraint_violation(raised.value)
    assert mapped.message_dict == {"recovered_amount": ["Возмещено не может быть больше ущерба."]}


def field_problems() -> list[tuple]:
    """Every stored row of the domain apps against its fields' validators (dates, lengths, formats)."""
    problems = []
    for app in ("cases", "projects", "integrity"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.endswith("Audit"):
                continue
            relations = [field.name for field in model._meta.fields if field.is_relation]
            for row in model.objects.all():
                try:
                    row.clean_fields(exclude=relations)
                except ValidationError as error:
                    problems.append((model.__name__, row.pk, error.message_dict))
    return problems


def test_demo_data_and_factories_respect_the_bounds(make_user):
    from cases.demo import demo_cases
    from integrity.demo import demo_integrity
    from projects.demo import demo_projects
    from tests.factories import DisciplinaryRecordFactory, IntegrityCheckFactory

    users = {role: make_user(role, department="00" if role == "internal_security" else "75") for role in Role.values}
    demo_cases(users)
    demo_projects(users)
    demo_integrity(users)
    CaseFactory()
    DisciplinaryRecordFactory()
    IntegrityCheckFactory()
    assert field_problems() == []


def test_synthetic_data_respects_the_bounds():
    from io import StringIO

    from django.core.management import call_command

    call_command("generate_data", cases=200, seed=7, end=dt.date(2026, 6, 30), stdout=StringIO())
    assert Case.objects.count() == 200
    assert field_problems() == []


def test_an_imported_case_registered_in_1899_is_refused_on_its_row(investigator):
    from cases.imports import ImportResult, RowError, case_import
    from tests.cases.test_import import csv_upload, row

    upload = csv_upload([row(registered_on="1899-01-01")])
    assert case_import(user=investigator, uploaded_file=upload) == ImportResult(
        created=0, errors=[RowError(2, "Дата регистрации", TOO_EARLY)], rows=1
    )
    assert not Case.objects.exists()


def test_a_duplicate_recommendation_number_is_refused_at_the_number(api, client, investigator, cause):
    Recommendation.objects.create(number="75-2026-0001", department=cause.department, addressee=cause.state_body)
    response = client.post("/cases/recommendations/new/", recommendation_form_data(cause))
    duplicate = "Представление с таким номером в этом департаменте уже есть."
    assert form_errors(response) == {"number": [duplicate]}
    errors = api("reference:read", "cases:read", "cases:write").errors(
        "POST", "/api/v1/recommendations/", recommendation_api_body(cause)
    )
    assert errors == {"number": [duplicate]}
    assert Recommendation.objects.count() == 1
