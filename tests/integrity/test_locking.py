"""No lost updates on staff records (issue 11 item 6): a status step taken on a page opened before someone else
changed the record is refused with what changed meanwhile, and nothing is changed — on the page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anticor.api.conditional import ConditionalMixin
from integrity import services
from integrity.models import IntegrityCheck
from tests.factories import DisciplinaryRecordFactory, IntegrityCheckFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
STALE = "Запись изменена другим пользователем"


@pytest.fixture
def security(make_user, client):
    officer = make_user("internal_security", department="00")
    client.force_login(officer)
    return officer


@pytest.fixture
def check() -> IntegrityCheck:
    return IntegrityCheckFactory(planned_from=TODAY - dt.timedelta(days=5), planned_to=TODAY + dt.timedelta(days=10))


def test_approving_a_check_whose_plan_changed_since_the_page_was_opened_is_refused(client, security, check):
    page = client.get(check.get_absolute_url())
    assert page.context["step_forms"]["approve"].initial["version"] == 1
    assert 'name="version" value="1"' in page.content.decode()
    # Meanwhile the tester rewrites the scenario.
    services.check_update(
        user=check.tester, check_id=check.pk, values={"scenario": "Иной сценарий"}, expected_version=1
    )

    url = reverse("integrity:check-step", args=[check.pk, "approve"])
    response = client.post(url, {"on": TODAY.isoformat(), "version": "1"})

    assert response.status_code == 400
    text = response.content.decode()
    assert STALE in text
    assert "«сценарий»: Предложение вознаграждения за ускорение рассмотрения обращения → Иной сценарий" in text
    check.refresh_from_db()
    assert (check.status, check.approver, check.version) == ("draft", None, 2)
    # Having seen the new plan, the approver approves it.
    assert client.post(url, {"on": TODAY.isoformat(), "version": "2"}).status_code == 302
    check.refresh_from_db()
    assert (check.status, check.approver, check.version) == ("approved", security, 3)


def test_a_status_change_of_a_sanction_corrected_meanwhile_is_refused(client, security):
    record = DisciplinaryRecordFactory(order_number="12-лс")
    page = client.get(record.get_absolute_url())
    assert page.context["transition_form"].initial["version"] == 1
    services.discipline_update(user=security, record_id=record.pk, values={"order_number": "21-лс"}, expected_version=1)

    response = client.post(
        reverse("integrity:discipline-transition", args=[record.pk]),
        {"to": "appealed", "reason": "Жалоба сотрудника", "on": TODAY.isoformat(), "version": "1"},
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert STALE in text
    assert "«номер приказа»: 12-лс → 21-лс" in text
    record.refresh_from_db()
    assert (record.status, record.status_reason, record.version) == ("active", "", 2)
    assert not record.events.exists()


def test_an_api_step_on_a_check_changed_after_its_if_match_check_is_412(client, security, check, monkeypatch):
    """If-Match is compared with the row as read; a change committed right after that comparison still wins."""
    url = f"/api/v1/integrity-checks/{check.pk}/"
    etag = client.get(url)["ETag"]
    compared = ConditionalMixin.check_if_match

    def compare_then_the_tester_edits(self, request, instance):
        compared(self, request, instance)
        services.check_update(user=check.tester, check_id=check.pk, values={"scenario": "Иной сценарий"})

    monkeypatch.setattr(ConditionalMixin, "check_if_match", compare_then_the_tester_edits)
    response = client.post(
        f"{url}transitions/",
        {"to": "approved", "on": TODAY.isoformat()},
        content_type="application/json",
        headers={"If-Match": etag},
    )

    assert (response.status_code, response.json()["code"]) == (412, "precondition_failed")
    assert "«сценарий»" in response.json()["detail"]
    check.refresh_from_db()
    assert (check.status, check.scenario, check.version) == ("draft", "Иной сценарий", 2)
