"""The base UI: home per role, navigation by role, reference lists, access log, language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anticor.access import Role
from anticor.models import AccessLog, Region

pytestmark = pytest.mark.django_db

CASES_NAV = ["/cases/", "/cases/root-causes/", "/cases/recommendations/"]
NAV = {
    Role.INVESTIGATOR: ["/", *CASES_NAV, "/projects/", "/reference/"],
    Role.DEPARTMENT_HEAD: ["/", *CASES_NAV, "/projects/", "/indicators/", "/integrity/", "/reference/"],
    Role.ANALYST: ["/", *CASES_NAV, "/projects/", "/indicators/", "/reference/"],
    Role.PROJECT_LEAD: ["/", "/projects/", "/indicators/", "/reference/"],
    Role.INTERNAL_SECURITY: ["/", "/integrity/", "/integrity/checks/", "/reference/", "/roles/requests/"],
    Role.AUDITOR: ["/", *CASES_NAV, "/projects/", "/indicators/", "/reference/", "/audit/access-log/", "/roles/"],
    Role.ADMINISTRATOR: ["/", "/reference/", "/audit/access-log/", "/roles/", "/roles/requests/", "/admin/"],
}


@pytest.mark.parametrize("role", list(Role))
def test_home_page_adapts_to_the_role(client, make_user, role):
    user = make_user(role, is_staff=(role == Role.ADMINISTRATOR))
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert [item["url"] for item in response.context["nav_items"]] == NAV[role]
    assert response.context["role_codes"] == [role.value]
    body = response.content.decode()
    assert str(role.label) in body
    assert user.department.name_ru in body


@pytest.mark.parametrize("role", list(Role))
def test_every_navigation_link_answers(client, make_user, role):
    client.force_login(make_user(role, is_staff=(role == Role.ADMINISTRATOR)))
    for url in NAV[role]:
        assert client.get(url).status_code == 200, url


def test_access_log_is_refused_to_an_investigator(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    assert client.get("/audit/access-log/").status_code == 403


def test_admin_site_is_refused_to_non_staff(client, make_user):
    client.force_login(make_user(Role.ANALYST))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        ("regions", 20),
        ("departments", 21),
        ("articles", 10),
        ("sectors", 12),
        ("termination-grounds", 13),
        ("root-cause-categories", 10),
        ("sanctions", 7),
        ("directions", 1),
    ],
)
def test_reference_lists_show_every_row(client, make_user, kind, rows):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get(reverse("reference-list", args=[kind]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows


def test_reference_list_query_count_is_pinned_and_constant_in_rows(client, make_user, django_assert_num_queries):
    from anticor.models import StateBody

    client.force_login(make_user(Role.INVESTIGATOR))
    client.get("/reference/state-bodies/")  # warm the content-type cache
    # session, user with department, roles, count, page rows with regions, regions for the filter
    with django_assert_num_queries(6):
        assert client.get("/reference/state-bodies/").status_code == 200
    region = Region.objects.get(code="75")
    StateBody.objects.bulk_create(StateBody(name_ru=f"Орган {n}", kind="other", region=region) for n in range(40))
    with django_assert_num_queries(6):
        response = client.get("/reference/state-bodies/")
    assert response.context["page"].paginator.count == StateBody.objects.count()


def test_reference_search_filters_rows(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get("/reference/regions/", {"q": "алматы"})
    assert [row["object"].code for row in response.context["table"]] == ["19", "75"]


@pytest.mark.parametrize(
    "query",
    [{"kind": "planet"}, {"is_active": "perhaps"}, {"page": "abc"}, {"page": "99999"}, {"q": "x" * 5000}],
)
def test_bad_list_parameters_never_produce_a_500(client, make_user, query):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get("/reference/regions/", query)
    assert response.status_code == 200


def test_invalid_filter_shows_the_error_and_no_rows(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get("/reference/regions/", {"kind": "planet"})
    assert response.context["filterset"].errors["kind"]
    assert response.context["page"].paginator.count == 0


def test_unknown_reference_list_is_404(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    assert client.get("/reference/planets/").status_code == 404


def test_access_log_lists_entries_for_the_auditor(client, make_user):
    from anticor.services import access_log_record

    auditor = make_user(Role.AUDITOR)
    reader = make_user(Role.ANALYST)
    access_log_record(user=reader, action="view", obj=Region.objects.get(code="75"))
    client.force_login(auditor)
    response = client.get("/audit/access-log/", {"user": reader.username})
    assert response.status_code == 200
    assert [entry.user for entry in response.context["page"]] == [reader]


def test_access_log_is_append_only(make_user):
    from django.db import DatabaseError, transaction

    from anticor.services import access_log_record

    entry = access_log_record(user=make_user(Role.ANALYST), action="view", obj=Region.objects.get(code="75"))
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    assert AccessLog.objects.get(pk=entry.pk).object_repr == str(Region.objects.get(code="75"))


@pytest.mark.parametrize(
    ("language", "html_lang", "word"),
    [("ru", "ru", "Справочники"), ("kk", "kk", "Анықтамалықтар"), ("en", "en", "Reference data")],
)
def test_language_switch(client, make_user, language, html_lang, word):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert f'<html lang="{html_lang}"' in page
    assert word in page


def test_russian_is_the_default_whatever_the_browser_asks(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru"' in page
    assert "Справочники" in page


def test_unknown_language_in_the_cookie_falls_back_to_russian(client, make_user):
    from django.conf import settings

    client.force_login(make_user(Role.INVESTIGATOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="ru"' in client.get("/").content.decode()
