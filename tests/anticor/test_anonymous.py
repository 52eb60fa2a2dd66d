"""No page or endpoint answers an anonymous visitor, except signing in itself."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Reachable without signing in, each for a reason: the login page, the language switch it offers, and /health/ for
# load balancers (it says only which checks pass, tests/anticor/test_health.py).
PUBLIC = {"/accounts/login/", "/i18n/setlang/", "/admin/login/", "/health/"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill_named_groups(route: str) -> str:
    """Replace each ``(?P<name>…)`` by a sample value, honouring nested parentheses inside the group."""
    while (start := route.find("(?P<")) != -1:
        depth, end = 0, start
        for end in range(start, len(route)):
            depth += {"(": 1, ")": -1}.get(route[end], 0)
            if depth == 0:
                break
        route = route[:start] + "1" + route[end + 1 :]
    return route


def _concrete(route: str) -> str:
    """Turn a route (path() or regex) into a URL a client can request, filling parameters with sample values."""
    route = _fill_named_groups(route)  # named regex groups (before converters: same angle brackets)
    route = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)  # path converters
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"\(\?:[^)]*\)\??", "", route)
    return "/" + route.lstrip("/")


ALL_URLS = sorted({_concrete(route) for route in _walk(get_resolver().url_patterns)})


def test_the_url_list_covers_the_application():
    # Guards the walker itself: if it stopped finding routes, the test below would pass vacuously.
    for expected in ["/", "/reference/", "/reference/1/", "/history/1/1/1/", "/audit/access-log/", "/admin/"]:
        assert expected in ALL_URLS
    assert len(ALL_URLS) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("url", [url for url in ALL_URLS if url not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_request_is_refused(client, url, method):
    response = getattr(client, method)(url)
    if response.status_code in (301, 302):
        location = response["Location"]
        assert location.startswith(("/accounts/login/", "/admin/login/")), (url, location)
    else:
        assert response.status_code in (401, 403, 404, 405), (url, response.status_code)
    assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value


@pytest.mark.django_db
def test_login_page_is_public_and_declares_russian(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'<html lang="ru"' in response.content
