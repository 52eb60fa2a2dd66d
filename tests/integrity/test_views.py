"""The integrity pages as internal security, department heads and everyone else use them (issue 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from anticor.models import AccessLog
from integrity.models import DisciplinaryRecord, Employee, IntegrityCheck, IntegrityCheckEvent
from tests.factories import DisciplinaryRecordFactory, EmployeeFactory, IntegrityCheckFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _login(client, user):
    client.force_login(user)
    return client


def _log_count(model) -> int:
    """Reads of the model in the access log (refused attempts are logged too, as ``denied``)."""
    logged = AccessLog.objects.filter(content_type=ContentType.objects.get_for_model(model))
    return logged.exclude(action="denied").count()


@pytest.fixture
def security(make_user):
    return make_user("internal_security", department="00")


@pytest.fixture
def tested(make_user):
    """An Almaty investigator who has an account, and the staff record linked to it."""
    account = make_user("investigator", "internal_security", department="75")
    employee = EmployeeFactory(user=account, hired_on=dt.date(2015, 1, 1))
    return account, employee


def _post(client, url, data, *, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_security_runs_a_check_from_draft_to_closed_with_a_failed_outcome_and_a_follow_up_sanction(
    client, security, make_user, tested
):
    """The "Done when" flow through the pages: plan, approve, conduct, review, sanction, inform, close."""
    _account, employee = tested
    tester = make_user("internal_security", department="71")
    _login(client, tester)
    start = TODAY - dt.timedelta(days=20)
    response = _post(
        client,
        reverse("integrity:check-create"),
        {
            "employee": employee.pk,
            "trigger": "targeted",
            "grounds": "Обращение гражданина о вымогательстве",
            "scenario": "Предложение вознаграждения за прекращение проверки",
            "planned_from": start.isoformat(),
            "planned_to": TODAY.isoformat(),
            "safeguard_realistic": "on",
            "safeguard_no_excess_inducement": "on",
            "safeguard_no_provocation": "on",
        },
    )
    check = IntegrityCheck.objects.get()
    assert response["Location"] == check.get_absolute_url()
    assert (check.status, check.tester, check.employee) == ("draft", tester, employee)

    # The tester cannot approve their own check: the page says why and nothing changes.
    response = _post(client, reverse("integrity:check-step", args=[check.pk, "approve"]), {}, expect=400)
    assert "Проверяющий не может утвердить свою проверку." in response.content.decode()
    check.refresh_from_db()
    assert (check.status, check.approver) == ("draft", None)

    client.logout()
    _login(client, security)
    _post(client, reverse("integrity:check-step", args=[check.pk, "approve"]), {"on": start.isoformat()})
    _post(
        client,
        reverse("integrity:check-step", args=[check.pk, "conduct"]),
        {"conducted_on": (start + dt.timedelta(days=2)).isoformat(), "notes": "Сотрудник принял предложенные деньги"},
    )
    _post(
        client,
        reverse("integrity:check-step", args=[check.pk, "review"]),
        {
            "outcome": "failed",
            "summary": "Проверка не пройдена",
            "reviewed_on": (start + dt.timedelta(days=3)).isoformat(),
        },
    )
    check.refresh_from_db()
    assert (check.status, check.outcome) == ("reviewed", "failed")

    # Closing before the sanction and the informing is refused, with both reasons.
    response = _post(client, reverse("integrity:check-step", args=[check.pk, "close"]), {}, expect=400)
    body = response.content.decode()
    assert "Непройденная проверка закрывается только с последовавшим взысканием." in body
    assert "Перед закрытием укажите дату ознакомления сотрудника." in body

    detail = client.get(check.get_absolute_url()).content.decode()
    assert "наложите взыскание по результатам проверки; ознакомьте сотрудника" in detail

    day = (start + dt.timedelta(days=4)).isoformat()
    response = _post(
        client,
        reverse("integrity:discipline-create", args=[employee.personnel_number]) + f"?check={check.pk}",
        {
            "offence": "Получение денег в ходе проверки на добропорядочность",
            "committed_on": (start + dt.timedelta(days=2)).isoformat(),
            "discovered_on": (start + dt.timedelta(days=2)).isoformat(),
            "corruption_related": "on",
            "sanction": DisciplinaryRecord._meta.get_field("sanction").related_model.objects.get(code="dismissal").pk,
            "negative_grounds": "on",
            "order_number": "77-лс",
            "imposed_on": day,
        },
    )
    assert response["Location"] == check.get_absolute_url()
    record = DisciplinaryRecord.objects.get()
    _post(client, reverse("integrity:check-step", args=[check.pk, "inform"]), {"informed_on": day})
    _post(client, reverse("integrity:check-step", args=[check.pk, "close"]), {"on": day})

    check.refresh_from_db()
    employee.refresh_from_db()
    assert (check.status, check.follow_up_record, check.employee_informed_on) == (
        "closed",
        record,
        dt.date.fromisoformat(day),
    )
    assert (record.negative_grounds, record.expires_on, employee.status) == (True, None, "dismissed")
    assert list(IntegrityCheckEvent.objects.filter(integrity_check=check).values_list("from_status", "to_status")) == [
        ("", "draft"),
        ("draft", "approved"),
        ("approved", "conducted"),
        ("conducted", "reviewed"),
        ("reviewed", "closed"),
    ]
    # Every page showing the check was a read, written to the access log.
    reads = AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(IntegrityCheck), object_id=str(check.pk)
    )
    assert reads.filter(user=security, action="view").count() >= 1


@pytest.mark.parametrize("role", ["investigator", "analyst", "auditor", "project_lead", "department_head"])
def test_others_cannot_see_a_check_and_the_attempt_reads_nothing(client, make_user, role):
    check = IntegrityCheckFactory()
    _login(client, make_user(role, department="75"))
    before = _log_count(IntegrityCheck)
    assert client.get(reverse("integrity:check-list")).status_code == 403
    assert client.get(check.get_absolute_url()).status_code == 403
    assert client.post(reverse("integrity:check-step", args=[check.pk, "approve"])).status_code == 403
    assert client.get(reverse("history", args=["integrity", "integritycheck", check.pk])).status_code == 404
    assert _log_count(IntegrityCheck) == before
    # ...but every refused attempt is, so auditors see the probing: the list, the page, the step and the History
    denied = AccessLog.objects.filter(action="denied").order_by("id")
    assert list(denied.values_list("content_type__model", "object_id", "path")) == [
        ("integritycheck", "", reverse("integrity:check-list")),
        ("integritycheck", str(check.pk), check.get_absolute_url()),
        ("integritycheck", str(check.pk), reverse("integrity:check-step", args=[check.pk, "approve"])),
        ("integritycheck", str(check.pk), reverse("history", args=["integrity", "integritycheck", check.pk])),
    ]
    check.refresh_from_db()
    assert check.status == "draft"


def test_the_tested_employee_does_not_see_checks_about_themselves_even_in_internal_security(client, tested):
    account, employee = tested
    check = IntegrityCheckFactory(employee=employee)
    other = IntegrityCheckFactory()
    _login(client, account)
    listing = client.get(reverse("integrity:check-list")).content.decode()
    assert other.get_absolute_url() in listing
    assert check.get_absolute_url() not in listing
    assert client.get(check.get_absolute_url()).status_code == 404
    assert client.post(reverse("integrity:check-step", args=[check.pk, "cancel"]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("history", args=["integrity", "integritycheck", check.pk])).status_code == 404
    page = client.get(employee.get_absolute_url()).content.decode()
    assert check.get_absolute_url() not in page
    check.refresh_from_db()
    assert check.status == "draft"


def test_department_head_sees_discipline_of_own_department_only_with_masked_iin(client, make_user):
    own = DisciplinaryRecordFactory(employee=EmployeeFactory(department_code="75"))
    other = DisciplinaryRecordFactory(employee=EmployeeFactory(department_code="71"))
    head = make_user("department_head", department="75")
    _login(client, head)
    page = client.get(reverse("integrity:employee-list")).content.decode()
    assert own.employee.personnel_number in page
    assert other.employee.personnel_number not in page
    assert own.employee.iin not in page
    assert own.employee.iin[:6] + "******" in page
    assert client.get(other.employee.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    detail = client.get(own.get_absolute_url())
    assert detail.status_code == 200
    assert "Сменить статус" not in detail.content.decode()  # heads read, internal security writes
    assert (
        client.post(
            reverse("integrity:discipline-transition", args=[own.pk]), {"to": "lifted", "reason": "x"}
        ).status_code
        == 403
    )
    own.refresh_from_db()
    assert own.status == "active"
    assert AccessLog.objects.filter(user=head, object_id=str(own.pk), action="view").count() == 1


def test_security_sees_the_full_iin(client, security):
    employee = EmployeeFactory()
    _login(client, security)
    assert employee.iin in client.get(employee.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["investigator", "analyst", "auditor", "project_lead", "administrator"])
def test_staff_pages_are_closed_to_roles_without_need_to_know(client, make_user, role):
    record = DisciplinaryRecordFactory()
    _login(client, make_user(role, department="75"))
    for url in (
        reverse("integrity:employee-list"),
        reverse("integrity:discipline-list"),
        record.employee.get_absolute_url(),
        record.get_absolute_url(),
        reverse("integrity:employee-create"),
    ):
        assert client.get(url).status_code == 403, url


def test_employee_page_logs_each_record_it_shows(client, security):
    employee = EmployeeFactory()
    records = [DisciplinaryRecordFactory(employee=employee), DisciplinaryRecordFactory(employee=employee)]
    check = IntegrityCheckFactory(employee=employee)
    _login(client, security)
    client.get(employee.get_absolute_url())
    logged = set(AccessLog.objects.filter(user=security, action="view").values_list("content_type__model", "object_id"))
    assert logged == {
        ("employee", str(employee.pk)),
        ("disciplinaryrecord", str(records[0].pk)),
        ("disciplinaryrecord", str(records[1].pk)),
        ("integritycheck", str(check.pk)),
    }


def test_duplicate_personnel_number_and_invalid_iin_are_refused_on_the_form(client, security):
    existing = EmployeeFactory(personnel_number="75-0001")
    _login(client, security)
    data = {
        "personnel_number": "75-0001",
        "last_name": "Иванов",
        "first_name": "Иван",
        "iin": "850101300006",
        "department": existing.department.pk,
        "position": "Следователь",
        "hired_on": "2020-01-01",
        "status": "active",
    }
    body = _post(client, reverse("integrity:employee-create"), data, expect=200).content.decode()
    assert "Сотрудник с таким табельным номером уже есть." in body
    assert "Неверная контрольная цифра ИИН." in body
    assert Employee.objects.count() == 1


def test_negative_grounds_without_dismissal_and_expiry_before_imposition_are_refused(client, security):
    employee = EmployeeFactory()
    _login(client, security)
    from integrity.models import Sanction

    data = {
        "offence": "Опоздание",
        "committed_on": "2026-02-01",
        "discovered_on": "2026-02-02",
        "sanction": Sanction.objects.get(code="reprimand").pk,
        "negative_grounds": "on",
        "order_number": "1-лс",
        "imposed_on": "2026-02-10",
        "expires_on": "2026-02-09",
    }
    body = _post(
        client, reverse("integrity:discipline-create", args=[employee.personnel_number]), data, expect=200
    ).content.decode()
    assert "Отрицательные мотивы указываются только при увольнении со службы." in body
    assert "Срок действия должен заканчиваться позже даты наложения." in body
    assert DisciplinaryRecord.objects.count() == 0


def test_late_sanction_is_saved_with_a_warning(client, security):
    employee = EmployeeFactory()
    _login(client, security)
    from integrity.models import Sanction

    response = client.post(
        reverse("integrity:discipline-create", args=[employee.personnel_number]),
        {
            "offence": "Нарушение",
            "committed_on": "2025-01-10",
            "discovered_on": "2025-06-01",
            "sanction": Sanction.objects.get(code="remark").pk,
            "order_number": "2-лс",
            "imposed_on": "2025-08-01",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Взыскание наложено позднее одного месяца со дня обнаружения проступка." in body
    assert "Взыскание наложено позднее шести месяцев со дня совершения проступка." in body
    record = DisciplinaryRecord.objects.get()
    assert record.expires_on == dt.date(2026, 8, 1)


@pytest.mark.parametrize("period", ["2022-H3", "2022", "abc", "1999-H1"])
def test_summary_with_a_malformed_period_says_so(client, security, period):
    _login(client, security)
    response = client.get(reverse("integrity:summary"), {"period": period})
    assert response.status_code == 400
    assert "Полугодие указывается в виде ГГГГ-H1 или ГГГГ-H2" in response.content.decode()


def test_summary_shows_the_half_year_figures(client, make_user):
    DisciplinaryRecordFactory(
        employee=EmployeeFactory(department_code="75"),
        imposed_on=dt.date(2022, 3, 1),
        committed_on=dt.date(2022, 2, 1),
        discovered_on=dt.date(2022, 2, 20),
        expires_on=None,
    )
    analyst = make_user("analyst", department="00")
    _login(client, analyst)
    response = client.get(reverse("integrity:summary"), {"period": "2022-H1"})
    assert response.status_code == 200
    rows = {row.department.code if row.department else "agency": (row, prev) for row, prev in response.context["rows"]}
    assert rows["75"][0].disciplined == 1
    assert rows["agency"][0].disciplined == 1
    assert rows["71"][0].disciplined == 0


def test_list_query_counts_are_constant(client, security, django_assert_max_num_queries):
    for _index in range(3):
        DisciplinaryRecordFactory()
        IntegrityCheckFactory()
    _login(client, security)
    counts = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name in ("integrity:employee-list", "integrity:discipline-list", "integrity:check-list"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(few)
    for _index in range(20):
        DisciplinaryRecordFactory()
        IntegrityCheckFactory()
    for name, expected in counts.items():
        with CaptureQueriesContext(connection) as many:
            assert client.get(reverse(name)).status_code == 200
        assert len(many) == expected, name


def test_a_full_iin_finds_an_employee_only_for_those_who_see_it(client, security, make_user):
    employee = EmployeeFactory()
    _login(client, make_user("department_head", department="75"))
    assert (
        employee.personnel_number
        not in client.get(reverse("integrity:employee-list"), {"q": employee.iin}).content.decode()
    )
    client.logout()
    _login(client, security)
    assert (
        employee.personnel_number
        in client.get(reverse("integrity:employee-list"), {"q": employee.iin}).content.decode()
    )


def test_auditors_filter_the_access_log_for_refused_reads(client, make_user):
    # Given a department head who probes a check and another department's employee file
    check = IntegrityCheckFactory()
    stranger = EmployeeFactory(department_code="71")
    head = make_user("department_head", department="75")
    _login(client, head)
    assert client.get(check.get_absolute_url()).status_code == 403
    assert client.get(stranger.get_absolute_url()).status_code == 404
    assert client.get(reverse("integrity:employee-list")).status_code == 200  # a read, not a refusal
    # When an auditor filters the access log for refusals
    _login(client, make_user("auditor", department="00"))
    response = client.get(reverse("access-log"), {"action": "denied"})
    # Then they see exactly the two probes, each naming the record asked for
    assert response.status_code == 200
    assert [(e.user, e.action, e.content_type.model, e.object_id) for e in response.context["page"]] == [
        (head, "denied", "employee", str(stranger.pk)),
        (head, "denied", "integritycheck", str(check.pk)),
    ]
    assert "Отказ в доступе" in response.content.decode()
    assert [e.action for e in client.get(reverse("access-log"), {"action": "list"}).context["page"]] == ["list"]


def test_the_employee_history_costs_the_same_queries_whatever_the_number_of_related_records(client, security):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = EmployeeFactory(), EmployeeFactory()
    for employee, count in ((few, 1), (many, 6)):
        for _index in range(count):
            DisciplinaryRecordFactory(employee=employee)
            IntegrityCheckFactory(employee=employee)
    _login(client, security)
    client.get(reverse("history", args=["integrity", "employee", few.pk]))  # warms the content-type cache
    queries = []
    for employee in (few, many):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("history", args=["integrity", "employee", employee.pk]))
        assert response.status_code == 200
        queries.append(len(captured))
    assert queries[0] == queries[1]
    # and the many records shown are each in the access log: 1 employee + 6 records + 6 checks, one insert
    assert AccessLog.objects.filter(user=security, path=f"/history/integrity/employee/{many.pk}/").count() == 13
