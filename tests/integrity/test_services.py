"""Integrity services: the check's safeguards and status machine, discipline, employees — and every bad input.

Every refusal also asserts that nothing changed in the database (rows, versions, status events).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anticor import access
from anticor.access import AccessDenied, ApiPrincipal, Role
from anticor.models import ApiClient, Article, Department
from integrity import services
from integrity.choices import (
    CHECK_TRANSITIONS,
    DISCIPLINE_MANUAL_TARGETS,
    DISCIPLINE_TRANSITIONS,
    CheckOutcome,
    CheckStatus,
    DisciplineStatus,
    EmployeeStatus,
)
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    DisciplinaryRecordEvent,
    Employee,
    IntegrityCheck,
    IntegrityCheckEvent,
    Sanction,
)
from tests.factories import DisciplinaryRecordFactory, EmployeeFactory, IntegrityCheckFactory

pytestmark = pytest.mark.django_db

D = dt.date
APPROVED_ON = D(2026, 5, 20)  # the factory's window is June 2026
CONDUCTED_ON = D(2026, 6, 10)
REVIEWED_ON = D(2026, 6, 20)


def db_state() -> dict:
    """Everything a refused call could have touched, row by row."""
    return {
        "employees": list(Employee.objects.order_by("pk").values()),
        "records": list(DisciplinaryRecord.objects.order_by("pk").values()),
        "record_events": list(DisciplinaryRecordEvent.objects.order_by("pk").values()),
        "convictions": list(Conviction.objects.order_by("pk").values()),
        "checks": list(IntegrityCheck.objects.order_by("pk").values()),
        "check_events": list(IntegrityCheckEvent.objects.order_by("pk").values()),
    }


@contextmanager
def refused(expected: type[Exception] = ValidationError):
    """The block raises ``expected`` and leaves the database exactly as it was."""
    before = db_state()
    with pytest.raises(expected) as error:
        yield error
    assert db_state() == before


def events(check: IntegrityCheck) -> list[tuple[str, str, int | None, str]]:
    return [
        (e.from_status, e.to_status, e.actor_id, e.reason)
        for e in IntegrityCheckEvent.objects.filter(integrity_check=check).order_by("pk")
    ]


@pytest.fixture
def tester(make_user):
    return make_user(Role.INTERNAL_SECURITY, department="00")


@pytest.fixture
def approver(make_user):
    return make_user(Role.INTERNAL_SECURITY, department="00")


@pytest.fixture
def employee():
    return EmployeeFactory()  # department 75


@pytest.fixture
def draft(tester, employee):
    return IntegrityCheckFactory(employee=employee, tester=tester)


def put(check: IntegrityCheck, status: str, approver, **extra) -> IntegrityCheck:
    """Place the check in ``status`` with the fields a check in that status has (bypassing the services)."""
    fields: dict = {"status": status}
    if status in {CheckStatus.APPROVED, CheckStatus.CONDUCTED, CheckStatus.REVIEWED, CheckStatus.CLOSED}:
        fields |= {"approver": approver, "approved_on": APPROVED_ON}
    if status in {CheckStatus.CONDUCTED, CheckStatus.REVIEWED, CheckStatus.CLOSED}:
        fields |= {"conducted_on": CONDUCTED_ON, "conduct_notes": "Проведена"}
    if status in {CheckStatus.REVIEWED, CheckStatus.CLOSED}:
        fields |= {
            "outcome": CheckOutcome.PASSED,
            "outcome_summary": "Вознаграждение отклонено",
            "reviewed_on": REVIEWED_ON,
            "employee_informed_on": D(2026, 6, 25),
        }
    if status == CheckStatus.CLOSED:
        fields["closed_on"] = D(2026, 6, 30)
    if status == CheckStatus.CANCELLED:
        fields["cancel_reason"] = "Сотрудник в отпуске"
    IntegrityCheck.objects.filter(pk=check.pk).update(**(fields | extra))
    check.refresh_from_db()
    return check


# --- the Integrity Check: safeguards ----------------------------------------------------------------------------------


def test_an_approver_from_the_tested_employees_department_is_refused(make_user, draft):
    almaty_security = make_user(Role.INTERNAL_SECURITY, department="75")
    with refused() as error:
        services.check_approve(user=almaty_security, check_id=draft.pk, on=APPROVED_ON)
    assert error.value.message_dict == {
        "approver": ["Утверждающий не может быть из департамента проверяемого сотрудника."]
    }


def test_an_approver_without_a_department_is_refused(make_user, draft):
    """Without a department nobody can tell that the approver is not from the employee's one."""
    nowhere = make_user(Role.INTERNAL_SECURITY, department=None)
    with refused() as error:
        services.check_approve(user=nowhere, check_id=draft.pk, on=APPROVED_ON)
    assert error.value.message_dict == {
        "approver": ["Утверждающий не может быть из департамента проверяемого сотрудника."]
    }


def test_the_tester_cannot_approve_their_own_check(tester, draft):
    with refused() as error:
        services.check_approve(user=tester, check_id=draft.pk, on=APPROVED_ON)
    assert error.value.message_dict == {"approver": ["Проверяющий не может утвердить свою проверку."]}


def test_a_tester_from_the_employees_department_approving_gets_both_reasons(make_user, employee):
    almaty_tester = make_user(Role.INTERNAL_SECURITY, department="75")
    check = IntegrityCheckFactory(employee=employee, tester=almaty_tester)
    with refused() as error:
        services.check_approve(user=almaty_tester, check_id=check.pk, on=APPROVED_ON)
    assert error.value.message_dict == {
        "approver": [
            "Проверяющий не может утвердить свою проверку.",
            "Утверждающий не может быть из департамента проверяемого сотрудника.",
        ]
    }


@pytest.mark.parametrize(
    "unconfirmed", ["safeguard_realistic", "safeguard_no_excess_inducement", "safeguard_no_provocation"]
)
def test_approval_without_the_full_safeguards_checklist_is_refused(approver, tester, employee, unconfirmed):
    check = IntegrityCheckFactory(employee=employee, tester=tester, **{unconfirmed: False})
    with refused() as error:
        services.check_approve(user=approver, check_id=check.pk, on=APPROVED_ON)
    assert error.value.message_dict == {
        "safeguards": [
            "Перед утверждением подтвердите все гарантии: реалистичность, отсутствие чрезмерного склонения "
            "и провокации."
        ]
    }


def test_approval_after_the_planned_window_or_in_the_future_is_refused(approver, draft):
    with refused() as error:
        services.check_approve(user=approver, check_id=draft.pk, on=D(2026, 7, 1))
    assert error.value.message_dict == {"on": ["Период проведения уже прошёл: измените план."]}
    with refused() as error:
        services.check_approve(user=approver, check_id=draft.pk, on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message_dict == {
        "on": ["Дата не может быть в будущем.", "Период проведения уже прошёл: измените план."]
    }


def test_approval_by_internal_security_without_the_capability_is_refused(monkeypatch, approver, draft):
    monkeypatch.setitem(access.ROLE_CAPABILITIES, Role.INTERNAL_SECURITY, frozenset())
    with refused(AccessDenied) as error:
        services.check_approve(user=approver, check_id=draft.pk, on=APPROVED_ON)
    assert str(error.value) == "Утверждать проверки может только уполномоченный сотрудник собственной безопасности."


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.DEPARTMENT_HEAD, Role.ANALYST, Role.AUDITOR])
def test_approval_by_a_role_without_integrity_checks_finds_no_check(make_user, draft, role):
    """The check does not exist for those who may not see it — not even its refusal tells them otherwise."""
    with refused(IntegrityCheck.DoesNotExist):
        services.check_approve(user=make_user(role, department="00"), check_id=draft.pk, on=APPROVED_ON)


def test_approval_by_an_api_principal_is_refused(draft):
    client = ApiClient.objects.create(
        name="Внешняя система", scopes=["integrity:read", "integrity:write"], token_hash="x" * 64
    )
    principal = ApiPrincipal(client)
    assert access.can_change(principal, draft)  # it may write checks — but never approve one
    with refused(AccessDenied) as error:
        services.check_approve(user=principal, check_id=draft.pk, on=APPROVED_ON)
    assert str(error.value) == "Утверждать проверки может только уполномоченный сотрудник собственной безопасности."


def test_an_api_client_moves_a_check_and_its_event_names_the_client(draft):
    client = ApiClient.objects.create(name="СЭД агентства", scopes=["integrity:write"], token_hash="y" * 64)
    check = services.check_cancel(user=ApiPrincipal(client), check_id=draft.pk, reason="Отозвана")
    assert check.status == CheckStatus.CANCELLED
    assert list(check.events.values_list("from_status", "to_status", "actor", "client_label", "reason")) == [
        ("draft", "cancelled", None, "СЭД агентства", "Отозвана")
    ]


def test_an_api_client_that_only_reads_cannot_move_a_check(draft):
    client = ApiClient.objects.create(name="Аналитика", scopes=["integrity:read"], token_hash="z" * 64)
    with refused(AccessDenied):
        services.check_cancel(user=ApiPrincipal(client), check_id=draft.pk, reason="Отозвана")


def test_a_check_is_not_conducted_before_approval(tester, draft):
    with refused() as error:
        services.check_conduct(user=tester, check_id=draft.pk, conducted_on=CONDUCTED_ON, notes="Проведена")
    assert error.value.message_dict == {"to": ["Проверку можно провести только после утверждения."]}


def test_a_check_is_not_conducted_before_the_approval_date(tester, approver, draft):
    put(draft, CheckStatus.APPROVED, approver, approved_on=D(2026, 6, 15))
    with refused() as error:
        services.check_conduct(user=tester, check_id=draft.pk, conducted_on=D(2026, 6, 14), notes="Проведена")
    assert error.value.message_dict == {"conducted_on": ["Проверка не может быть проведена до её утверждения."]}


@pytest.mark.parametrize("conducted_on", [D(2026, 5, 31), D(2026, 7, 1)])
def test_a_check_is_not_conducted_outside_the_approved_window(tester, approver, draft, conducted_on):
    put(draft, CheckStatus.APPROVED, approver)
    with refused() as error:
        services.check_conduct(user=tester, check_id=draft.pk, conducted_on=conducted_on, notes="Проведена")
    assert error.value.message_dict == {"conducted_on": ["Дата проведения вне утверждённого периода."]}


@pytest.mark.parametrize("conducted_on", [D(2026, 6, 1), D(2026, 6, 30)])
def test_a_check_is_conducted_on_either_end_of_the_window(tester, approver, draft, conducted_on):
    put(draft, CheckStatus.APPROVED, approver)
    check = services.check_conduct(user=tester, check_id=draft.pk, conducted_on=conducted_on, notes=" Проведена ")
    assert (check.status, check.conducted_on, check.conduct_notes, check.version) == (
        CheckStatus.CONDUCTED,
        conducted_on,
        "Проведена",
        2,
    )


def test_a_check_is_not_conducted_in_the_future_even_within_the_window(tester, approver, draft):
    today = timezone.localdate()
    put(
        draft,
        CheckStatus.APPROVED,
        approver,
        planned_from=today - dt.timedelta(days=5),
        planned_to=today + dt.timedelta(days=30),
        approved_on=today - dt.timedelta(days=6),
    )
    with refused() as error:
        services.check_conduct(
            user=tester, check_id=draft.pk, conducted_on=today + dt.timedelta(days=1), notes="Проведена"
        )
    assert error.value.message_dict == {"conducted_on": ["Дата не может быть в будущем."]}


def test_conduct_without_notes_is_refused(tester, approver, draft):
    put(draft, CheckStatus.APPROVED, approver)
    with refused() as error:
        services.check_conduct(user=tester, check_id=draft.pk, conducted_on=CONDUCTED_ON, notes="  ")
    assert error.value.message_dict == {"notes": ["Опишите ход проведения."]}


@pytest.mark.parametrize("status", [CheckStatus.DRAFT, CheckStatus.APPROVED])
def test_no_outcome_before_conduct(tester, approver, draft, status):
    put(draft, status, approver)
    with refused() as error:
        services.check_review(
            user=tester, check_id=draft.pk, outcome=CheckOutcome.FAILED, summary="Принял", reviewed_on=REVIEWED_ON
        )
    assert error.value.message_dict == {"outcome": ["Результат фиксируется только после проведения проверки."]}


def test_an_unknown_outcome_or_a_review_before_conduct_date_is_refused(tester, approver, draft):
    put(draft, CheckStatus.CONDUCTED, approver)
    with refused() as error:
        services.check_review(user=tester, check_id=draft.pk, outcome="bribed", summary="", reviewed_on=D(2026, 6, 9))
    assert error.value.message_dict == {
        "outcome": ["Выберите результат проверки."],
        "summary": ["Изложите заключение."],
        "reviewed_on": ["Рассмотрение не может предшествовать проведению."],
    }


def test_a_failed_check_is_not_closed_without_a_follow_up_record(tester, approver, draft):
    put(draft, CheckStatus.REVIEWED, approver, outcome=CheckOutcome.FAILED)
    with refused() as error:
        services.check_close(user=tester, check_id=draft.pk, on=D(2026, 7, 1))
    assert error.value.message_dict == {
        "follow_up_record": ["Непройденная проверка закрывается только с последовавшим взысканием."]
    }


def test_a_check_is_not_closed_before_the_employee_is_informed(tester, approver, draft):
    put(draft, CheckStatus.REVIEWED, approver, employee_informed_on=None)
    with refused() as error:
        services.check_close(user=tester, check_id=draft.pk, on=D(2026, 7, 1))
    assert error.value.message_dict == {"informed_on": ["Перед закрытием укажите дату ознакомления сотрудника."]}


def test_informing_before_review_or_before_the_review_date_is_refused(tester, approver, draft):
    put(draft, CheckStatus.CONDUCTED, approver)
    with refused() as error:
        services.check_inform(user=tester, check_id=draft.pk, informed_on=D(2026, 6, 25))
    assert error.value.message_dict == {"informed_on": ["Сотрудника знакомят после рассмотрения результата."]}
    put(draft, CheckStatus.REVIEWED, approver, employee_informed_on=None)
    with refused() as error:
        services.check_inform(user=tester, check_id=draft.pk, informed_on=D(2026, 6, 19))
    assert error.value.message_dict == {"informed_on": ["Дата ознакомления раньше рассмотрения результата."]}


def test_a_check_is_not_closed_before_the_employee_was_informed_or_in_the_future(tester, approver, draft):
    put(draft, CheckStatus.REVIEWED, approver)  # informed on 25 June
    with refused() as error:
        services.check_close(user=tester, check_id=draft.pk, on=D(2026, 6, 24))
    assert error.value.message_dict == {"on": ["Проверку нельзя закрыть раньше ознакомления сотрудника."]}
    with refused() as error:
        services.check_close(user=tester, check_id=draft.pk, on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message_dict == {"on": ["Дата не может быть в будущем."]}
    check = services.check_close(user=tester, check_id=draft.pk, on=D(2026, 6, 25))
    assert (check.status, check.closed_on) == (CheckStatus.CLOSED, D(2026, 6, 25))


def follow_up_values(employee: Employee, **overrides) -> dict:
    return {
        "employee": employee,
        "offence": "Принял вознаграждение в ходе проверки на добропорядочность",
        "committed_on": CONDUCTED_ON,
        "discovered_on": REVIEWED_ON,
        "corruption_related": True,
        "sanction": Sanction.objects.get(code="severe_reprimand"),
        "order_number": "115-лс",
        "imposed_on": D(2026, 7, 1),
    } | overrides


def test_a_follow_up_record_of_another_employee_is_refused_and_not_saved(tester, approver, draft):
    put(draft, CheckStatus.REVIEWED, approver, outcome=CheckOutcome.FAILED)
    other = EmployeeFactory()
    with refused() as error:
        services.discipline_create(user=tester, values=follow_up_values(other), follow_up_of_check_id=draft.pk)
    assert error.value.message_dict == {"follow_up_record": ["Взыскание наложено на другого сотрудника."]}


def test_linking_an_existing_record_of_another_employee_is_refused(tester, approver, draft):
    put(draft, CheckStatus.REVIEWED, approver, outcome=CheckOutcome.FAILED)
    record = DisciplinaryRecordFactory(**follow_up_values(EmployeeFactory()))
    with refused() as error:
        services.check_link_follow_up(user=tester, check_id=draft.pk, record_id=record.pk)
    assert error.value.message_dict == {"follow_up_record": ["Взыскание наложено на другого сотрудника."]}


def test_a_follow_up_record_is_refused_for_a_passed_check_or_an_offence_found_before_it(
    tester, approver, draft, employee
):
    put(draft, CheckStatus.REVIEWED, approver)  # passed
    with refused() as error:
        services.discipline_create(user=tester, values=follow_up_values(employee), follow_up_of_check_id=draft.pk)
    assert error.value.message_dict == {"follow_up_record": ["Взыскание связывается только с непройденной проверкой."]}
    put(draft, CheckStatus.REVIEWED, approver, outcome=CheckOutcome.FAILED)
    earlier = follow_up_values(employee, committed_on=D(2026, 6, 1), discovered_on=D(2026, 6, 9))
    with refused() as error:
        services.discipline_create(user=tester, values=earlier, follow_up_of_check_id=draft.pk)
    assert error.value.message_dict == {
        "follow_up_record": ["Проступок обнаружен до проведения проверки: это не её последствие."]
    }


def test_a_check_about_the_user_does_not_exist_for_them(make_user, approver, employee):
    """Even an approver of internal security cannot act on a check about themselves."""
    employee.user = approver
    employee.save()
    check = IntegrityCheckFactory(employee=employee)
    with refused(IntegrityCheck.DoesNotExist):
        services.check_approve(user=approver, check_id=check.pk, on=APPROVED_ON)


def test_a_check_about_oneself_cannot_be_created(tester, employee):
    employee.user = tester
    employee.save()
    values = {
        "employee": employee,
        "trigger": "random",
        "scenario": "Сценарий",
        "planned_from": D(2026, 6, 1),
        "planned_to": D(2026, 6, 30),
    }
    with refused() as error:
        services.check_create(user=tester, values=values)
    assert error.value.message_dict == {"tester": ["Сотрудник не может проверять сам себя."]}


def test_a_targeted_check_needs_grounds_and_an_ordered_window(tester, employee):
    values = {
        "employee": employee,
        "trigger": "targeted",
        "grounds": " ",
        "scenario": "Сценарий",
        "planned_from": D(2026, 6, 30),
        "planned_to": D(2026, 6, 1),
    }
    with refused() as error:
        services.check_create(user=tester, values=values)
    assert error.value.message_dict == {
        "grounds": ["Для целевой проверки укажите основания."],
        "planned_to": ["Окончание периода проведения не может быть раньше его начала."],
    }


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_requires_a_reason(tester, draft, reason):
    with refused() as error:
        services.check_cancel(user=tester, check_id=draft.pk, reason=reason)
    assert error.value.message_dict == {"reason": ["Укажите причину отмены."]}


def test_cancel_with_a_reason(tester, draft):
    check = services.check_cancel(user=tester, check_id=draft.pk, reason=" Сотрудник переведён ")
    assert (check.status, check.cancel_reason, check.version) == (CheckStatus.CANCELLED, "Сотрудник переведён", 2)
    assert events(check) == [(CheckStatus.DRAFT, CheckStatus.CANCELLED, tester.pk, "Сотрудник переведён")]


def test_happy_path_draft_to_closed_with_a_failed_outcome_and_a_follow_up_sanction(tester, approver, employee):
    # given a draft planned by internal security of the central office about an Almaty employee
    check = services.check_create(
        user=tester,
        values={
            "employee": employee,
            "trigger": "targeted",
            "grounds": "Обращение гражданина о вымогательстве",
            "scenario": "Предложение вознаграждения за ускорение рассмотрения обращения",
            "planned_from": D(2026, 6, 1),
            "planned_to": D(2026, 6, 30),
            "safeguard_realistic": True,
            "safeguard_no_excess_inducement": True,
            "safeguard_no_provocation": True,
        },
    )
    assert (check.status, check.tester, check.version) == (CheckStatus.DRAFT, tester, 1)
    # when it is approved, conducted, reviewed as failed, followed up, the employee informed, and closed
    check = services.check_approve(user=approver, check_id=check.pk, on=APPROVED_ON)
    assert (check.status, check.approver, check.approved_on, check.version) == (
        CheckStatus.APPROVED,
        approver,
        APPROVED_ON,
        2,
    )
    check = services.check_conduct(user=tester, check_id=check.pk, conducted_on=CONDUCTED_ON, notes="Принял деньги")
    assert (check.status, check.conducted_on, check.version) == (CheckStatus.CONDUCTED, CONDUCTED_ON, 3)
    check = services.check_review(
        user=tester,
        check_id=check.pk,
        outcome=CheckOutcome.FAILED,
        summary="Сотрудник принял вознаграждение",
        reviewed_on=REVIEWED_ON,
    )
    assert (check.status, check.outcome, check.reviewed_on, check.version) == (
        CheckStatus.REVIEWED,
        CheckOutcome.FAILED,
        REVIEWED_ON,
        4,
    )
    assert services.check_next_step(check) == (
        "Перед закрытием: наложите взыскание по результатам проверки; ознакомьте сотрудника."
    )
    record = services.discipline_create(user=tester, values=follow_up_values(employee), follow_up_of_check_id=check.pk)
    check.refresh_from_db()
    assert (check.follow_up_record, check.version) == (record, 5)
    assert (record.status, record.expires_on) == (DisciplineStatus.ACTIVE, D(2027, 7, 1))
    check = services.check_inform(user=tester, check_id=check.pk, informed_on=D(2026, 7, 2))
    assert (check.employee_informed_on, check.version) == (D(2026, 7, 2), 6)
    assert services.check_next_step(check) == "Всё готово: проверку можно закрыть."
    check = services.check_close(user=tester, check_id=check.pk, on=D(2026, 7, 3))
    # then it is closed, and every status change is an event with who moved it
    assert (check.status, check.closed_on, check.version) == (CheckStatus.CLOSED, D(2026, 7, 3), 7)
    assert events(check) == [
        ("", CheckStatus.DRAFT, tester.pk, ""),
        (CheckStatus.DRAFT, CheckStatus.APPROVED, approver.pk, ""),
        (CheckStatus.APPROVED, CheckStatus.CONDUCTED, tester.pk, ""),
        (CheckStatus.CONDUCTED, CheckStatus.REVIEWED, tester.pk, "Не пройдена"),
        (CheckStatus.REVIEWED, CheckStatus.CLOSED, tester.pk, ""),
    ]
    assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in record.events.all()] == [
        ("", DisciplineStatus.ACTIVE, tester.pk, "115-лс")
    ]
    # a second follow-up for the same check is refused
    with refused() as error:
        services.discipline_create(
            user=tester, values=follow_up_values(employee, order_number="116-лс"), follow_up_of_check_id=check.pk
        )
    assert error.value.message_dict == {"follow_up_record": ["С проверкой уже связано другое взыскание."]}


# --- the check's status machine ---------------------------------------------------------------------------------------


def _act(target: str, check: IntegrityCheck, tester, approver) -> IntegrityCheck:
    if target == CheckStatus.APPROVED:
        return services.check_approve(user=approver, check_id=check.pk, on=APPROVED_ON)
    if target == CheckStatus.CONDUCTED:
        return services.check_conduct(user=tester, check_id=check.pk, conducted_on=CONDUCTED_ON, notes="Проведена")
    if target == CheckStatus.REVIEWED:
        return services.check_review(
            user=tester, check_id=check.pk, outcome=CheckOutcome.PASSED, summary="Отказал", reviewed_on=REVIEWED_ON
        )
    if target == CheckStatus.CLOSED:
        return services.check_close(user=tester, check_id=check.pk, on=D(2026, 6, 30))
    assert target == CheckStatus.CANCELLED
    return services.check_cancel(user=tester, check_id=check.pk, reason="Сотрудник в отпуске")


def test_no_service_moves_a_check_back_to_draft():
    assert all(CheckStatus.DRAFT not in targets for targets in CHECK_TRANSITIONS.values())
    assert set(CHECK_TRANSITIONS) == set(CheckStatus.values)


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in CheckStatus.values for t in CheckStatus.values if t != CheckStatus.DRAFT],
)
def test_check_transitions_follow_the_table(tester, approver, draft, source, target):
    check = put(draft, source, approver)
    if target in CHECK_TRANSITIONS[source]:
        changed = _act(target, check, tester, approver)
        assert (changed.status, changed.version) == (target, 2)
        assert events(changed) == [
            (source, target, (approver if target == "approved" else tester).pk, changed_reason(target))
        ]
        return
    with refused() as error:
        _act(target, check, tester, approver)
    if target == CheckStatus.CONDUCTED:
        assert error.value.message_dict == {"to": ["Проверку можно провести только после утверждения."]}
    elif target == CheckStatus.REVIEWED:
        assert error.value.message_dict == {"outcome": ["Результат фиксируется только после проведения проверки."]}
    else:
        assert error.value.message_dict == {
            "to": [f"Переход из статуса «{CheckStatus(source).label}» в «{CheckStatus(target).label}» не допускается."]
        }


def changed_reason(target: str) -> str:
    return {CheckStatus.REVIEWED: "Пройдена", CheckStatus.CANCELLED: "Сотрудник в отпуске"}.get(target, "")


# --- employees: bad input -----------------------------------------------------------------------------------------


def employee_values(**overrides) -> dict:
    return {
        "personnel_number": "A-1001",
        "last_name": "Серикбаев",
        "first_name": "Арман",
        "iin": "900101300007",
        "department": Department.objects.get(code="75"),
        "position": "Следователь",
        "hired_on": D(2015, 9, 1),
    } | overrides


def test_an_employee_is_created(tester):
    employee = services.employee_create(user=tester, values=employee_values())
    assert (employee.personnel_number, employee.iin, employee.status, employee.version) == (
        "A-1001",
        "900101300007",
        EmployeeStatus.ACTIVE,
        1,
    )


@pytest.mark.parametrize(
    ("iin", "messages"),
    [
        ("880101300011", ["Неверная контрольная цифра ИИН."]),
        ("900101300008", ["Неверная контрольная цифра ИИН."]),
        ("901301300007", ["ИИН содержит несуществующую дату рождения или неверную цифру века."]),
        ("900230300009", ["ИИН содержит несуществующую дату рождения или неверную цифру века."]),
        ("900101700007", ["ИИН содержит несуществующую дату рождения или неверную цифру века."]),
        ("90010130000", ["ИИН должен состоять ровно из 12 цифр."]),
        (
            "9001013000071",
            [
                "ИИН должен состоять ровно из 12 цифр.",
                "Убедитесь, что это значение содержит не более 12 символов (сейчас 13).",
            ],
        ),
        ("90010130000a", ["ИИН должен состоять ровно из 12 цифр."]),
        ("９００１０１３０００７", ["ИИН должен состоять ровно из 12 цифр."]),
    ],
)
def test_an_invalid_iin_is_refused(tester, iin, messages):
    with refused() as error:
        services.employee_create(user=tester, values=employee_values(iin=iin))
    assert error.value.message_dict == {"iin": messages}


def test_a_duplicate_personnel_number_is_refused(tester):
    EmployeeFactory(personnel_number="A-1001")
    with refused() as error:
        services.employee_create(user=tester, values=employee_values())
    assert error.value.message_dict == {"personnel_number": ["Сотрудник с таким табельным номером уже есть."]}


def test_a_duplicate_iin_is_refused(tester):
    EmployeeFactory(iin="900101300007")
    with refused() as error:
        services.employee_create(user=tester, values=employee_values())
    assert error.value.message_dict == {"iin": ["Сотрудник с таким ИИН уже есть."]}


def test_a_bad_personnel_number_or_a_dismissal_without_date_is_refused(tester):
    with refused() as error:
        services.employee_create(
            user=tester, values=employee_values(personnel_number="a 1", status=EmployeeStatus.DISMISSED)
        )
    assert error.value.message_dict == {"dismissed_on": ["Укажите дату увольнения."]}
    with refused() as error:
        services.employee_create(user=tester, values=employee_values(personnel_number="a 1"))
    assert error.value.message_dict == {
        "personnel_number": ["Табельный номер: до 20 знаков — цифры, заглавные латинские буквы и дефис."]
    }


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HEAD, Role.INVESTIGATOR, Role.AUDITOR, Role.ADMINISTRATOR])
def test_only_internal_security_creates_employees(make_user, role):
    with refused(AccessDenied):
        services.employee_create(user=make_user(role), values=employee_values())


def test_an_employee_update_with_a_stale_version_is_refused(tester):
    from anticor.versioning import StaleVersion

    employee = EmployeeFactory()
    with refused(StaleVersion):
        services.employee_update(
            user=tester, employee_id=employee.pk, values={"position": "Начальник"}, expected_version=0
        )
    changed = services.employee_update(
        user=tester, employee_id=employee.pk, values={"position": "Начальник"}, expected_version=1
    )
    assert (changed.position, changed.version) == ("Начальник", 2)


def test_nobody_changes_their_own_staff_records(tester, make_user):
    """Readable, but not writable: unlinked from their record, an officer would see the checks about themselves,
    and nobody lifts their own sanction."""
    me = EmployeeFactory(department_code="00", user=tester)
    IntegrityCheckFactory(employee=me)
    record = DisciplinaryRecordFactory(employee=me)
    for action in (
        lambda: services.employee_update(user=tester, employee_id=me.pk, values={"user": None}),
        lambda: services.employee_update(user=tester, employee_id=me.pk, values={"position": "Начальник"}),
        lambda: services.discipline_transition(user=tester, record_id=record.pk, to="lifted", reason="Сам себе"),
        lambda: services.discipline_update(user=tester, record_id=record.pk, values={"offence": "Ничего"}),
        lambda: services.discipline_create(user=tester, values=discipline_values(me)),
        lambda: services.conviction_create(
            user=tester,
            values={
                "employee": me,
                "article": Article.objects.get(code="366"),
                "verdict_on": D(2026, 1, 1),
                "sentence": "x",
            },
        ),
    ):
        with refused(AccessDenied):
            action()
    assert access.can_view(tester, me)
    assert access.can_view(tester, record)
    # Nor can an officer link someone else's record to their own account.
    other = EmployeeFactory(department_code="00")
    with refused(AccessDenied):
        services.employee_update(user=tester, employee_id=other.pk, values={"user": tester})
    # A colleague may correct the link.
    colleague = make_user(Role.INTERNAL_SECURITY, department="00")
    changed = services.employee_update(user=colleague, employee_id=me.pk, values={"user": None})
    assert (changed.user, changed.version) == (None, 2)


# --- discipline -------------------------------------------------------------------------------------------------------


def discipline_values(employee: Employee, sanction: str = "reprimand", **overrides) -> dict:
    return {
        "employee": employee,
        "offence": "Опоздание на службу",
        "committed_on": D(2026, 2, 20),
        "discovered_on": D(2026, 3, 1),
        "sanction": Sanction.objects.get(code=sanction),
        "order_number": "42-лс",
        "imposed_on": D(2026, 3, 10),
    } | overrides


def test_negative_grounds_without_a_dismissal_are_refused(tester, employee):
    with refused() as error:
        services.discipline_create(user=tester, values=discipline_values(employee, negative_grounds=True))
    assert error.value.message_dict == {
        "negative_grounds": ["Отрицательные мотивы указываются только при увольнении со службы."]
    }


@pytest.mark.parametrize("expires_on", [D(2026, 3, 9), D(2026, 3, 10), D(2025, 1, 1)])
def test_an_expiry_on_or_before_the_imposition_is_refused(tester, employee, expires_on):
    with refused() as error:
        services.discipline_create(user=tester, values=discipline_values(employee, expires_on=expires_on))
    assert error.value.message_dict == {"expires_on": ["Срок действия должен заканчиваться позже даты наложения."]}


def test_impossible_offence_dates_are_refused(tester, employee):
    values = discipline_values(employee, committed_on=D(2026, 3, 5), discovered_on=D(2026, 3, 1))
    with refused() as error:
        services.discipline_create(user=tester, values=values)
    assert error.value.message_dict == {"discovered_on": ["Проступок не может быть обнаружен раньше, чем совершён."]}
    with refused() as error:
        services.discipline_create(user=tester, values=discipline_values(employee, imposed_on=D(2026, 2, 28)))
    assert error.value.message_dict == {
        "imposed_on": ["Взыскание не может быть наложено раньше обнаружения проступка."]
    }


def test_the_default_expiry_is_twelve_months_from_the_order(tester, employee):
    record = services.discipline_create(user=tester, values=discipline_values(employee))
    assert (record.imposed_on, record.expires_on, record.status, record.status_changed_on) == (
        D(2026, 3, 10),
        D(2027, 3, 10),
        DisciplineStatus.ACTIVE,
        D(2026, 3, 10),
    )
    assert services.discipline_default_expires_on(D(2024, 2, 29)) == D(2025, 2, 28)


def test_an_explicit_expiry_is_kept(tester, employee):
    record = services.discipline_create(user=tester, values=discipline_values(employee, expires_on=D(2026, 9, 10)))
    assert record.expires_on == D(2026, 9, 10)


def test_the_default_expiry_follows_the_setting(settings, tester, employee):
    settings.DISCIPLINE_EXPIRY_MONTHS = 6
    values = discipline_values(employee, committed_on=D(2026, 3, 1), discovered_on=D(2026, 3, 2))
    record = services.discipline_create(user=tester, values=values | {"imposed_on": D(2026, 3, 31)})
    assert record.expires_on == D(2026, 9, 30)  # the 31st of a 30-day month is its last day


@pytest.mark.parametrize("imposed_on", ["tomorrow", D(9999, 12, 31)])
def test_a_future_order_date_is_refused_without_an_error_page(tester, employee, imposed_on):
    day = timezone.localdate() + dt.timedelta(days=1) if imposed_on == "tomorrow" else imposed_on
    with refused() as error:
        services.discipline_create(user=tester, values=discipline_values(employee, imposed_on=day))
    assert error.value.message_dict == {"imposed_on": ["Дата не может быть в будущем."]}


def test_a_correction_that_clears_the_expiry_gets_the_default_term_again(tester, employee):
    record = services.discipline_create(user=tester, values=discipline_values(employee, expires_on=D(2026, 9, 10)))
    changed = services.discipline_update(
        user=tester, record_id=record.pk, values={"expires_on": None}, expected_version=1
    )
    assert (changed.expires_on, changed.version) == (D(2027, 3, 10), 2)


def test_a_dismissal_corrected_to_a_reprimand_expires(tester, employee):
    record = services.discipline_create(user=tester, values=discipline_values(employee, "dismissal"))
    assert record.expires_on is None
    changed = services.discipline_update(
        user=tester, record_id=record.pk, values={"sanction": Sanction.objects.get(code="reprimand")}
    )
    assert (changed.sanction.code, changed.expires_on) == ("reprimand", D(2027, 3, 10))


def test_a_correction_with_bad_input_is_refused(tester, record):
    with refused() as error:
        services.discipline_update(
            user=tester, record_id=record.pk, values={"negative_grounds": True, "expires_on": D(2026, 3, 1)}
        )
    assert error.value.message_dict == {
        "negative_grounds": ["Отрицательные мотивы указываются только при увольнении со службы."],
        "expires_on": ["Срок действия должен заканчиваться позже даты наложения."],
    }
    other = EmployeeFactory()
    with refused() as error:
        services.discipline_update(user=tester, record_id=record.pk, values={"employee": other})
    assert error.value.message_dict == {"employee": ["Взыскание нельзя перенести на другого сотрудника."]}


@pytest.mark.parametrize("negative_grounds", [True, False])
def test_a_dismissal_never_expires_and_dismisses_the_employee(tester, employee, negative_grounds):
    values = discipline_values(employee, "dismissal", negative_grounds=negative_grounds, expires_on=D(2027, 3, 10))
    record = services.discipline_create(user=tester, values=values)
    assert (record.expires_on, record.negative_grounds) == (None, negative_grounds)
    employee.refresh_from_db()
    assert (employee.status, employee.dismissed_on, employee.version) == (EmployeeStatus.DISMISSED, D(2026, 3, 10), 2)


def test_no_check_is_planned_for_a_dismissed_employee(tester, employee):
    services.discipline_create(user=tester, values=discipline_values(employee, "dismissal"))
    employee.refresh_from_db()
    values = {
        "employee": employee,
        "trigger": "random",
        "scenario": "Сценарий",
        "planned_from": D(2026, 6, 1),
        "planned_to": D(2026, 6, 30),
    }
    with refused() as error:
        services.check_create(user=tester, values=values)
    assert error.value.message_dict == {"employee": ["Проверка назначается только действующему сотруднику."]}


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HEAD, Role.INVESTIGATOR, Role.AUDITOR])
def test_only_internal_security_records_discipline(make_user, employee, role):
    with refused(AccessDenied):
        services.discipline_create(user=make_user(role, department="75"), values=discipline_values(employee))


LATE_DISCOVERY = "Взыскание наложено позднее одного месяца со дня обнаружения проступка."
LATE_OFFENCE = "Взыскание наложено позднее шести месяцев со дня совершения проступка."


@pytest.mark.parametrize(
    ("committed_on", "discovered_on", "imposed_on", "warnings"),
    [
        # one month from discovery (1 March → 1 April)
        (D(2026, 2, 20), D(2026, 3, 1), D(2026, 4, 1), []),
        (D(2026, 2, 20), D(2026, 3, 1), D(2026, 4, 2), [LATE_DISCOVERY]),
        # month ends: 31 January + 1 month is 28 February
        (D(2026, 1, 20), D(2026, 1, 31), D(2026, 2, 28), []),
        (D(2026, 1, 20), D(2026, 1, 31), D(2026, 3, 1), [LATE_DISCOVERY]),
        # six months from the offence (10 January → 10 July)
        (D(2026, 1, 10), D(2026, 6, 15), D(2026, 7, 10), []),
        (D(2026, 1, 10), D(2026, 6, 15), D(2026, 7, 11), [LATE_OFFENCE]),
        # both
        (D(2026, 1, 10), D(2026, 5, 1), D(2026, 7, 11), [LATE_DISCOVERY, LATE_OFFENCE]),
    ],
)
def test_deadline_warnings(tester, employee, committed_on, discovered_on, imposed_on, warnings):
    values = discipline_values(employee, committed_on=committed_on, discovered_on=discovered_on, imposed_on=imposed_on)
    record = services.discipline_create(user=tester, values=values)  # a warning, not a refusal
    assert services.discipline_deadline_warnings(record) == warnings


@pytest.fixture
def record(employee):
    return DisciplinaryRecordFactory(employee=employee)


@pytest.mark.parametrize(
    ("source", "target"), [(s, t) for s in DisciplineStatus.values for t in DisciplineStatus.values]
)
def test_discipline_transitions_follow_the_table(tester, record, source, target):
    DisciplinaryRecord.objects.filter(pk=record.pk).update(status=source)
    if target in DISCIPLINE_TRANSITIONS[source] and target in DISCIPLINE_MANUAL_TARGETS:
        changed = services.discipline_transition(
            user=tester, record_id=record.pk, to=target, reason="Приказ № 7", on=D(2026, 5, 1)
        )
        assert (changed.status, changed.status_reason, changed.status_changed_on, changed.version) == (
            target,
            "Приказ № 7",
            D(2026, 5, 1),
            2,
        )
        assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in changed.events.all()] == [
            (source, target, tester.pk, "Приказ № 7")
        ]
        return
    with refused() as error:
        services.discipline_transition(
            user=tester, record_id=record.pk, to=target, reason="Приказ № 7", on=D(2026, 5, 1)
        )
    if target not in DISCIPLINE_MANUAL_TARGETS:
        assert error.value.message_dict == {"to": ["Этот статус устанавливается только автоматически."]}
    else:
        assert error.value.message_dict == {
            "to": [
                f"Переход из статуса «{DisciplineStatus(source).label}» в «{DisciplineStatus(target).label}» "
                "не допускается."
            ]
        }


@pytest.mark.parametrize("target", [DisciplineStatus.LIFTED, DisciplineStatus.APPEALED, DisciplineStatus.OVERTURNED])
@pytest.mark.parametrize("reason", ["", "  "])
def test_a_status_change_of_a_sanction_requires_a_reason(tester, record, target, reason):
    with refused() as error:
        services.discipline_transition(user=tester, record_id=record.pk, to=target, reason=reason, on=D(2026, 5, 1))
    assert error.value.message_dict == {"reason": ["Укажите основание."]}


def test_a_status_change_dated_before_the_order_is_refused(tester, record):
    with refused() as error:
        services.discipline_transition(
            user=tester, record_id=record.pk, to=DisciplineStatus.LIFTED, reason="Поощрение", on=D(2026, 3, 9)
        )
    assert error.value.message_dict == {"on": ["Дата не может быть раньше наложения взыскания."]}


def test_an_unknown_status_is_refused(tester, record):
    with refused() as error:
        services.discipline_transition(user=tester, record_id=record.pk, to="forgotten", reason="x")
    assert error.value.message_dict == {"to": ["Этот статус устанавливается только автоматически."]}


def test_a_department_head_cannot_change_a_sanction(make_user, record):
    head = make_user(Role.DEPARTMENT_HEAD, department="75")
    with refused(AccessDenied):
        services.discipline_transition(user=head, record_id=record.pk, to=DisciplineStatus.LIFTED, reason="x")


def test_an_appeal_ends_upheld_or_overturned(tester, record):
    services.discipline_transition(
        user=tester, record_id=record.pk, to=DisciplineStatus.APPEALED, reason="Жалоба", on=D(2026, 3, 20)
    )
    services.discipline_transition(
        user=tester, record_id=record.pk, to=DisciplineStatus.ACTIVE, reason="Жалоба отклонена", on=D(2026, 4, 1)
    )
    record = services.discipline_transition(
        user=tester, record_id=record.pk, to=DisciplineStatus.APPEALED, reason="Иск в суд", on=D(2026, 4, 10)
    )
    record = services.discipline_transition(
        user=tester, record_id=record.pk, to=DisciplineStatus.OVERTURNED, reason="Решение суда", on=D(2026, 6, 1)
    )
    assert (record.status, record.version) == (DisciplineStatus.OVERTURNED, 5)
    assert [(e.from_status, e.to_status, e.reason) for e in record.events.all()] == [
        ("active", "appealed", "Жалоба"),
        ("appealed", "active", "Жалоба отклонена"),
        ("active", "appealed", "Иск в суд"),
        ("appealed", "overturned", "Решение суда"),
    ]


def test_expire_due_expires_exactly_the_due_sanctions_once(employee):
    today = D(2026, 9, 1)
    due_yesterday = DisciplinaryRecordFactory(employee=employee, expires_on=D(2026, 8, 31))
    due_today = DisciplinaryRecordFactory(employee=employee, expires_on=D(2026, 9, 1))
    not_yet = DisciplinaryRecordFactory(employee=employee, expires_on=D(2026, 9, 2))
    appealed = DisciplinaryRecordFactory(employee=employee, expires_on=D(2026, 8, 1), status=DisciplineStatus.APPEALED)
    lifted = DisciplinaryRecordFactory(employee=employee, expires_on=D(2026, 8, 1), status=DisciplineStatus.LIFTED)
    dismissal = DisciplinaryRecordFactory(
        employee=EmployeeFactory(), sanction=Sanction.objects.get(code="dismissal"), expires_on=None
    )

    assert services.discipline_expire_due(today=today) == 2

    expected = {
        due_yesterday: (DisciplineStatus.EXPIRED, D(2026, 8, 31), 2),
        due_today: (DisciplineStatus.EXPIRED, D(2026, 9, 1), 2),
        not_yet: (DisciplineStatus.ACTIVE, None, 1),
        appealed: (DisciplineStatus.APPEALED, None, 1),
        lifted: (DisciplineStatus.LIFTED, None, 1),
        dismissal: (DisciplineStatus.ACTIVE, None, 1),
    }
    for row, (status, changed_on, version) in expected.items():
        row.refresh_from_db()
        assert (row.status, row.status_changed_on, row.version) == (status, changed_on, version), row.pk
    assert sorted(
        DisciplinaryRecordEvent.objects.values_list("record_id", "from_status", "to_status", "actor_id", "reason")
    ) == sorted(
        [
            (due_yesterday.pk, "active", "expired", None, "Срок действия взыскания истёк."),
            (due_today.pk, "active", "expired", None, "Срок действия взыскания истёк."),
        ]
    )

    before = db_state()
    assert services.discipline_expire_due(today=today) == 0  # idempotent
    assert db_state() == before


def test_an_overturned_dismissal_reinstates_the_employee(tester):
    employee = EmployeeFactory()
    record = services.discipline_create(
        user=tester, values=discipline_values(employee, "dismissal", negative_grounds=True)
    )
    employee.refresh_from_db()
    assert (employee.status, employee.dismissed_on) == ("dismissed", D(2026, 3, 10))
    services.discipline_transition(user=tester, record_id=record.pk, to="appealed", reason="Жалоба в суд")
    services.discipline_transition(user=tester, record_id=record.pk, to="overturned", reason="Решение суда")
    employee.refresh_from_db()
    assert (employee.status, employee.dismissed_on) == ("active", None)


def test_a_correction_does_not_change_the_status(tester):
    record = DisciplinaryRecordFactory()
    with refused() as error:
        services.discipline_update(user=tester, record_id=record.pk, values={"status": "lifted"})
    assert error.value.message_dict == {"status": ["Это поле здесь не изменяется."]}


def test_the_tester_is_an_internal_security_officer(tester, make_user):
    investigator = make_user(Role.INVESTIGATOR, department="71")
    employee = EmployeeFactory()
    with refused() as error:
        services.check_create(
            user=tester,
            values={
                "employee": employee,
                "trigger": "random",
                "scenario": "Сценарий",
                "tester": investigator,
                "planned_from": D(2026, 6, 1),
                "planned_to": D(2026, 6, 30),
            },
        )
    assert error.value.message_dict == {"tester": ["Проверку проводит сотрудник службы собственной безопасности."]}


def test_conduct_and_inform_need_a_date(tester):
    check = IntegrityCheckFactory()
    with refused() as error:
        services.check_inform(user=tester, check_id=check.pk, informed_on=None)
    assert error.value.message_dict == {"informed_on": ["Укажите дату ознакомления."]}


def test_the_check_window_is_bounded(tester):
    employee = EmployeeFactory()
    with refused() as error:
        services.check_create(
            user=tester,
            values={
                "employee": employee,
                "trigger": "random",
                "scenario": "Сценарий",
                "planned_from": D(2026, 1, 1),
                "planned_to": D(2026, 4, 2),
            },
        )
    assert error.value.message_dict == {"planned_to": ["Период проведения не может превышать 90 дней."]}


def test_nobody_plans_a_check_about_themselves_even_with_another_tester(tester, approver, employee):
    employee.user = tester
    employee.save()
    values = {
        "employee": employee,
        "trigger": "random",
        "scenario": "Сценарий",
        "tester": approver,
        "planned_from": D(2026, 6, 1),
        "planned_to": D(2026, 6, 30),
    }
    with refused(AccessDenied):
        services.check_create(user=tester, values=values)
