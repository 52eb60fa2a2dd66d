"""Pages, exports and API answers of signed-in users are never stored in a browser or proxy cache (issue 11 item 9).

The ETag flow of API details (``private, no-cache``, 304) is tested with the cases API (tests/cases/test_api.py).
"""

from __future__ import annotations

import pytest

from anticor.access import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/cases/", "/cases/export/csv/", "/cases/export/xlsx/", "/api/v1/regions/", "/no-such-page/"]
)
def test_signed_in_pages_exports_and_api_answers_are_not_stored(client, make_user, url):
    client.force_login(make_user(Role.INVESTIGATOR))
    response = client.get(url)
    assert response.status_code in {200, 404}
    assert response["Cache-Control"] == "no-store"


def test_the_login_page_keeps_never_cache_and_static_files_their_own_caching(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve static/ as production serves the collected files (WhiteNoise)
    login_page = client.get("/accounts/login/")
    assert login_page.status_code == 200
    assert login_page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    static = client.get("/static/css/anticor.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
