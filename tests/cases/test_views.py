"""Case pages as staff use them: list, registration with subjects, edit conflicts, transitions, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anticor.access import Role
from anticor.models import Article, StateBody
from cases.choices import CaseStatus
from cases.models import Case, CaseEvent, Subject, TerminationGround
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def case_post_data(**overrides):
    body = StateBody.objects.filter(region__code="75").first()
    data = {
        "registration_number": "751111111111111",
        "registered_on": "2026-03-10",
        "department": "",
        "articles": [str(Article.objects.get(code="366").pk)],
        "state_body": str(body.pk),
        "sector": "",
        "summary": "Взятка за разрешение на строительство",
        "investigator": "",
        "damage_amount": "1000000",
        "recovered_amount": "250000",
        "subjects-TOTAL_FORMS": "2",
        "subjects-INITIAL_FORMS": "0",
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
        "subjects-0-full_name": "Касымов Арман Болатович",
        "subjects-0-iin": "900101300007",
        "subjects-0-position": "Руководитель отдела",
        "subjects-0-post_category": "administrative",
        "subjects-0-role": "suspect",
        "subjects-1-full_name": "Омарова Дана Сериковна",
        "subjects-1-iin": "850515400002",
        "subjects-1-position": "Специалист",
        "subjects-1-post_category": "other",
        "subjects-1-role": "witness",
    }
    data.update(overrides)
    return data


@pytest.fixture
def investigator(make_user, client):
    user = make_user(Role.INVESTIGATOR)
    client.force_login(user)
    return user


def with_defaults(data, user):
    from cases.models import Sector

    data.setdefault("department", str(user.department_id))
    if not data.get("department"):
        data["department"] = str(user.department_id)
    if not data.get("sector"):
        data["sector"] = str(Sector.objects.get(code="construction").pk)
    return data


def test_register_a_case_with_two_subjects(client, investigator):
    response = client.post("/cases/new/", with_defaults(case_post_data(), investigator))
    assert response.status_code == 302
    case = Case.objects.get(registration_number="751111111111111")
    assert response["Location"] == "/cases/751111111111111/"
    assert list(case.subjects.values_list("full_name", "role")) == [
        ("Касымов Арман Болатович", "suspect"),
        ("Омарова Дана Сериковна", "witness"),
    ]
    assert (case.department, case.status, case.version) == (investigator.department, CaseStatus.REGISTERED, 1)
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", "actor")) == [("created", investigator.pk)]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subjects-1-iin": "850515400003"}, "iin", "Неверная контрольная цифра ИИН."),
        (
            {"subjects-1-iin": "900230300009"},
            "iin",
            "ИИН содержит несуществующую дату рождения или неверную цифру века.",
        ),
        (
            {"registration_number": "75111111111111"},
            "registration_number",
            "Номер ЕРДР должен состоять ровно из 15 цифр.",
        ),
        ({"registered_on": "2099-01-01"}, "registered_on", "Дата регистрации не может быть в будущем."),
        ({"recovered_amount": "2000000"}, "recovered_amount", "Возмещённая сумма не может превышать сумму ущерба."),
        ({"damage_amount": "-5"}, "damage_amount", "Сумма не может быть отрицательной."),
        ({"articles": []}, "articles", "Обязательное поле."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, investigator, overrides, field, message):
    response = client.post("/cases/new/", with_defaults(case_post_data(**overrides), investigator))
    assert response.status_code == 200
    if field == "iin":
        errors = response.context["formset"].forms[1].errors["iin"]
    else:
        errors = response.context["form"].errors[field]
    if message:
        assert message in errors
    else:
        assert errors
    assert Case.objects.count() == 0
    assert Subject.objects.count() == 0


def test_duplicate_registration_number_is_refused(client, investigator):
    CaseFactory(registration_number="751111111111111")
    response = client.post("/cases/new/", with_defaults(case_post_data(), investigator))
    assert response.context["form"].errors["registration_number"] == ["Дело с таким номером ЕРДР уже зарегистрировано."]
    assert Case.objects.count() == 1


def test_add_subject_row_keeps_typed_data(client, investigator):
    data = with_defaults(case_post_data(add_subject="1"), investigator)
    response = client.post("/cases/new/", data)
    formset = response.context["formset"]
    assert formset.total_form_count() == 3
    assert formset.forms[0]["full_name"].value() == "Касымов Арман Болатович"
    assert response.context["form"]["summary"].value() == "Взятка за разрешение на строительство"
    assert Case.objects.count() == 0


def test_other_departments_case_is_not_found(client, investigator):
    case = CaseFactory(department_code="71")
    assert client.get(f"/cases/{case.registration_number}/").status_code == 404
    assert client.post(f"/cases/{case.registration_number}/edit/", {"summary": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.version == 1


def test_stale_edit_is_refused_with_a_message(client, investigator):
    case = CaseFactory()
    data = with_defaults(
        case_post_data(
            registration_number=case.registration_number,
            summary="Мой вариант",
            version="1",
            **{"subjects-TOTAL_FORMS": "0"},
        ),
        investigator,
    )
    Case.objects.filter(pk=case.pk).update(version=2, summary="Вариант коллеги")
    response = client.post(f"/cases/{case.registration_number}/edit/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Запись изменена другим пользователем" in text
    assert "фабула" in text
    case.refresh_from_db()
    assert (case.summary, case.version) == ("Вариант коллеги", 2)


def test_head_terminates_a_case_with_a_ground(client, make_user):
    head = make_user(Role.DEPARTMENT_HEAD)
    client.force_login(head)
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.INVESTIGATING)
    ground = TerminationGround.objects.get(code="no_corpus_delicti")
    response = client.post(
        f"/cases/{case.registration_number}/transition/",
        {"to": "terminated", "reason": "Постановление о прекращении", "termination_ground": ground.pk, "version": 1},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.termination_ground, case.closed_on) == ("terminated", ground, timezone.localdate())


def test_termination_without_ground_shows_the_error(client, make_user):
    client.force_login(make_user(Role.DEPARTMENT_HEAD))
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.INVESTIGATING)
    response = client.post(
        f"/cases/{case.registration_number}/transition/", {"to": "terminated", "reason": "x", "version": 1}
    )
    assert response.status_code == 400
    assert response.context["transition_form"].errors["termination_ground"] == [
        "Для прекращения дела укажите основание."
    ]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING


def test_investigator_is_not_offered_final_transitions(client, investigator):
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SENT_TO_COURT)
    response = client.get(f"/cases/{case.registration_number}/")
    assert response.context["transition_form"] is None
    response = client.post(f"/cases/{case.registration_number}/transition/", {"to": "convicted", "reason": "x"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SENT_TO_COURT


def test_auditor_reads_but_cannot_edit(client, make_user):
    client.force_login(make_user(Role.AUDITOR, department="00"))
    case = CaseFactory()
    assert client.get(f"/cases/{case.registration_number}/").status_code == 200
    assert client.get(f"/cases/{case.registration_number}/edit/").status_code == 403
    assert client.get("/cases/new/").status_code == 403


def test_list_filters_and_search(client, investigator):
    first = CaseFactory(registered_on=dt.date(2026, 1, 5))
    CaseFactory(registered_on=dt.date(2026, 2, 5))
    response = client.get("/cases/", {"registered_to": "2026-01-31"})
    assert [c.pk for c in response.context["page"]] == [first.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"department": "99"},
        {"registered_from": "31.31.2026"},
        {"ordering": "password"},
        {"page": "-1"},
        {"overdue": "maybe"},
        {"q": "'&|!:*()"},
    ],
)
def test_bad_filter_values_never_produce_a_500(client, investigator, query):
    CaseFactory()
    assert client.get("/cases/", query).status_code == 200


def test_case_list_query_count_is_constant_in_rows(client, investigator, django_assert_num_queries):
    CaseFactory.create_batch(2)
    client.get("/cases/")
    with django_assert_num_queries(12) as captured:  # one of them: the investigator filter's choices
        client.get("/cases/")
    CaseFactory.create_batch(20)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get("/cases/")
    assert response.context["page"].paginator.count == 22


def test_case_detail_query_count_is_constant_in_rows(client, investigator, django_assert_num_queries):
    case = CaseFactory()
    client.get(f"/cases/{case.registration_number}/")
    # A fixed number of queries, whatever the number of subjects, events or root causes (one of them: the approved
    # half-years, for the transition form's warning).
    with django_assert_num_queries(10) as captured:
        client.get(f"/cases/{case.registration_number}/")
    for n in range(5):
        Subject.objects.create(case=case, full_name=f"Участник {n}", iin="900101300007", role="witness")
    with django_assert_num_queries(len(captured.captured_queries)):
        assert client.get(f"/cases/{case.registration_number}/").status_code == 200


def test_adding_a_row_shows_no_errors(client, investigator):
    response = client.post(
        "/cases/new/", {"subjects-TOTAL_FORMS": "1", "subjects-INITIAL_FORMS": "0", "add_subject": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert all(not form.errors for form in response.context["formset"].forms)
    assert response.context["formset"].total_form_count() == 2


def test_after_a_conflict_the_next_save_goes_through(client, investigator):
    case = CaseFactory()
    data = with_defaults(
        case_post_data(
            registration_number=case.registration_number,
            summary="Мой вариант",
            version="1",
            **{"subjects-TOTAL_FORMS": "0"},
        ),
        investigator,
    )
    Case.objects.filter(pk=case.pk).update(version=2, summary="Вариант коллеги")
    first = client.post(f"/cases/{case.registration_number}/edit/", data)
    assert first.context["form"]["version"].value() == "2"
    assert "«фабула»: Получение взятки за выделение земельного участка → Вариант коллеги" in first.content.decode()
    second = client.post(f"/cases/{case.registration_number}/edit/", {**data, "version": "2"})
    assert second.status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.version) == ("Мой вариант", 3)


def test_root_cause_elimination_errors_sit_next_to_their_fields(client, make_user):
    client.force_login(make_user(Role.DEPARTMENT_HEAD))  # who verifies; the cause was identified by someone else
    cause = implemented_cause(make_user(Role.INVESTIGATOR))
    response = client.post(f"/cases/root-causes/{cause.pk}/transition/", {"to": "eliminated", "version": 1})
    assert response.status_code == 400
    form = response.context["transition_form"]
    assert form.errors == {
        "on": ["Укажите дату проверки устранения."],
        "evidence": ["Опишите, чем подтверждено устранение причины."],
    }
    assert [value for value, _label in form.fields["to"].choices] == ["recommended", "eliminated"]
    cause.refresh_from_db()
    assert (cause.status, cause.version) == ("implemented", 1)


# --- elimination is verified, not declared (issue 11 item 3) ------------------------------------------------------

EVIDENCE = "Выездная проверка 01.06.2026: закупки переведены на электронный портал, закрытые процедуры отменены"


def implemented_cause(identified_by, *, answered: bool = True):
    """An implemented cause identified by ``identified_by``, with an answered recommendation unless told not to."""
    from cases.models import Recommendation, RootCause, RootCauseCategory

    case = CaseFactory()
    cause = RootCause.objects.create(
        department=case.department,
        category=RootCauseCategory.objects.get(code="opacity"),
        description="Закрытая процедура закупок",
        state_body=case.state_body,
        identified_on=dt.date(2026, 1, 10),
        identified_by=identified_by,
        status="implemented",
    )
    rec = Recommendation.objects.create(
        number="75-2026-0001",
        department=case.department,
        addressee=case.state_body,
        status="answered" if answered else "issued",
        issued_on=dt.date(2026, 2, 1),
        answered_on=dt.date(2026, 3, 1) if answered else None,
    )
    rec.root_causes.add(cause)
    return cause


def eliminate(client, cause, **overrides):
    data = {"to": "eliminated", "on": "2026-06-01", "evidence": EVIDENCE, "version": 1, **overrides}
    return client.post(f"/cases/root-causes/{cause.pk}/transition/", data)


def assert_unchanged(cause):
    from cases.models import RootCauseEvent

    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.verified_by) == ("implemented", 1, None)
    assert not RootCauseEvent.objects.filter(root_cause=cause).exists()


def test_the_head_who_identified_a_cause_cannot_verify_it_in_the_form(client, make_user):
    head = make_user(Role.DEPARTMENT_HEAD)
    client.force_login(head)
    cause = implemented_cause(head)
    response = eliminate(client, cause)
    assert response.status_code == 400
    assert response.context["transition_form"].errors == {
        "to": ["Устранение подтверждает другой сотрудник: вы выявили эту причину."]
    }
    assert_unchanged(cause)


def test_an_investigator_is_not_offered_elimination_and_cannot_post_it(client, investigator, make_user):
    cause = implemented_cause(make_user(Role.INVESTIGATOR))
    page = client.get(f"/cases/root-causes/{cause.pk}/")
    assert [value for value, _label in page.context["transition_form"].fields["to"].choices] == ["recommended"]
    response = eliminate(client, cause)
    assert response.status_code == 400
    assert list(response.context["transition_form"].errors) == ["to"]
    assert_unchanged(cause)


@pytest.mark.parametrize(
    ("answered", "overrides", "field"),
    [(False, {}, "to"), (True, {"evidence": "со слов госоргана"}, "evidence")],
)
def test_elimination_without_an_answer_or_with_trivial_evidence_is_refused_at_the_field(
    client, make_user, answered, overrides, field
):
    client.force_login(make_user(Role.DEPARTMENT_HEAD))
    cause = implemented_cause(make_user(Role.INVESTIGATOR), answered=answered)
    response = eliminate(client, cause, **overrides)
    assert response.status_code == 400
    assert list(response.context["transition_form"].errors) == [field]
    assert_unchanged(cause)


def test_rejection_without_a_reason_is_refused_in_the_form(client, make_user):
    from cases.models import RootCause

    client.force_login(make_user(Role.DEPARTMENT_HEAD))
    cause = implemented_cause(make_user(Role.INVESTIGATOR))
    RootCause.objects.filter(pk=cause.pk).update(status="recommended")
    response = client.post(f"/cases/root-causes/{cause.pk}/transition/", {"to": "rejected", "version": 1})
    assert response.status_code == 400
    assert response.context["transition_form"].errors == {"reason": ["Укажите, почему причина отклонена."]}
    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.events.count()) == ("recommended", 1, 0)


def test_a_second_person_verifies_and_the_timeline_shows_it(client, make_user):
    investigator = make_user(Role.INVESTIGATOR, first_name="Айгерим", last_name="Сапарова")
    head = make_user(Role.DEPARTMENT_HEAD, first_name="Ерлан", last_name="Жумабаев")
    client.force_login(head)
    cause = implemented_cause(investigator)
    assert eliminate(client, cause).status_code == 302
    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.verified_by) == ("eliminated", 2, head)
    page = client.get(f"/cases/root-causes/{cause.pk}/").content.decode()
    timeline = page.split('id="events-heading"', 1)[1]
    assert "Меры приняты" in timeline
    assert "Устранена (подтверждено)" in timeline
    assert EVIDENCE in timeline
    assert head.display_name in timeline


def test_a_recommendation_status_change_shows_on_its_timeline(client, investigator):
    from cases.models import Recommendation, RecommendationEvent

    rec = Recommendation.objects.create(
        number="75-2026-0009",
        department=investigator.department,
        addressee=StateBody.objects.order_by("id").first(),
        status="issued",
        issued_on=dt.date(2026, 2, 1),
    )
    response = client.post(
        f"/cases/recommendations/{rec.pk}/transition/",
        {"to": "answered", "on": "2026-03-01", "note": "Регламент изменён приказом № 12", "version": 1},
    )
    assert response.status_code == 302
    event = RecommendationEvent.objects.get(recommendation=rec)
    assert (event.actor, event.from_status, event.to_status) == (investigator, "issued", "answered")
    timeline = client.get(f"/cases/recommendations/{rec.pk}/").content.decode().split('id="events-heading"', 1)[1]
    assert "Регламент изменён приказом № 12" in timeline
    assert "Получен ответ" in timeline


def test_the_root_cause_page_costs_the_same_whatever_the_length_of_its_timeline(
    client, make_user, django_assert_num_queries
):
    from cases import services

    head = make_user(Role.DEPARTMENT_HEAD)
    client.force_login(head)
    cause = implemented_cause(make_user(Role.INVESTIGATOR))
    services.root_cause_transition(user=head, root_cause_id=cause.pk, to="recommended")
    client.get(f"/cases/root-causes/{cause.pk}/")
    with django_assert_num_queries(8):  # one of them: the approved half-years, for the transition form's warning
        assert len(client.get(f"/cases/root-causes/{cause.pk}/").context["events"]) == 1
    for target in ("implemented", "recommended", "implemented"):
        services.root_cause_transition(user=head, root_cause_id=cause.pk, to=target)
    with django_assert_num_queries(8):
        assert len(client.get(f"/cases/root-causes/{cause.pk}/").context["events"]) == 4


def test_the_current_menu_entry_is_the_longest_match(client, investigator):
    response = client.get("/cases/root-causes/")
    active = [item["url"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["/cases/root-causes/"]


def test_head_archives_from_the_case_page(client, make_user):
    client.force_login(make_user(Role.DEPARTMENT_HEAD))
    case = CaseFactory()
    page = client.get(f"/cases/{case.registration_number}/")
    assert page.context["archive_form"] is not None
    assert client.post(f"/cases/{case.registration_number}/archive/", {"reason": " "}).status_code == 400
    assert client.post(f"/cases/{case.registration_number}/archive/", {"reason": "Дубль"}).status_code == 302
    case.refresh_from_db()
    assert (case.is_archived, case.archive_reason) == (True, "Дубль")
    assert client.get(f"/cases/{case.registration_number}/").context["transition_form"] is None


def test_investigator_may_not_archive(client, investigator):
    case = CaseFactory()
    assert client.get(f"/cases/{case.registration_number}/").context["archive_form"] is None
    assert client.post(f"/cases/{case.registration_number}/archive/", {"reason": "x"}).status_code == 403
    assert Case.objects.get(pk=case.pk).is_archived is False


@pytest.mark.parametrize(("url", "queries"), [("/cases/root-causes/", 8), ("/cases/recommendations/", 7)])
def test_root_cause_and_recommendation_lists_have_pinned_query_counts(
    client, investigator, django_assert_num_queries, url, queries
):
    from cases.demo import demo_cases

    demo_cases({"investigator": investigator})  # hundreds of causes and recommendations, many in department 75
    client.get(url)
    # A full page of 50 rows costs the same as one row would: no query per row.
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50


def test_case_history_shows_subjects_and_article_links_with_their_authors(client, investigator):
    from anticor.models import Article

    case = CaseFactory()
    data = with_defaults(
        case_post_data(
            registration_number=case.registration_number,
            version="1",
            articles=[str(Article.objects.get(code="367").pk)],
            **{"subjects-TOTAL_FORMS": "1"},
        ),
        investigator,
    )
    assert client.post(f"/cases/{case.registration_number}/edit/", data).status_code == 302
    entries = client.get(f"/history/cases/case/{case.pk}/").context["entries"]
    labels = [entry.label for entry in entries]
    assert "Создание: участник дела" in labels
    assert "Создание: статьи УК" in labels
    assert "Удаление: статьи УК" in labels
    added = next(e for e in entries if e.label == "Создание: статьи УК")
    assert [(c.field, c.old, c.new) for c in added.changes] == [("статья УК", "—", "367. Дача взятки")]
    edit_url = f"/cases/{case.registration_number}/edit/"
    assert {e.actor for e in entries if e.detail == edit_url} == {investigator.display_name}
    assert len([e for e in entries if e.detail == edit_url]) == 4  # case, new subject, article added and removed
