"""Assignment of cases to investigators (issue 13 item 2): preset to the creator, reassigned by the head — one case
or many at once — on the timeline, refused for the wrong person, and the list filtered by investigator."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from anticor.access import AccessDenied, Role
from cases import services
from cases.choices import CaseEventKind
from cases.models import Case, CaseEvent
from tests.cases.test_api import URL, case_body, make_api  # noqa: F401 - make_api: the fixture
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user(Role.DEPARTMENT_HEAD, last_name="Ахметов", first_name="Серик", username="head75")


@pytest.fixture
def investigator(make_user):
    return make_user(Role.INVESTIGATOR, last_name="Жумабаева", first_name="Алия", username="zhumabaeva")


def state(*cases: Case) -> list[tuple]:
    """What a refusal must leave untouched: investigator, version and the number of timeline events."""
    rows = Case.objects.filter(pk__in=[case.pk for case in cases]).order_by("pk")
    return [(row.investigator_id, row.version, CaseEvent.objects.filter(case=row).count()) for row in rows]


def register(user, number: str) -> Case:
    """A case registered through the service by ``user``, like the one of a factory otherwise."""
    template = CaseFactory()
    values = {name: getattr(template, name) for name in ("registered_on", "state_body", "sector", "summary")}
    values |= {"registration_number": number, "department_id": user.department_id}
    return services.case_create(user=user, values=values, article_ids=[template.articles.first().pk])


def test_a_case_registered_by_an_investigator_is_assigned_to_them(investigator):
    assert register(investigator, "751234567890123").investigator == investigator


def test_a_case_registered_by_a_head_is_left_unassigned(head):
    assert register(head, "751234567890124").investigator is None


def test_a_case_created_through_the_api_is_left_unassigned(make_api):  # noqa: F811
    response = make_api("cases:write").put(URL, case_body())
    assert response.status_code == 201, response.json()
    assert (response.json()["investigator"], response.json()["investigator_name"]) == (None, None)


def test_a_stale_page_is_refused_and_changes_nothing(client, head, investigator):
    case = CaseFactory()
    Case.objects.filter(pk=case.pk).update(version=2)  # a colleague changed the case meanwhile
    client.force_login(head)
    response = client.post(
        f"/cases/{case.registration_number}/assign/", {"investigator": investigator.pk, "version": 1}, follow=True
    )
    [message] = get_messages(response.wsgi_request)  # what the colleague changed, told as for any stale save
    assert message.level_tag == "error"
    assert state(case) == [(None, 2, 0)]


def test_the_head_reassigns_one_case_from_its_page(client, head, investigator, make_user):
    previous = make_user(Role.INVESTIGATOR, last_name="Серикбаев", first_name="Нурлан")
    case = CaseFactory(investigator=previous)
    client.force_login(head)
    page = client.get(f"/cases/{case.registration_number}/")
    assert page.context["assign_form"] is not None

    response = client.post(
        f"/cases/{case.registration_number}/assign/",
        {"investigator": investigator.pk, "version": case.version, "reason": "Перераспределение нагрузки"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.investigator, case.version) == (investigator, 2)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.actor, event.reason) == (CaseEventKind.ASSIGNED, head, "Перераспределение нагрузки")
    assert (event.data["from"], event.data["to"]) == ("Серикбаев Нурлан", "Жумабаева Алия")
    page = client.get(f"/cases/{case.registration_number}/")
    content = page.content.decode()
    assert "Назначение следователя" in content
    assert "Жумабаева Алия" in content
    assert "zhumabaeva" not in content


def test_the_head_assigns_three_cases_at_once_from_the_list(client, head, investigator):
    cases = CaseFactory.create_batch(3)
    untouched = CaseFactory()
    client.force_login(head)

    response = client.post(
        "/cases/assign/",
        {"cases": [case.pk for case in cases], "investigator": investigator.pk, "query": "status=registered&q=x"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/cases/?status=registered&q=x"
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["Назначено дел: 3."]
    assert state(*cases) == [(investigator.pk, 2, 1)] * 3  # the factory writes no creation event
    assert CaseEvent.objects.filter(kind=CaseEventKind.ASSIGNED, data__to_id=investigator.pk).count() == 3
    assert state(untouched) == [(None, 1, 0)]


def test_a_batch_with_a_case_of_another_department_is_refused_whole(head, investigator):
    ours = CaseFactory.create_batch(2)
    foreign = CaseFactory(department_code="71")
    before = state(*ours, foreign)
    with pytest.raises(AccessDenied):  # the head of 75 does not see a case of 71
        services.case_assign(user=head, case_ids=[*[c.pk for c in ours], foreign.pk], investigator_id=investigator.pk)
    assert state(*ours, foreign) == before


def test_an_investigator_of_another_department_is_refused_naming_the_cases(head, make_user):
    cases = CaseFactory.create_batch(2)
    stranger = make_user(Role.INVESTIGATOR, department="71", last_name="Касымов", first_name="Арман")
    before = state(*cases)
    with pytest.raises(ValidationError) as error:
        services.case_assign(user=head, case_ids=[c.pk for c in cases], investigator_id=stranger.pk)
    numbers = ", ".join(sorted(c.registration_number for c in cases))
    assert error.value.message_dict == {
        "investigator": [f"Касымов Арман — не следователь департамента этих дел: {numbers}."]
    }
    assert state(*cases) == before


@pytest.mark.parametrize("who", ["no_role", "inactive"])
def test_a_user_without_the_role_or_inactive_is_refused(head, make_user, who):
    case = CaseFactory()
    target = make_user(Role.ANALYST) if who == "no_role" else make_user(Role.INVESTIGATOR, is_active=False)
    before = state(case)
    with pytest.raises(ValidationError) as error:
        services.case_assign(user=head, case_ids=[case.pk], investigator_id=target.pk)
    assert error.value.message_dict == {
        "investigator": ["Назначить можно только действующего сотрудника с ролью следователя."]
    }
    assert state(case) == before


def test_the_refusal_is_shown_on_the_list_and_nothing_changes(client, head, make_user):
    case = CaseFactory()
    analyst = make_user(Role.ANALYST)
    client.force_login(head)
    response = client.post("/cases/assign/", {"cases": [case.pk], "investigator": analyst.pk}, follow=True)
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert message.startswith("Назначение не выполнено: ")
    assert state(case) == [(None, 1, 0)]


def test_a_non_head_sees_no_controls_and_gets_403(client, investigator):
    case = CaseFactory()
    client.force_login(investigator)
    assert client.get("/cases/").context["assign_form"] is None
    assert client.get(f"/cases/{case.registration_number}/").context["assign_form"] is None
    assert client.post("/cases/assign/", {"cases": [case.pk], "investigator": investigator.pk}).status_code == 403
    assert (
        client.post(f"/cases/{case.registration_number}/assign/", {"investigator": investigator.pk}).status_code == 403
    )
    with pytest.raises(AccessDenied):
        services.case_assign(user=investigator, case_ids=[case.pk], investigator_id=investigator.pk)
    assert state(case) == [(None, 1, 0)]


@pytest.fixture
def three_ways(investigator, make_user):
    other = make_user(Role.INVESTIGATOR, last_name="Серикбаев", first_name="Нурлан", username="serikbaev")
    return {
        "mine": CaseFactory(investigator=investigator),
        "other": CaseFactory(investigator=other),
        "unassigned": CaseFactory(),
    }


def numbers(*cases: Case) -> set[str]:
    return {case.registration_number for case in cases}


def test_the_list_filters_by_investigator_mine_and_unassigned(client, investigator, three_ways, make_user):
    make_user(Role.INVESTIGATOR, department="71", last_name="Жетісуов", username="zhetisuov")
    client.force_login(investigator)

    def shown(query: dict) -> set[str]:
        return {case.registration_number for case in client.get("/cases/", query).context["page"].object_list}

    assert shown({"assigned": "mine"}) == numbers(three_ways["mine"])
    assert shown({"assigned": "unassigned"}) == numbers(three_ways["unassigned"])
    assert shown({"investigator": "serikbaev"}) == numbers(three_ways["other"])
    assert shown({}) == numbers(*three_ways.values())
    content = client.get("/cases/").content.decode()
    assert "Серикбаев Нурлан" in content  # the list's column and the filter's choices: full names
    assert ">serikbaev<" not in content
    assert "Жетісуов" not in content  # another department's investigator is not offered to filter by
    assert not client.get("/cases/", {"investigator": "zhetisuov"}).context["page"].object_list


def test_the_api_filters_by_investigator_and_unassigned(make_api, three_ways):  # noqa: F811
    api = make_api("cases:read")

    def shown(path: str) -> set[str]:
        response = api.get(path)
        assert response.status_code == 200, response.content
        return {row["registration_number"] for row in response.json()["results"]}

    assert shown("/api/v1/cases/?investigator=serikbaev") == numbers(three_ways["other"])
    assert shown("/api/v1/cases/?assigned=unassigned") == numbers(three_ways["unassigned"])
    assert shown("/api/v1/cases/?assigned=mine") == set()  # an API client is nobody's investigator
    detail = api.get(f"/api/v1/cases/{three_ways['mine'].registration_number}/").json()
    assert (detail["investigator"], detail["investigator_name"]) == ("zhumabaeva", "Жумабаева Алия")


def test_the_case_list_costs_the_same_with_and_without_assignments(
    client, head, investigator, django_assert_num_queries
):
    CaseFactory.create_batch(3)
    client.get("/cases/")
    client.force_login(head)
    client.get("/cases/")
    with django_assert_num_queries(13) as captured:  # the filters' choices, the rows, the assignment form's choices
        client.get("/cases/")
    services.case_assign(
        user=head, case_ids=list(Case.objects.values_list("pk", flat=True)), investigator_id=investigator.pk
    )
    CaseFactory.create_batch(3, investigator=investigator)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get("/cases/")
    assert response.context["page"].paginator.count == 6
