"""No lost updates through the cases API (issue 11 item 6): a client that sends back the ``version`` it read is
refused (412, naming what changed meanwhile) when the case moved on, and nothing changes."""

from __future__ import annotations

import pytest

from anticor.access import Role
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_patch_based_on_an_older_version_sent_in_the_body_is_412_naming_what_changed(client, make_user):
    client.force_login(make_user(Role.INVESTIGATOR, department="75"))
    case = CaseFactory(summary="Первоначальная фабула")
    url = f"/api/v1/cases/{case.registration_number}/"
    read = client.get(url).json()
    assert read["version"] == 1
    first = client.patch(url, {"summary": "Уточнённая фабула", "version": 1}, content_type="application/json")
    assert (first.status_code, first.json()["version"]) == (200, 2), first.json()

    stale = client.patch(url, {"recovered_amount": "1000", "version": 1}, content_type="application/json")

    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    assert "«фабула»: Первоначальная фабула → Уточнённая фабула" in stale.json()["detail"]
    case.refresh_from_db()
    assert (case.summary, case.recovered_amount, case.version) == ("Уточнённая фабула", 0, 2)


@pytest.mark.parametrize("version", ["2", True, 0, -1, 1.5])
def test_a_malformed_version_in_the_body_is_400_and_changes_nothing(client, make_user, version):
    client.force_login(make_user(Role.INVESTIGATOR, department="75"))
    case = CaseFactory()
    url = f"/api/v1/cases/{case.registration_number}/"
    response = client.patch(url, {"summary": "Иная фабула", "version": version}, content_type="application/json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["version"])
    case.refresh_from_db()
    assert case.version == 1
