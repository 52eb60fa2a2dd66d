"""The cases resources of the REST API, through HTTP with real client tokens (DESIGN.md §5.2, issue 4).

Covers what an agency developer does: upsert a case with subjects twice (one case), replace it, filter, move it
through transitions, get 412 on a stale write; bad input answers 400 with the field path and saves nothing;
a client limited to departments gets 404 outside them; list endpoints use a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anticor.access import Role
from anticor.api.clients import api_client_create
from anticor.models import AccessLog, ApiClient, StateBody
from cases.choices import CaseEventKind, CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import Case, CaseEvent, Recommendation, RootCause, RootCauseCategory, Subject
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NUMBER = "750000000012345"
URL = f"/api/v1/cases/{NUMBER}/"
IIN_A, IIN_B, IIN_C = "900101300007", "850515400002", "061211600012"
WRITE = ("reference:read", "cases:read", "cases:write")


class Api:
    """Requests with ``Authorization: Token …`` and JSON bodies, through Django's test client."""

    def __init__(self, client, token: str | None, client_name: str = "") -> None:
        self.client, self.token, self.client_name = client, token, client_name

    def call(self, method: str, path: str, body=None, *, raw: str | None = None, **headers: str):
        data = raw if raw is not None else ("" if body is None else json.dumps(body, ensure_ascii=False))
        extra = {"HTTP_AUTHORIZATION": f"Token {self.token}"} if self.token else {}
        return self.client.generic(
            method, path, data=data, content_type="application/json", headers=headers or None, **extra
        )

    def get(self, path: str, **headers: str):
        return self.call("GET", path, **headers)

    def put(self, path: str, body=None, **kwargs):
        return self.call("PUT", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.call("PATCH", path, body, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)


@pytest.fixture
def make_api(client):
    """``make_api("cases:read", departments=["71"])`` — an Api with a fresh client's token."""
    counter = itertools.count(1)

    def build(*scopes: str, departments: tuple[str, ...] | list[str] = ()) -> Api:
        api_client, token = api_client_create(
            name=f"Агентство {next(counter)}", scopes=list(scopes or WRITE), department_codes=list(departments)
        )
        ApiClient.objects.filter(pk=api_client.pk).update(rate_limit_per_minute=1_000_000)  # limits: not here
        return Api(client, token, api_client.name)

    return build


@pytest.fixture
def api(make_api) -> Api:
    return make_api(*WRITE)


def state_body(region: str = "75") -> StateBody:
    return StateBody.objects.filter(region__code=region).order_by("id").first()


def case_body(**overrides) -> dict:
    body = {
        "registered_on": "2026-03-02",
        "department": "75",
        "articles": ["366", "367"],
        "state_body": state_body().pk,
        "sector": "land",
        "summary": "Получение взятки за выделение земельного участка",
        "damage_amount": "1500000.00",
        "recovered_amount": "500000.00",
        "subjects": [
            {
                "full_name": "Серикбаев Арман Болатович",
                "iin": IIN_A,
                "position": "руководитель отдела земельных отношений",
                "post_category": "administrative",
                "state_body": state_body().pk,
                "role": "suspect",
            },
            {"full_name": "Ахметова Дана Сериковна", "iin": IIN_B, "role": "witness"},
        ],
    }
    body.update(overrides)
    return body


def audit_rows() -> int:
    """All audit-trail rows of the cases app (cases, subjects, links...)."""
    models = [m for m in apps.get_app_config("cases").get_models() if m.__name__.endswith("Audit")]
    assert models
    return sum(model.objects.count() for model in models)


def snapshot(number: str = NUMBER) -> tuple:
    case = Case.objects.get(registration_number=number)
    subjects = sorted(
        (s.iin, s.full_name, s.role, s.is_removed) for s in Subject.objects.filter(case=case).order_by("id")
    )
    return (
        case.version,
        case.summary,
        case.damage_amount,
        case.recovered_amount,
        sorted(case.articles.values_list("code", flat=True)),
        subjects,
        CaseEvent.objects.filter(case=case).count(),
    )


# --- upsert ----------------------------------------------------------------------------------------------------------


def test_put_twice_creates_one_case_and_the_second_changes_nothing(api):
    first = api.put(URL, case_body())
    assert first.status_code == 201, first.json()
    assert first["Location"] == URL
    data = first.json()
    assert data["registration_number"] == NUMBER
    assert data["department"] == "75"
    assert data["articles"] == ["366", "367"]
    assert data["sector"] == "land"
    assert data["status"] == CaseStatus.REGISTERED
    assert data["version"] == 1
    assert data["damage_amount"] == "1500000.00"
    assert [s["iin"] for s in data["subjects"]] == [IIN_A, IIN_B]
    assert data["subjects"][1] == {
        "full_name": "Ахметова Дана Сериковна",
        "iin": IIN_B,
        "position": "",
        "post_category": "other",
        "state_body": None,
        "role": "witness",
    }
    audit_before = audit_rows()

    second = api.put(URL, case_body())

    assert second.status_code == 200
    assert second["ETag"] == first["ETag"]
    assert second.json() == data
    assert Case.objects.filter(registration_number=NUMBER).count() == 1
    case = Case.objects.get(registration_number=NUMBER)
    assert case.version == 1
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", "actor", "client_label")) == [
        (CaseEventKind.CREATED, None, api.client_name)
    ]
    assert Subject.objects.filter(case=case).count() == 2
    assert audit_rows() == audit_before


def test_put_with_subjects_in_another_order_and_numbers_as_numbers_is_still_the_same(api):
    created = api.put(URL, case_body())
    body = case_body(damage_amount=1500000, recovered_amount="500000")
    body["subjects"].reverse()
    again = api.put(URL, body)
    assert again.status_code == 200
    assert again["ETag"] == created["ETag"]
    assert Case.objects.get(registration_number=NUMBER).version == 1


def test_put_replaces_fields_and_subjects_matched_by_iin(api):
    api.put(URL, case_body())
    case = Case.objects.get(registration_number=NUMBER)
    kept = Subject.objects.get(case=case, iin=IIN_B)
    body = case_body(summary="Взятка за выделение участка под ИЖС", articles=["366"])
    body["subjects"] = [
        {"full_name": "Ахметова Дана Сериковна", "iin": IIN_B, "role": "suspect"},
        {"full_name": "Жумабеков Ерлан", "iin": IIN_C, "role": "witness"},
    ]

    response = api.put(URL, body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2
    assert data["summary"] == "Взятка за выделение участка под ИЖС"
    assert data["articles"] == ["366"]
    assert [(s["iin"], s["role"]) for s in data["subjects"]] == [(IIN_B, "suspect"), (IIN_C, "witness")]
    kept.refresh_from_db()
    assert (kept.role, kept.is_removed) == ("suspect", False)  # updated in place, same row
    removed = Subject.objects.get(case=case, iin=IIN_A)
    assert removed.is_removed  # never deleted
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        CaseEventKind.CREATED,
        CaseEventKind.EDITED,
    ]
    # And back: the removed subject comes back as the same row.
    assert api.put(URL, case_body()).status_code == 200
    removed.refresh_from_db()
    assert not removed.is_removed
    assert Subject.objects.filter(case=case).count() == 3


def test_patch_changes_only_the_given_fields(api):
    api.put(URL, case_body())
    response = api.patch(URL, {"recovered_amount": "1500000"})
    assert response.status_code == 200, response.json()
    assert response.json()["recovered_amount"] == "1500000.00"
    assert snapshot()[:5] == (
        2,
        "Получение взятки за выделение земельного участка",
        Decimal("1500000.00"),
        Decimal("1500000.00"),
        ["366", "367"],
    )
    assert len(response.json()["subjects"]) == 2
    # The same PATCH again changes nothing.
    assert api.patch(URL, {"recovered_amount": "1500000"}).json()["version"] == 2


def test_patch_of_a_missing_case_is_404_and_creates_nothing(api):
    assert api.patch(URL, {"summary": "x"}).status_code == 404
    assert not Case.objects.exists()


def test_a_subject_in_a_patch_is_given_whole(api):
    api.put(URL, case_body())
    before = snapshot()
    response = api.patch(URL, {"subjects": [{"iin": IIN_A, "role": "accused"}]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"subjects.0.full_name": ["Обязательное поле."]}
    assert snapshot() == before


# --- conditional requests --------------------------------------------------------------------------------------------


def test_stale_if_match_is_412_and_changes_nothing(api):
    created = api.put(URL, case_body())
    old_etag = created["ETag"]
    current = api.patch(URL, {"summary": "Уточнённая фабула"}, **{"If-Match": old_etag})
    assert current.status_code == 200
    assert current["ETag"] != old_etag

    stale_put = api.put(URL, case_body(summary="Затирающая правка", damage_amount="1"), **{"If-Match": old_etag})
    stale_patch = api.patch(URL, {"damage_amount": "2"}, **{"If-Match": old_etag})

    assert stale_put.status_code == stale_patch.status_code == 412
    assert stale_put.json()["code"] == "precondition_failed"
    assert snapshot() == (
        2,
        "Уточнённая фабула",
        Decimal("1500000.00"),
        Decimal("500000.00"),
        ["366", "367"],
        [
            (IIN_B, "Ахметова Дана Сериковна", "witness", False),
            (IIN_A, "Серикбаев Арман Болатович", "suspect", False),
        ],
        2,
    )
    fresh = api.put(URL, case_body(summary="Правка по актуальной версии"), **{"If-Match": current["ETag"]})
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 3


def test_if_match_on_a_missing_case_is_412(api):
    assert api.put(URL, case_body(), **{"If-Match": '"abc"'}).status_code == 412
    assert not Case.objects.exists()


def test_if_none_match_star_creates_only(api):
    assert api.put(URL, case_body(), **{"If-None-Match": "*"}).status_code == 201
    again = api.put(URL, case_body(summary="Другая"), **{"If-None-Match": "*"})
    assert again.status_code == 412
    assert Case.objects.get(registration_number=NUMBER).summary == case_body()["summary"]


def test_get_has_an_etag_and_honours_if_none_match(api):
    created = api.put(URL, case_body())
    response = api.get(URL)
    assert response.status_code == 200
    assert response["ETag"] == created["ETag"]
    not_modified = api.get(URL, **{"If-None-Match": response["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert api.get(URL, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_api_answers_are_not_stored_and_details_are_revalidated(api):
    created = api.put(URL, case_body())
    detail = api.get(URL)
    not_modified = api.get(URL, **{"If-None-Match": detail["ETag"]})
    listing = api.get("/api/v1/cases/")
    # A detail may be kept by the client alone and must be revalidated (the 304 flow); nothing else is stored
    assert (created["Cache-Control"], detail["Cache-Control"]) == ("private, no-cache", "private, no-cache")
    assert (not_modified.status_code, not_modified["Cache-Control"]) == (304, "private, no-cache")
    assert (listing.status_code, listing["Cache-Control"]) == (200, "no-store")
    assert api.get("/api/v1/cases/999999999999999/")["Cache-Control"] == "no-store"


# --- lists and filters -----------------------------------------------------------------------------------------------


def test_filter_by_department_and_registration_dates(make_api):
    reader = make_api("cases:read")
    wanted = CaseFactory(registered_on=dt.date(2026, 2, 10))
    CaseFactory(registered_on=dt.date(2026, 1, 31))  # before the range
    CaseFactory(registered_on=dt.date(2026, 3, 1))  # after it
    CaseFactory(department_code="71", registered_on=dt.date(2026, 2, 11))  # another department
    response = reader.get("/api/v1/cases/?department=75&registered_from=2026-02-01&registered_to=2026-02-28")
    assert response.status_code == 200
    assert [row["registration_number"] for row in response.json()["results"]] == [wanted.registration_number]
    assert reader.get("/api/v1/cases/?department=71").json()["results"][0]["department"] == "71"


def test_full_text_search_and_bad_filter_values(api):
    api.put(URL, case_body())
    assert [r["registration_number"] for r in api.get("/api/v1/cases/?q=Серикбаеву").json()["results"]] == [NUMBER]
    assert api.get("/api/v1/cases/?q=Иванов").json()["results"] == []
    bad = api.get("/api/v1/cases/?registered_from=вчера&department=99")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"registered_from", "department"}


def test_list_is_paginated_by_cursor_and_ordering_is_honoured(api):
    numbers = [CaseFactory(registered_on=dt.date(2026, 1, day)).registration_number for day in (5, 3, 4)]
    page = api.get("/api/v1/cases/?page_size=2&ordering=registered_on").json()
    assert [r["registration_number"] for r in page["results"]] == [numbers[1], numbers[2]]
    rest = api.get(page["next"].replace("http://testserver", "")).json()
    assert [r["registration_number"] for r in rest["results"]] == [numbers[0]]
    assert rest["next"] is None


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/root-causes/", "/api/v1/recommendations/"])
def test_list_queries_do_not_grow_with_the_page_size(api, path):
    category = RootCauseCategory.objects.get(code="opacity")
    for _index in range(30):
        case = CaseFactory(articles=["366", "367"])
        Subject.objects.create(case=case, full_name="Иванов И. И.", iin=IIN_A, role="suspect")
        Subject.objects.create(case=case, full_name="Петров П. П.", iin=IIN_B, role="witness")
        cause = RootCause.objects.create(
            department=case.department,
            category=category,
            description="Непрозрачная процедура",
            state_body=case.state_body,
            identified_on=dt.date(2026, 3, 5),
        )
        cause.cases.add(case)
        rec = Recommendation.objects.create(
            number=f"П-{case.pk}", department=case.department, addressee=case.state_body
        )
        rec.root_causes.add(cause)
        rec.measures.create(description="Автоматизировать выдачу", responsible_person="Аким района")
        rec.measures.create(description="Опубликовать регламент", responsible_person="Руководитель аппарата")
    api.get(path)  # the first request of a client also records when it was last used
    counts = {}
    for size in (2, 30):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{path}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[2] == counts[30], counts


def test_case_list_query_count_is_pinned(api, django_assert_num_queries):
    for _index in range(50):
        case = CaseFactory(articles=["366", "367"])
        Subject.objects.create(case=case, full_name="Иванов И. И.", iin=IIN_A, role="suspect")
    api.get("/api/v1/cases/")
    # The token's client, its departments; the cases, their articles, subjects and root causes (one query
    # each); the access-log row (with the audit context set in the same statement).
    for size in (2, 50):
        with django_assert_num_queries(7):
            assert len(api.get(f"/api/v1/cases/?page_size={size}").json()["results"]) == size


# --- transitions -----------------------------------------------------------------------------------------------------


def transition(api: Api, to: str, number: str = NUMBER, **extra):
    return api.post(f"/api/v1/cases/{number}/transitions/", {"to": to, "reason": "Постановление", **extra})


def test_case_moves_through_transitions_to_conviction(api):
    api.put(URL, case_body())
    allowed = api.get(f"{URL}transitions/").json()
    assert allowed == {"status": "registered", "allowed": ["investigating", "merged"]}
    for target in ("investigating", "sent_to_court", "convicted"):
        response = transition(api, target, on="2026-03-10")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == target
        assert response["ETag"] == api.get(URL)["ETag"]
    case = Case.objects.get(registration_number=NUMBER)
    assert (case.status, case.sent_to_court_on, case.closed_on, case.version) == (
        CaseStatus.CONVICTED,
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 10),
        4,
    )
    moves = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).order_by("id")
    assert [(e.from_status, e.to_status) for e in moves] == [
        ("registered", "investigating"),
        ("investigating", "sent_to_court"),
        ("sent_to_court", "convicted"),
    ]
    # A final case is not changed by a PUT; the same body is still accepted (nothing to change).
    assert api.put(URL, case_body()).status_code == 200
    changed = api.put(URL, case_body(summary="Поздняя правка"))
    assert changed.status_code == 400
    assert changed.json()["errors"] == {
        "non_field_errors": ["Дело в окончательном статусе или в архиве изменять нельзя."]
    }


def test_termination_needs_a_ground_given_by_code(api):
    api.put(URL, case_body())
    transition(api, "investigating")
    missing = transition(api, "terminated")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"termination_ground": ["Для прекращения дела укажите основание."]}
    unknown = transition(api, "terminated", termination_ground="no_such_ground")
    assert unknown.json()["errors"] == {"termination_ground": ["Неизвестный код: no_such_ground."]}
    done = transition(api, "terminated", termination_ground="no_corpus_delicti")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["termination_ground"]) == ("terminated", "no_corpus_delicti")


def test_refused_transition_is_400_on_to_and_changes_nothing(api):
    api.put(URL, case_body())
    before = snapshot()
    response = transition(api, "convicted")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "to": ["Переход из статуса «Зарегистрировано» в «Обвинительный приговор» не допускается."]
    }
    unknown = transition(api, "flying")
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["to"]
    assert snapshot() == before


def test_merge_names_the_other_case_by_number_among_the_visible_ones(make_api):
    api = make_api(*WRITE, departments=["75"])
    api.put(URL, case_body())
    hidden = CaseFactory(department_code="71")
    refused = transition(api, "merged", merged_into=hidden.registration_number)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "merged_into": [f"Дела не найдены или недоступны: {hidden.registration_number}"]
    }
    other = CaseFactory()
    response = transition(api, "merged", merged_into=other.registration_number)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into"]) == ("merged", other.registration_number)


def test_stale_if_match_on_a_transition_is_412(api):
    created = api.put(URL, case_body())
    transition(api, "investigating")
    stale = api.post(f"{URL}transitions/", {"to": "suspended", "reason": "Розыск"}, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412
    assert Case.objects.get(registration_number=NUMBER).status == CaseStatus.INVESTIGATING


# --- bad input -------------------------------------------------------------------------------------------------------

FUTURE = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def _bad_iin_second_subject() -> dict:
    body = case_body()
    body["subjects"][1]["iin"] = "900101300008"
    return body


def _duplicate_iin() -> dict:
    body = case_body()
    body["subjects"][1]["iin"] = IIN_A
    return body


def _unknown_subject_field() -> dict:
    body = case_body()
    body["subjects"][0]["nickname"] = "Арман"
    return body


BAD_BODIES = {
    "wrong type of an amount": (lambda: case_body(damage_amount="много"), "damage_amount"),
    "articles not a list": (lambda: case_body(articles="366"), "articles"),
    "subjects not a list": (lambda: case_body(subjects={"iin": IIN_A}), "subjects.non_field_errors"),
    "state body as text": (lambda: case_body(state_body="акимат"), "state_body"),
    "date not a date": (lambda: case_body(registered_on="02.03.2026"), "registered_on"),
    "negative damage": (lambda: case_body(damage_amount="-1"), "damage_amount"),
    "empty articles": (lambda: case_body(articles=[]), "articles"),
    "missing summary": (lambda: {k: v for k, v in case_body().items() if k != "summary"}, "summary"),
    "null department": (lambda: case_body(department=None), "department"),
    "a subject not an object": (lambda: case_body(subjects=["Иванов"]), "subjects.0.non_field_errors"),
    "too many articles": (lambda: case_body(articles=["366"] * 51), "articles"),
    "a huge code": (lambda: case_body(sector="x" * 10_000), "sector"),
    "a nul byte in a code": (lambda: case_body(sector="land\x00"), "sector"),
    "a boolean state body": (lambda: case_body(state_body=True), "state_body"),
}

BAD_WITH_MESSAGE = {
    "unknown field": (lambda: case_body(colour="red"), {"colour": ["Неизвестное поле."]}),
    "unknown subject field": (_unknown_subject_field, {"subjects.0.nickname": ["Неизвестное поле."]}),
    "invalid iin": (_bad_iin_second_subject, {"subjects.1.iin": ["Неверная контрольная цифра ИИН."]}),
    "iin of 11 digits": (
        lambda: case_body(subjects=[{"full_name": "Иванов", "iin": "90010130000", "role": "suspect"}]),
        {"subjects.0.iin": ["ИИН должен состоять ровно из 12 цифр."]},
    ),
    "the same iin twice": (_duplicate_iin, {"subjects.1.iin": ["ИИН повторяется: он уже указан у участника № 1."]}),
    "unknown article": (lambda: case_body(articles=["366", "999"]), {"articles.1": ["Неизвестные статьи УК: 999."]}),
    "unknown sector": (lambda: case_body(sector="moon"), {"sector": ["Неизвестная сфера: moon."]}),
    "unknown department": (lambda: case_body(department="99"), {"department": ["Неизвестный департамент: 99."]}),
    "unknown state body": (lambda: case_body(state_body=999999), {"state_body": ["Неизвестный госорган: 999999."]}),
    "recovered more than damage": (
        lambda: case_body(damage_amount="100", recovered_amount="101"),
        {"recovered_amount": ["Возмещённая сумма не может превышать сумму ущерба."]},
    ),
    "future registration date": (
        lambda: case_body(registered_on=FUTURE),
        {"registered_on": ["Дата регистрации не может быть в будущем."]},
    ),
    "another number in the body": (
        lambda: case_body(registration_number="750000000099999"),
        {"registration_number": ["Номер ЕРДР в теле не совпадает с номером в адресе."]},
    ),
    "malformed number in the body": (
        lambda: case_body(registration_number="75-0000"),
        {"registration_number": ["Номер ЕРДР должен состоять ровно из 15 цифр."]},
    ),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_input_is_400_with_the_field_path_and_saves_nothing(api, name):
    build, path = BAD_BODIES[name]
    response = api.put(URL, build())
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert list(body["errors"]) == [path]
    assert not Case.objects.exists()
    assert not Subject.objects.exists()


@pytest.mark.parametrize("name", list(BAD_WITH_MESSAGE))
def test_bad_input_messages(api, name):
    build, errors = BAD_WITH_MESSAGE[name]
    response = api.put(URL, build())
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == errors
    assert not Case.objects.exists()


def test_bad_input_on_an_existing_case_changes_nothing(api):
    api.put(URL, case_body())
    before = snapshot()
    for body in (_bad_iin_second_subject(), case_body(recovered_amount="2000000"), case_body(articles=["999"])):
        assert api.put(URL, body).status_code == 400
    assert snapshot() == before


def test_malformed_json_is_400(api):
    response = api.put(URL, raw='{"summary": "незакрытая строка')
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/75000000001234/",  # 14 digits: the route does not match
        "/api/v1/cases/7500000000123456/",
        "/api/v1/cases/75000000001234a/",
        "/api/v1/cases/..%2F75000000001234/",
        "/api/v1/cases/750000000012345%00/",
    ],
)
def test_a_malformed_number_in_the_url_is_404(api, path):
    assert api.put(path, case_body()).status_code == 404
    assert api.get(path).status_code == 404
    assert not Case.objects.exists()


def test_delete_and_post_to_the_collection_do_not_exist(api):
    api.put(URL, case_body())
    assert api.call("DELETE", URL).status_code == 405
    assert api.post("/api/v1/cases/", case_body(registration_number=NUMBER)).status_code == 405
    assert Case.objects.count() == 1


# --- scopes and departments ------------------------------------------------------------------------------------------


def test_no_token_is_401(client):
    anonymous = Api(client, None)
    assert anonymous.get("/api/v1/cases/").status_code == 401
    assert anonymous.put(URL, case_body()).status_code == 401
    assert not Case.objects.exists()


def test_a_client_of_department_71_does_not_see_or_write_cases_of_75(make_api, api):
    api.put(URL, case_body())
    before = snapshot()
    limited = make_api(*WRITE, departments=["71"])
    assert limited.get(URL).status_code == 404
    assert limited.get(f"{URL}transitions/").status_code == 404
    assert limited.put(URL, case_body(summary="Чужая правка")).status_code == 404
    assert limited.patch(URL, {"summary": "Чужая правка"}).status_code == 404
    assert transition(limited, "investigating").status_code == 404
    assert limited.get("/api/v1/cases/").json()["results"] == []
    assert snapshot() == before


def test_a_client_of_department_71_cannot_create_a_case_of_75(make_api):
    limited = make_api(*WRITE, departments=["71"])
    response = limited.put(URL, case_body())
    assert response.status_code == 403
    assert response.json()["detail"] == "Нет прав регистрировать дела департамента 75."
    assert not Case.objects.exists()
    own = limited.put(URL.replace("750", "710"), case_body(department="71", state_body=state_body("71").pk))
    assert own.status_code == 201, own.json()
    # ...nor move its own case to department 75.
    moved = limited.patch(URL.replace("750", "710"), {"department": "75"})
    assert moved.status_code == 403
    assert Case.objects.get().department.code == "71"


def test_a_read_only_client_cannot_write(make_api, api):
    api.put(URL, case_body())
    before = snapshot()
    reader = make_api("cases:read")
    assert reader.get(URL).status_code == 200
    assert reader.put(URL, case_body(summary="Правка")).status_code == 403
    assert reader.patch(URL, {"summary": "Правка"}).status_code == 403
    assert transition(reader, "investigating").status_code == 403
    assert reader.put(URL.replace("12345", "54321"), case_body()).status_code == 403
    assert snapshot() == before
    assert Case.objects.count() == 1


def test_a_client_without_cases_scope_is_403(make_api):
    CaseFactory()
    assert make_api("reference:read").get("/api/v1/cases/").status_code == 403


# --- access log ------------------------------------------------------------------------------------------------------


def test_reads_of_cases_are_in_the_access_log(make_api, api):
    api.put(URL, case_body())
    reader = make_api("cases:read")
    etag = reader.get(URL)["ETag"]
    reader.get("/api/v1/cases/")
    reader.get(URL, **{"If-None-Match": etag})  # nothing sent: not logged
    logs = list(AccessLog.objects.order_by("id"))
    assert [(log.action, log.source, log.client_label, log.user_id) for log in logs] == [
        ("view", "api", "Агентство 2", None),
        ("list", "api", "Агентство 2", None),
    ]
    assert logs[0].object_id == str(Case.objects.get().pk)
    assert logs[0].path == URL


def test_a_session_user_reads_through_the_api_too_and_is_logged(client, make_user):
    case = CaseFactory()
    user = make_user("investigator")
    client.force_login(user)
    response = client.get(f"/api/v1/cases/{case.registration_number}/")
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.client_label, log.action) == (user, "", "view")


# --- languages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Неверная контрольная цифра ИИН."),
        ("kk", "ЖСН-ның бақылау цифры қате."),
        ("en", "Invalid IIN check digit."),
    ],
)
def test_messages_follow_accept_language(api, language, message):
    response = api.put(URL, _bad_iin_second_subject(), **{"Accept-Language": language})
    assert response.status_code == 400
    assert response.json()["errors"] == {"subjects.1.iin": [message]}


# --- root causes -----------------------------------------------------------------------------------------------------


def root_cause_body(*numbers: str, **overrides) -> dict:
    body = {
        "department": "75",
        "category": "manual_process",
        "description": "Выделение участков без электронного аукциона, личный контакт с заявителем",
        "state_body": state_body().pk,
        "identified_on": "2026-03-05",
        "cases": list(numbers),
    }
    body.update(overrides)
    return body


EVIDENCE = "Выездная проверка 01.06.2026: участки выделяются только через электронный аукцион, личный приём отменён"


def answered_recommendation(cause_id: int) -> Recommendation:
    cause = RootCause.objects.get(pk=cause_id)
    rec = Recommendation.objects.create(
        number=f"75-2026-{cause_id}", department=cause.department, addressee=cause.state_body, status="answered"
    )
    rec.root_causes.add(cause)
    return rec


def session_api(client, make_user, role: str, **fields) -> Api:
    """An Api signed in as a new user with ``role`` (session authentication, as the browser)."""
    user = make_user(role, **fields)
    client.force_login(user)
    session = Api(client, None)
    session.username = user.username
    session.user = user
    return session


def test_root_cause_create_read_update_and_transitions(api, client, make_user):
    api.put(URL, case_body())
    other = CaseFactory()
    created = api.post("/api/v1/root-causes/", root_cause_body(NUMBER))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["category"], data["department"], data["cases"], data["status"], data["version"]) == (
        "manual_process",
        "75",
        [NUMBER],
        "identified",
        1,
    )
    url = f"/api/v1/root-causes/{data['id']}/"
    assert created["Location"] == url
    assert api.get(URL).json()["root_causes"] == [data["id"]]
    assert api.get(url)["ETag"] == created["ETag"]

    linked = api.patch(url, {"cases": [NUMBER, other.registration_number]}, **{"If-Match": created["ETag"]})
    assert linked.status_code == 200, linked.json()
    assert linked.json()["cases"] == sorted([NUMBER, other.registration_number])
    stale = api.patch(url, {"description": "Другое"}, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412
    unlink = api.patch(url, {"cases": [NUMBER]})
    assert unlink.status_code == 400
    assert unlink.json()["errors"] == {"cases": [f"Связь причины с делом не снимается: {other.registration_number}."]}
    same = api.patch(url, {"category": "manual_process"})
    assert same.json()["version"] == linked.json()["version"]  # nothing to change

    for target in ("recommended", "implemented"):
        moved = api.post(f"{url}transitions/", {"to": target})
        assert moved.status_code == 200, moved.json()
        assert moved.json()["status"] == target
    answered_recommendation(data["id"])
    elimination = {"to": "eliminated", "on": "2026-06-01", "evidence": EVIDENCE}
    # an API client of another agency does not verify elimination: a head of the department does
    assert api.post(f"{url}transitions/", elimination).status_code == 403
    assert RootCause.objects.get(pk=data["id"]).status == RootCauseStatus.IMPLEMENTED
    head = session_api(client, make_user, Role.DEPARTMENT_HEAD)
    moved = head.post(f"{url}transitions/", elimination)
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["status"], moved.json()["verified_by"]) == ("eliminated", head.username)
    cause = RootCause.objects.get(pk=data["id"])
    assert (cause.status, cause.verified_on) == (RootCauseStatus.ELIMINATED, dt.date(2026, 6, 1))
    refused = head.post(f"{url}transitions/", {"to": "rejected", "reason": "Поздно"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["to"]
    assert list(cause.events.values_list("client_label", "to_status")) == [
        (api.client_name, "recommended"),
        (api.client_name, "implemented"),
        ("", "eliminated"),
    ]


def test_root_cause_bad_input(api):
    response = api.post(
        "/api/v1/root-causes/",
        root_cause_body("750000000099999", category="nope", identified_on=FUTURE, colour="red"),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "colour": ["Неизвестное поле."],
    }
    response = api.post("/api/v1/root-causes/", root_cause_body("750000000099999", category="nope"))
    assert response.json()["errors"] == {
        "category": ["Неизвестный код: nope."],
        "cases.0": ["Дела не найдены или недоступны: 750000000099999"],
    }
    future = api.post("/api/v1/root-causes/", root_cause_body(identified_on=FUTURE))
    assert future.json()["errors"] == {"identified_on": ["Дата выявления не может быть в будущем."]}
    assert not RootCause.objects.exists()
    cause = api.post("/api/v1/root-causes/", root_cause_body()).json()
    url = f"/api/v1/root-causes/{cause['id']}/transitions/"
    no_evidence = api.post(url, {"to": "eliminated", "on": "2026-06-01"})
    assert no_evidence.status_code == 400
    assert no_evidence.json()["errors"]["to"]  # identified → eliminated is not a move of the machine
    unknown = api.post(url, {"to": "recommended", "colour": "red"})
    assert unknown.json()["errors"] == {"colour": ["Неизвестное поле."]}
    assert RootCause.objects.get().status == RootCauseStatus.IDENTIFIED


def test_the_api_refuses_elimination_by_whoever_identified_the_cause_and_changes_nothing(client, make_user):
    # given a cause a head identified through the API, implemented, with an answered recommendation
    CaseFactory(registration_number=NUMBER)
    head = session_api(client, make_user, Role.DEPARTMENT_HEAD)
    created = head.post("/api/v1/root-causes/", root_cause_body(NUMBER))
    assert created.status_code == 201, created.json()
    assert created.json()["identified_by"] == head.username
    url = f"/api/v1/root-causes/{created.json()['id']}/transitions/"
    for target in ("recommended", "implemented"):
        assert head.post(url, {"to": target}).status_code == 200
    answered_recommendation(created.json()["id"])
    cause = RootCause.objects.get(pk=created.json()["id"])
    # when the same head verifies it, then 400 at the status, and nothing changes
    refused = head.post(url, {"to": "eliminated", "on": "2026-06-01", "evidence": EVIDENCE})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"to": ["Устранение подтверждает другой сотрудник: вы выявили эту причину."]}
    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.verified_by, cause.events.count()) == ("implemented", 3, None, 2)


@pytest.mark.parametrize(
    ("role", "body", "code", "errors"),
    [
        (Role.INVESTIGATOR, {"to": "eliminated", "on": "2026-06-01", "evidence": EVIDENCE}, 403, None),
        (Role.INVESTIGATOR, {"to": "rejected", "reason": "Не подтвердилось"}, 403, None),
        (Role.DEPARTMENT_HEAD, {"to": "rejected"}, 400, {"reason": ["Укажите, почему причина отклонена."]}),
        (
            Role.DEPARTMENT_HEAD,
            {"to": "eliminated", "on": "2026-06-01", "evidence": "Со слов госоргана устранено"},
            400,
            {"to", "verification_evidence"},
        ),
    ],
)
def test_the_api_refuses_undue_decisions_on_a_cause_and_changes_nothing(client, make_user, role, body, code, errors):
    from cases.models import RootCauseEvent

    CaseFactory(registration_number=NUMBER)
    identifier = session_api(client, make_user, Role.INVESTIGATOR)
    created = identifier.post("/api/v1/root-causes/", root_cause_body(NUMBER)).json()
    RootCause.objects.filter(pk=created["id"]).update(status="recommended")
    if body["to"] == "eliminated":
        RootCause.objects.filter(pk=created["id"]).update(status="implemented")
    before = RootCause.objects.get(pk=created["id"])
    decider = session_api(client, make_user, role)
    response = decider.post(f"/api/v1/root-causes/{created['id']}/transitions/", body)
    assert response.status_code == code
    if isinstance(errors, set):
        assert set(response.json()["errors"]) == errors  # no answered recommendation, trivial evidence
    elif errors is not None:
        assert response.json()["errors"] == errors
    after = RootCause.objects.get(pk=created["id"])
    assert (after.status, after.version, after.verified_by) == (before.status, before.version, None)
    assert not RootCauseEvent.objects.filter(root_cause=after).exists()


def test_root_causes_of_another_department_do_not_exist_for_a_limited_client(api, make_api):
    created = api.post("/api/v1/root-causes/", root_cause_body()).json()
    limited = make_api(*WRITE, departments=["71"])
    assert limited.get(f"/api/v1/root-causes/{created['id']}/").status_code == 404
    assert limited.patch(f"/api/v1/root-causes/{created['id']}/", {"description": "x"}).status_code == 404
    assert limited.get("/api/v1/root-causes/").json()["results"] == []
    assert limited.post("/api/v1/root-causes/", root_cause_body()).status_code == 403
    # A case of another department cannot be linked: for this client it does not exist.
    api.put(URL, case_body())
    own = limited.post("/api/v1/root-causes/", root_cause_body(NUMBER, department="71", state_body=state_body("71").pk))
    assert own.json()["errors"] == {"cases.0": [f"Дела не найдены или недоступны: {NUMBER}"]}


# --- recommendations -------------------------------------------------------------------------------------------------


def test_recommendation_with_measures_through_its_statuses(api):
    cause = api.post("/api/v1/root-causes/", root_cause_body()).json()
    created = api.post(
        "/api/v1/recommendations/",
        {
            "number": "П-12",
            "department": "75",
            "addressee": state_body().pk,
            "root_causes": [cause["id"]],
            "measures": [
                {"description": "Перевести выдачу участков в электронный аукцион", "responsible_person": "Аким"},
                {"description": "Опубликовать реестр свободных участков", "responsible_person": "Руководитель"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["status"], data["root_causes"], data["overdue"]) == ("draft", [cause["id"]], False)
    first, second = data["measures"]
    url = f"/api/v1/recommendations/{data['id']}/"

    patched = api.patch(
        url,
        {
            "measures": [
                {**first, "done_on": "2026-04-01"},
                {"description": "Обучить сотрудников", "responsible_person": "Кадровая служба"},
            ]
        },
        **{"If-Match": created["ETag"]},
    )
    assert patched.status_code == 200, patched.json()
    measures = patched.json()["measures"]
    assert [(m["description"], m["done_on"]) for m in measures] == [
        ("Перевести выдачу участков в электронный аукцион", "2026-04-01"),
        ("Обучить сотрудников", None),
    ]
    assert measures[0]["id"] == first["id"]  # changed in place; the second measure, left out, is gone
    assert second["id"] not in [m["id"] for m in measures]
    stale = api.patch(url, {"number": "П-13"}, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412
    unknown = api.patch(url, {"measures": [{**second}]})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"measures.0.id": [f"Неизвестный id: {second['id']}."]}

    issued = api.post(f"{url}transitions/", {"to": "issued", "on": "2026-03-10"})
    assert issued.status_code == 200, issued.json()
    assert (issued.json()["issued_on"], issued.json()["due_on"]) == ("2026-03-10", "2026-04-10")
    assert issued.json()["overdue"] is True  # today is past the due date and no answer came
    no_note = api.post(f"{url}transitions/", {"to": "answered", "on": "2026-04-01"})
    assert no_note.status_code == 400
    assert no_note.json()["errors"] == {"answer_summary": ["Кратко изложите содержание ответа."]}
    answered = api.post(f"{url}transitions/", {"to": "answered", "on": "2026-04-01", "note": "Меры приняты"})
    assert answered.json()["status"] == RecommendationStatus.ANSWERED
    refused = api.post(f"{url}transitions/", {"to": "draft"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["to"]


def test_recommendation_bad_references(api, make_api):
    limited_cause = api.post(
        "/api/v1/root-causes/", root_cause_body(department="71", state_body=state_body("71").pk)
    ).json()
    limited = make_api(*WRITE, departments=["75"])
    response = limited.post(
        "/api/v1/recommendations/",
        {
            "number": "П-1",
            "department": "75",
            "addressee": 0,
            "root_causes": [limited_cause["id"], "x"],
            "measures": [{"description": "Мера"}],
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["addressee"] == ["Неизвестный госорган: 0."]
    assert errors["root_causes.0"] == [f"Неизвестный id: {limited_cause['id']}."]
    assert set(errors) == {"addressee", "root_causes.0", "root_causes.1", "measures.0.responsible_person"}
    assert not Recommendation.objects.exists()


def test_an_empty_patch_changes_nothing_on_every_resource(api):
    api.put(URL, case_body())
    cause = api.post("/api/v1/root-causes/", root_cause_body(NUMBER)).json()
    rec = api.post(
        "/api/v1/recommendations/",
        {
            "number": "П-7",
            "department": "75",
            "addressee": state_body().pk,
            "root_causes": [cause["id"]],
            "measures": [{"description": "Мера", "responsible_person": "Аким"}],
        },
    ).json()
    audit_before = audit_rows()
    for url, body in [
        (URL, {}),
        (f"/api/v1/root-causes/{cause['id']}/", {}),
        (f"/api/v1/recommendations/{rec['id']}/", {}),
        (f"/api/v1/recommendations/{rec['id']}/", {"measures": rec["measures"], "root_causes": [cause["id"]]}),
    ]:
        response = api.patch(url, body)
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 1
        assert response["ETag"] == api.get(url)["ETag"]
    assert audit_rows() == audit_before


def test_read_only_fields_sent_back_are_ignored(api):
    # A client may PUT back what it read: status and version are not its to set, and do not make the body invalid.
    response = api.put(URL, case_body(status="convicted", version=99))
    assert response.status_code == 201
    case = Case.objects.get(registration_number=NUMBER)
    assert (case.status, case.version) == (CaseStatus.REGISTERED, 1)
