"""Case search as readers use it (issue 11 item 10): Russian stop words neither match nor block, inflected and
partial words find their records, a full IIN finds the cases of its subjects for readers who may see IINs — and for
nobody else — and no query string produces a 500. The HTML list and the API share one FilterSet."""

from __future__ import annotations

import pytest

from anticor.access import Role
from anticor.api.clients import api_client_create
from cases.models import Case, Subject
from cases.selectors import case_search
from cases.services import case_refresh_search
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

IIN = "900101300007"
OTHER_IIN = "850515400002"


@pytest.fixture
def corpus():
    """Five cases with the summaries of issue 11 item 10 and subjects (one IIN in two cases)."""
    summaries = {
        "permit": "Получение взятки при выдаче разрешения на строительство",
        "permit_plain": "Разрешения выданы без проверки, строительство начато",
        "bribes": "Систематическое получение взяток от предпринимателей",
        "bribe": "Взятка за выделение земельного участка",
        "fraud": "Мошенничество с бюджетными средствами",
    }
    cases = {key: CaseFactory(summary=summary) for key, summary in summaries.items()}
    Subject.objects.create(case=cases["fraud"], full_name="Касымов Арман", iin=IIN, role="suspect")
    Subject.objects.create(case=cases["bribe"], full_name="Касымов Арман", iin=IIN, role="witness")
    Subject.objects.create(case=cases["permit"], full_name="Омарова Дана", iin=OTHER_IIN, role="suspect")
    # A subject removed from a case is no longer a way to it.
    Subject.objects.create(
        case=cases["permit_plain"], full_name="Касымов Арман", iin=IIN, role="witness", is_removed=True
    )
    case_refresh_search(case_ids=[case.pk for case in cases.values()])
    return cases


def found(text: str, user=None) -> set[str]:
    return {case.summary for case in case_search(Case.objects.all(), text, user=user)}


def summaries(corpus, *keys: str) -> set[str]:
    return {corpus[key].summary for key in keys}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("разрешения", ("permit", "permit_plain")),
        ("строительство", ("permit", "permit_plain")),
        ("разрешения на строительство", ("permit", "permit_plain")),
        ("Получение", ("permit", "bribes")),
        ("взятки", ("permit", "bribe")),
        ("выдаче", ("permit",)),
        ("Получение взятки при выдаче", ("permit",)),
        ("на", ()),
    ],
)
def test_stop_words_neither_match_nor_block(corpus, text, keys):
    assert found(text) == summaries(corpus, *keys)


def test_genitive_plural_and_partial_words_find_their_records(corpus):
    assert found("взяток") == summaries(corpus, "permit", "bribes", "bribe")
    assert found("взятка") == summaries(corpus, "permit", "bribe")
    assert found("строит") == summaries(corpus, "permit", "permit_plain")
    assert found("мошенн") == summaries(corpus, "fraud")
    assert found("Касымову") == summaries(corpus, "fraud", "bribe")


def test_full_iin_finds_the_cases_of_its_subjects_only_for_readers_who_may_see_iins(corpus, make_user):
    investigator = make_user(Role.INVESTIGATOR)
    analyst = make_user(Role.ANALYST, department="00")
    assert found(IIN, investigator) == summaries(corpus, "fraud", "bribe")
    assert found(f"  {OTHER_IIN} ", investigator) == summaries(corpus, "permit")
    assert found("900101300008", investigator) == set()
    assert found(IIN, analyst) == set()  # no oracle: the same answer as for an IIN nobody has
    assert found(IIN) == set()


def test_case_list_finds_by_iin_for_an_investigator_and_not_for_an_analyst(corpus, client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get("/cases/", {"q": IIN})
    assert response.status_code == 200
    assert {case.pk for case in response.context["page"]} == {corpus["fraud"].pk, corpus["bribe"].pk}
    response = client.get("/cases/", {"q": "разрешения на строительство"})
    assert {case.pk for case in response.context["page"]} == {corpus["permit"].pk, corpus["permit_plain"].pk}
    client.force_login(make_user(Role.ANALYST, department="00"))
    response = client.get("/cases/", {"q": IIN})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def _token(*scopes: str) -> dict[str, str]:
    _, token = api_client_create(name=f"Агентство {'+'.join(scopes)}", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_api_finds_by_iin_with_write_scope_and_not_with_read_scope(corpus, client):
    writer = _token("cases:read", "cases:write")
    reader = _token("cases:read")
    response = client.get("/api/v1/cases/", {"q": IIN}, **writer)
    assert response.status_code == 200
    assert {row["registration_number"] for row in response.json()["results"]} == {
        corpus["fraud"].registration_number,
        corpus["bribe"].registration_number,
    }
    response = client.get("/api/v1/cases/", {"q": IIN}, **reader)
    assert (response.status_code, response.json()["results"]) == (200, [])
    response = client.get("/api/v1/cases/", {"q": "Получение взятки при выдаче"}, **reader)
    assert [row["registration_number"] for row in response.json()["results"]] == [corpus["permit"].registration_number]


HOSTILE = [
    "'",
    '"',
    "'&|!:*()",
    "взятк:* & !строит",
    "a:*|b",
    '"разрешения" OR -строительство',
    "(((",
    "\\",
    "_",
    "взятки" * 200,
    " ".join(["разрешения"] * 300),
    "на при для",
    "９００１０１",
    "Ǆ ß ﬁ ²",
    "\x00",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_strings_never_produce_a_500(corpus, client, make_user, text):
    client.force_login(make_user(Role.INVESTIGATOR))
    assert client.get("/cases/", {"q": text}).status_code == 200
    response = client.get("/api/v1/cases/", {"q": text}, **_token("cases:read", "cases:write"))
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")
