"""Restatements say what changed (issue 11 item 4): editing a record of an approved half-year warns and asks for a
reason — on the form and in the API — and the next restatement carries the reason and names the changed records
and who changed them, from the audit trail, without naming records the reader may not see."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from anticor.access import Role
from anticor.api.clients import api_client_create
from anticor.indicators.models import IndicatorRestatement, LockedPeriodChange, RunTrigger
from anticor.indicators.restatements import restatement_changes
from anticor.indicators.services import indicator_period_lock, indicators_recompute
from anticor.models import Article
from cases import services
from cases.models import Case
from tests.indicators.data import D, case, figure

pytestmark = pytest.mark.django_db

REASON = "Дата регистрации исправлена по данным ЕРДР"
WARNING = (
    "Сохранение изменит утверждённый отчёт 2023-H1: укажите основание изменения (не короче 10 символов) — оно войдёт "
    "в пересмотр показателей."
)


@pytest.fixture
def committed(transactional_db):
    """Each request and run commits on its own, as in production: the audit trail's times (the transaction's
    ``now()``) then follow the approval, as they do when people edit after a collegium."""
    call_command("load_reference", verbosity=0)


@pytest.fixture
def analyst(make_user):
    return make_user(Role.ANALYST, department="00")


@pytest.fixture
def investigator(make_user):
    return make_user(Role.INVESTIGATOR, last_name="Ахметов", first_name="Ержан", middle_name="")


@pytest.fixture
def locked(analyst):
    """2023-H1 approved with two cases of department 75; the first is the one corrected later."""
    first = case(registered_on="2023-02-01")
    case(registered_on="2023-04-01")
    indicators_recompute(trigger=RunTrigger.COMMAND)
    indicator_period_lock(user=analyst, period="2023-H1")
    return first


def edit_data(record: Case, **overrides) -> dict[str, str]:
    data = {
        "registered_on": record.registered_on.isoformat(),
        "department": str(record.department_id),
        "articles": [str(a.pk) for a in record.articles.all()] or [],
        "state_body": str(record.state_body_id),
        "sector": str(record.sector_id),
        "summary": record.summary,
        "investigator": "",
        "damage_amount": "0",
        "recovered_amount": "0",
        "version": str(record.version),
        "subjects-TOTAL_FORMS": "0",
        "subjects-INITIAL_FORMS": "0",
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def with_article(locked):
    locked.articles.set([Article.objects.get(code="366")])
    return locked


def test_the_case_form_warns_and_refuses_a_change_without_a_reason(client, investigator, with_article):
    record = with_article
    client.force_login(investigator)
    page = client.get(f"/cases/{record.registration_number}/edit/").content.decode()
    assert WARNING in page
    assert 'name="restatement_reason"' in page

    response = client.post(f"/cases/{record.registration_number}/edit/", edit_data(record, registered_on="2023-07-10"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"restatement_reason": [WARNING]}
    record.refresh_from_db()
    assert (record.registered_on, record.version) == (dt.date(2023, 2, 1), 1)
    assert LockedPeriodChange.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_case_form_saves_with_a_reason_and_the_restatement_carries_it(
    committed, client, investigator, analyst, with_article
):
    record = with_article
    client.force_login(investigator)
    response = client.post(
        f"/cases/{record.registration_number}/edit/",
        edit_data(record, registered_on="2023-07-10", restatement_reason=f"  {REASON} "),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.registered_on, record.version) == (dt.date(2023, 7, 10), 2)
    assert list(LockedPeriodChange.objects.values_list("period", "record_label", "reason", "changed_by")) == [
        ("2023-H1", record.registration_number, REASON, investigator.pk)
    ]

    indicators_recompute(trigger=RunTrigger.SCHEDULE)

    assert figure("cases_registered", "75", "2023-H1") == (D(2), D(2), None)  # the approved figure stays
    restatement = IndicatorRestatement.objects.get(code="cases_registered", scope="75", period="2023-H1")
    assert (restatement.old_value, restatement.new_value, restatement.reason) == (D(2), D(1), REASON)
    # The restatement names the changed record and who changed it, from the audit trail
    changes = restatement_changes(user=analyst, restatements=[restatement])[restatement.pk]
    assert changes.hidden == 0
    assert [(r.kind, r.label, r.url, r.reasons) for r in changes.records] == [
        ("уголовное дело", record.registration_number, f"/cases/{record.registration_number}/", [REASON])
    ]
    assert [edit.actor for edit in changes.records[0].edits] == [investigator.display_name]
    # … and so does the collegium report
    client.force_login(analyst)
    page = client.get("/indicators/collegium/", {"period": "2023-H1"}).content.decode()
    assert f'<a href="/cases/{record.registration_number}/">№ {record.registration_number}</a>' in page
    assert investigator.display_name in page
    assert REASON in page


def test_an_unchanged_save_needs_no_reason(client, investigator, with_article):
    record = with_article
    client.force_login(investigator)
    response = client.post(f"/cases/{record.registration_number}/edit/", edit_data(record))
    assert response.status_code == 302
    assert LockedPeriodChange.objects.count() == 0


def test_a_case_registered_into_an_approved_half_year_needs_a_reason(investigator, locked):
    values = {
        "registration_number": "750000000099999",
        "registered_on": dt.date(2023, 5, 5),
        "department_id": investigator.department_id,
        "state_body_id": locked.state_body_id,
        "sector_id": locked.sector_id,
        "summary": "Поздно внесённое дело",
    }
    articles = [Article.objects.get(code="366").pk]
    with pytest.raises(ValidationError) as error:
        services.case_create(user=investigator, values=values, article_ids=articles)
    assert error.value.message_dict == {"restatement_reason": [WARNING]}
    assert not Case.objects.filter(registration_number="750000000099999").exists()
    services.case_create(user=investigator, values=values, article_ids=articles, restatement_reason=REASON)
    assert LockedPeriodChange.objects.get().record_label == "750000000099999"


def _api(client, *scopes: str):
    _, secret = api_client_create(name=f"Агентство {'+'.join(scopes)}", scopes=list(scopes))

    def call(method: str, path: str, body=None):
        return client.generic(
            method,
            path,
            data=json.dumps(body or {}, ensure_ascii=False),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {secret}",
        )

    return call


def test_the_api_answers_400_without_a_reason_and_changes_nothing(client, with_article):
    record = with_article
    api = _api(client, "reference:read", "cases:read", "cases:write")
    url = f"/api/v1/cases/{record.registration_number}/"

    response = api("PATCH", url, {"registered_on": "2023-07-10"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"restatement_reason": [WARNING]}
    record.refresh_from_db()
    assert (record.registered_on, record.version) == (dt.date(2023, 2, 1), 1)
    assert LockedPeriodChange.objects.count() == 0

    response = api("PATCH", url, {"registered_on": "2023-07-10", "restatement_reason": REASON})
    assert response.status_code == 200, response.content
    assert "restatement_reason" not in response.json()
    record.refresh_from_db()
    assert (record.registered_on, record.version) == (dt.date(2023, 7, 10), 2)
    assert LockedPeriodChange.objects.get().actor.startswith("API: Агентство")


@pytest.mark.django_db(transaction=True)
def test_the_restatement_in_the_api_names_records_only_to_readers_who_may_see_them(committed, client, with_article):
    record = with_article
    writer = _api(client, "reference:read", "cases:read", "cases:write")
    assert (
        writer(
            "PATCH",
            f"/api/v1/cases/{record.registration_number}/",
            {"registered_on": "2023-07-10", "restatement_reason": REASON},
        ).status_code
        == 200
    )
    indicators_recompute(trigger=RunTrigger.SCHEDULE)
    url = "/api/v1/indicator-values/?code=cases_registered&scope=75&period=2023-H1"

    body = _api(client, "indicators:read", "cases:read")("GET", url).json()["results"][0]["restatement"]
    assert (body["value"], body["reason"], body["hidden_changed_records"]) == ("1.0000", REASON, 0)
    [changed] = body["changed_records"]
    assert (changed["kind"], changed["label"], changed["url"], changed["reasons"]) == (
        "уголовное дело",
        record.registration_number,
        f"/cases/{record.registration_number}/",
        [REASON],
    )
    assert [edit["actor"] for edit in changed["edits"]] == ["API: Агентство reference:read+cases:read+cases:write"]

    # A client that may not read cases learns that one record changed, not which
    body = _api(client, "indicators:read")("GET", url).json()["results"][0]["restatement"]
    assert (body["changed_records"], body["hidden_changed_records"]) == ([], 1)
