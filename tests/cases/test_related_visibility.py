"""Pages that aggregate related rows show only the rows the reader may read (issue 11, item 1).

A case of department 75 can be linked (by a reader of the whole agency, e.g. an API client without a department
limit) to a root cause and recommendations of department 71, and a case of department 71 can be merged into it.
A reader of department 75 only must see none of the 71 rows — not on the case page, the root-cause page, the
History of any of the three, the case list flags nor the export's root-cause count — while readers of the whole
agency see them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from anticor.access import Role
from cases.exports import cases_export
from cases.models import Case, Recommendation, RootCause, RootCauseCategory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HIDDEN_CAUSE = "Закрытая процедура департамента 71"
SHOWN_CAUSE = "Ручная выдача разрешений в департаменте 75"
# role → whether the reader reaches department 71's cases (the whole agency)
READERS = {Role.INVESTIGATOR: False, Role.DEPARTMENT_HEAD: False, Role.ANALYST: True, Role.AUDITOR: True}


def _cause(department, description: str, *cases: Case) -> RootCause:
    cause = RootCause.objects.create(
        department=department,
        category=RootCauseCategory.objects.get(code="opacity"),
        description=description,
        state_body=cases[0].state_body,
        identified_on=dt.date(2026, 3, 10),
    )
    cause.cases.add(*cases)
    return cause


def _recommendation(number: str, cause: RootCause, department) -> Recommendation:
    rec = Recommendation.objects.create(
        number=number,
        department=department,
        addressee=cause.state_body,
        status="issued",
        issued_on=dt.date(2026, 3, 15),
        due_on=dt.date(2026, 4, 1),  # overdue: no answer
    )
    rec.root_causes.add(cause)
    return rec


@pytest.fixture
def linked():
    case = CaseFactory(summary="Дело департамента 75")
    other = CaseFactory(department_code="71", summary="Дело департамента 71, соединённое с делом 75")
    Case.objects.filter(pk=other.pk).update(status="merged", merged_into=case)
    hidden = _cause(other.department, HIDDEN_CAUSE, case, other)
    shown = _cause(case.department, SHOWN_CAUSE, case)
    return {
        "case": case,
        "other": other,
        "hidden_cause": hidden,
        "shown_cause": shown,
        "hidden_rec": _recommendation("71-2026-0001", hidden, other.department),
        "foreign_rec": _recommendation("71-2026-0002", shown, other.department),  # a 71 rec on a 75 cause
        "shown_rec": _recommendation("75-2026-0001", shown, case.department),
    }


def _history(client, record) -> str:
    response = client.get(reverse("history", args=[record._meta.app_label, record._meta.model_name, record.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("role", "whole_agency"), READERS.items())
def test_related_rows_of_another_department_stay_hidden_on_every_aggregating_page(
    client, make_user, linked, role, whole_agency
):
    user = make_user(role, department="75")
    client.force_login(user)
    case = linked["case"]
    hidden_recs = [linked["hidden_rec"].number, linked["foreign_rec"].number]

    page = client.get(case.get_absolute_url()).content.decode()
    assert (HIDDEN_CAUSE in page, SHOWN_CAUSE in page, linked["shown_rec"].number in page) == (whole_agency, True, True)
    assert [number in page for number in hidden_recs] == [whole_agency, whole_agency]

    cause_page = client.get(reverse("cases:root-cause-detail", args=[linked["shown_cause"].pk])).content.decode()
    shown = (linked["foreign_rec"].number in cause_page, linked["shown_rec"].number in cause_page)
    assert shown == (whole_agency, True)

    response = client.get(reverse("history", args=["cases", "case", case.pk]))
    history = response.content.decode()
    merged = [entry.label for entry in response.context["entries"] if entry.label == "Изменение: уголовное дело"]
    assert merged == ["Изменение: уголовное дело"] * whole_agency  # the merged case's event, named as such
    assert ("Соединено с другим делом" in history) is whole_agency
    assert (HIDDEN_CAUSE in history, SHOWN_CAUSE in history) == (whole_agency, True)
    history = _history(client, linked["shown_cause"])
    assert (linked["foreign_rec"].number in history, linked["shown_rec"].number in history) == (whole_agency, True)

    listing = client.get(reverse("cases:case-list")).context
    assert (case.pk in listing["overdue_ids"]) is True  # its own overdue recommendation
    content, _type, _name = cases_export(user=user, queryset=Case.objects.filter(pk=case.pk), fmt="csv")
    [header, row] = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    causes = row[header.index("Причины и условия")]
    assert causes == ("2" if whole_agency else "1")  # root causes counted: the visible ones only


def test_the_overdue_flag_of_a_case_comes_only_from_recommendations_the_reader_may_see(client, make_user, linked):
    Recommendation.objects.filter(pk=linked["shown_rec"].pk).update(due_on=dt.date(2099, 1, 1))
    client.force_login(make_user(Role.INVESTIGATOR, department="75"))
    assert linked["case"].pk not in client.get(reverse("cases:case-list")).context["overdue_ids"]
    client.force_login(make_user(Role.ANALYST, department="75"))
    assert linked["case"].pk in client.get(reverse("cases:case-list")).context["overdue_ids"]
