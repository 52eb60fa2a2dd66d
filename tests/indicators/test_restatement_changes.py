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
from cases.models import Case, RootCause
from tests.factories import D, case, figure, recommendation, root_cause

pytestmark = pytest.mark.django_db

REASON = "Дата регистрации исправлена по данным ЕРДР"
EVIDENCE = "Выездная проверка: выдача разрешений переведена в электронный формат, личный приём отменён"
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


# --- root causes, recommendations and status moves (the same guard, issue 11 item 4) -------------------------------


@pytest.fixture
def head(make_user):
    return make_user(Role.DEPARTMENT_HEAD, last_name="Серикова", first_name="Айгуль", middle_name="")


@pytest.fixture
def approved(analyst):
    """2023-H1 approved with a case registered in it, a cause identified in it, a cause identified in 2022-H2 (not
    approved) whose recommendation was answered, and a recommendation due in it not yet answered."""
    first = case(registered_on="2023-02-01")
    first.articles.set([Article.objects.get(code="366")])
    in_period = root_cause(identified_on="2023-03-01")
    earlier = root_cause(identified_on="2022-11-01", status="implemented")
    answered = recommendation(due_on="2022-12-20", answered_on="2022-12-10")
    answered.root_causes.add(earlier)
    due = recommendation(due_on="2023-05-15")
    indicators_recompute(trigger=RunTrigger.COMMAND)
    indicator_period_lock(user=analyst, period="2023-H1")
    return {"case": first, "cause": in_period, "earlier": earlier, "due": due}


def unchanged(record, **fields) -> None:
    """The write was refused: the row is as it was, its version too, and no reason was kept."""
    version = fields.pop("version", 1)
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in fields} == fields
    assert record.version == version
    assert LockedPeriodChange.objects.count() == 0


def kept(record, actor) -> None:
    assert list(LockedPeriodChange.objects.values_list("period", "record_model", "record_id", "reason", "actor")) == [
        ("2023-H1", record._meta.label_lower, record.pk, REASON, actor)
    ]


def root_cause_data(cause: RootCause, **overrides) -> dict[str, str]:
    data = {
        "department": str(cause.department_id),
        "category": str(cause.category_id),
        "description": cause.description,
        "state_body": str(cause.state_body_id),
        "identified_on": cause.identified_on.isoformat(),
        "no_recommendation_reason": "",
        "version": str(cause.version),
    }
    data.update(overrides)
    return data


def test_a_root_cause_edit_warns_and_needs_a_reason(client, investigator, approved):
    cause = approved["cause"]
    client.force_login(investigator)
    url = f"/cases/root-causes/{cause.pk}/edit/"
    page = client.get(url).content.decode()
    assert WARNING in page
    assert 'name="restatement_reason"' in page

    response = client.post(url, root_cause_data(cause, identified_on="2023-08-01"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"restatement_reason": [WARNING]}
    unchanged(cause, identified_on=dt.date(2023, 3, 1))

    response = client.post(url, root_cause_data(cause, identified_on="2023-08-01", restatement_reason=REASON))
    assert response.status_code == 302
    cause.refresh_from_db()
    assert (cause.identified_on, cause.version) == (dt.date(2023, 8, 1), 2)
    kept(cause, investigator.display_name)
    assert LockedPeriodChange.objects.get().record_label == str(cause.pk)


MOVES = {
    # a cause identified in 2022-H2 (not approved), its elimination verified back in 2023-H1
    "elimination": (
        "head",
        "earlier",
        "/cases/root-causes/{pk}/transition/",
        {"to": "eliminated", "on": "2023-03-01", "evidence": EVIDENCE},
        {"status": "implemented", "verified_on": None},
        {"status": "eliminated", "verified_on": dt.date(2023, 3, 1)},
    ),
    # a recommendation due in 2023-H1 answered in time, back then
    "answer": (
        "investigator",
        "due",
        "/cases/recommendations/{pk}/transition/",
        {"to": "answered", "on": "2023-05-10", "note": "Госорган сообщил о принятых мерах"},
        {"status": "issued", "answered_on": None},
        {"status": "answered", "answered_on": dt.date(2023, 5, 10)},
    ),
    # a case of 2023-H1 sent to court within it
    "case": (
        "investigator",
        "case",
        "/cases/{number}/transition/",
        {"to": "sent_to_court", "reason": "Обвинительный акт утверждён", "on": "2023-06-01"},
        {"status": "investigating", "sent_to_court_on": None},
        {"status": "sent_to_court", "sent_to_court_on": dt.date(2023, 6, 1)},
    ),
}


@pytest.mark.parametrize("move", MOVES)
def test_a_move_dated_into_an_approved_half_year_needs_a_reason_on_its_form(request, client, approved, move):
    who, which, path, body, before, after = MOVES[move]
    actor, record = request.getfixturevalue(who), approved[which]
    client.force_login(actor)
    url = path.format(pk=record.pk, number=getattr(record, "registration_number", ""))
    body = {**body, "version": "1"}

    response = client.post(url, body)

    assert response.status_code == 400
    assert response.context["transition_form"].errors == {"restatement_reason": [WARNING]}
    unchanged(record, **before)

    assert client.post(url, {**body, "restatement_reason": REASON}).status_code == 302
    record.refresh_from_db()
    assert ({name: getattr(record, name) for name in after}, record.version) == (after, 2)
    kept(record, actor.display_name)


def test_the_move_forms_warn_of_the_approved_half_years_of_the_record(client, head, approved):
    client.force_login(head)
    assert WARNING in client.get(f"/cases/recommendations/{approved['due'].pk}/").content.decode()
    assert WARNING in client.get(f"/cases/root-causes/{approved['cause'].pk}/").content.decode()
    # a cause of no approved half-year: its page does not warn (a back-dated elimination is asked for the reason)
    assert WARNING not in client.get(f"/cases/root-causes/{approved['earlier'].pk}/").content.decode()


def test_an_elimination_verified_after_the_approved_half_year_needs_no_reason(head, approved):
    cause = approved["earlier"]
    done = services.root_cause_transition(
        user=head, root_cause_id=cause.pk, to="eliminated", on=dt.date(2024, 2, 1), evidence=EVIDENCE
    )
    assert done.status == "eliminated"
    assert LockedPeriodChange.objects.count() == 0


def test_rejecting_a_cause_of_an_approved_half_year_needs_a_reason(head, approved):
    cause = approved["cause"]
    move = {"user": head, "root_cause_id": cause.pk, "to": "rejected", "reason": "Не причина: ошибка анализа"}
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(**move)
    assert error.value.message_dict == {"restatement_reason": [WARNING]}
    unchanged(cause, status="identified")

    services.root_cause_transition(**move, restatement_reason=REASON)
    kept(cause, head.display_name)


def test_a_late_answer_leaves_the_approved_figure_and_needs_no_reason(investigator, approved):
    rec = services.recommendation_transition(
        user=investigator, recommendation_id=approved["due"].pk, to="answered", on=dt.date(2023, 9, 1), note="Ответ"
    )
    assert rec.status == "answered"
    assert LockedPeriodChange.objects.count() == 0


def test_a_recommendation_edit_of_an_approved_half_year_needs_a_reason(investigator, approved):
    rec = approved["due"]
    edit = {"user": investigator, "recommendation_id": rec.pk, "expected_version": 1}
    with pytest.raises(ValidationError) as error:
        services.recommendation_update(**edit, values={"due_on": dt.date(2023, 7, 15)})
    assert error.value.message_dict == {"restatement_reason": [WARNING]}
    unchanged(rec, due_on=dt.date(2023, 5, 15))

    services.recommendation_update(**edit, values={"due_on": dt.date(2023, 7, 15)}, restatement_reason=REASON)
    kept(rec, investigator.display_name)


def test_a_move_dated_after_the_approved_half_year_needs_no_reason(investigator, approved):
    record = approved["case"]
    moved = services.case_transition(
        user=investigator, case_id=record.pk, to="sent_to_court", reason="Обвинительный акт", on=dt.date(2023, 9, 1)
    )
    assert moved.status == "sent_to_court"
    assert LockedPeriodChange.objects.count() == 0


def test_the_api_root_cause_patch_answers_400_without_a_reason(client, approved):
    cause = approved["cause"]
    api = _api(client, "reference:read", "cases:read", "cases:write")
    url = f"/api/v1/root-causes/{cause.pk}/"

    response = api("PATCH", url, {"identified_on": "2023-08-01"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"restatement_reason": [WARNING]}
    unchanged(cause, identified_on=dt.date(2023, 3, 1))

    response = api("PATCH", url, {"identified_on": "2023-08-01", "restatement_reason": REASON})
    assert response.status_code == 200, response.content
    assert "restatement_reason" not in response.json()
    assert response.json()["version"] == 2
    assert LockedPeriodChange.objects.get().actor.startswith("API: Агентство")


def test_the_api_case_transition_answers_400_without_a_reason(client, approved):
    record = approved["case"]
    api = _api(client, "reference:read", "cases:read", "cases:write")
    url = f"/api/v1/cases/{record.registration_number}/transitions/"
    body = {"to": "sent_to_court", "reason": "Обвинительный акт утверждён", "on": "2023-06-01"}

    response = api("POST", url, body)

    assert response.status_code == 400
    assert response.json()["errors"] == {"restatement_reason": [WARNING]}
    unchanged(record, status="investigating", sent_to_court_on=None)

    response = api("POST", url, {**body, "restatement_reason": REASON})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("sent_to_court", 2)
    assert LockedPeriodChange.objects.get().record_label == record.registration_number


@pytest.mark.django_db(transaction=True)
def test_the_restatement_of_a_back_dated_elimination_carries_its_reason(committed, client, head, analyst, approved):
    cause = approved["earlier"]
    client.force_login(head)
    body = {"to": "eliminated", "on": "2023-03-01", "evidence": EVIDENCE, "restatement_reason": REASON}
    assert client.post(f"/cases/root-causes/{cause.pk}/transition/", body).status_code == 302

    indicators_recompute(trigger=RunTrigger.SCHEDULE)

    restatement = IndicatorRestatement.objects.get(code="causes_eliminated", scope="75", period="2023-H1")
    assert restatement.reason == REASON
    changes = restatement_changes(user=analyst, restatements=[restatement])[restatement.pk]
    assert [(r.label, r.url, r.reasons) for r in changes.records] == [
        (str(cause.pk), f"/cases/root-causes/{cause.pk}/", [REASON])
    ]
    assert [edit.actor for edit in changes.records[0].edits] == [head.display_name]


def test_a_verdict_after_the_approved_half_year_on_a_case_sent_to_court_in_it_needs_no_reason(
    investigator, head, approved
):
    record = approved["case"]
    move = {"case_id": record.pk, "reason": "Обвинительный акт утверждён"}
    services.case_transition(
        user=investigator, **move, to="sent_to_court", on=dt.date(2023, 6, 1), restatement_reason=REASON
    )
    # the completion day stays in 2023-H1 and the case stays completed: that half-year's figures do not change
    services.case_transition(user=head, **move, to="convicted", on=dt.date(2024, 1, 10))
    assert LockedPeriodChange.objects.count() == 1
