"""The case status machine, optimistic locking and permission checks, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from anticor.access import AccessDenied, Role
from anticor.versioning import StaleVersion
from cases import services
from cases.choices import CASE_FINAL, CASE_TRANSITIONS, CaseEventKind, CaseStatus
from cases.models import Case, CaseEvent, TerminationGround
from cases.selectors import case_search
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(source, target) for source in CaseStatus.values for target in CaseStatus.values if source != target]


def put_in_status(case: Case, status: str) -> Case:
    extra = {}
    if status == CaseStatus.TERMINATED:
        extra["termination_ground"] = TerminationGround.objects.get(code="no_event")
    if status == CaseStatus.MERGED:
        extra["merged_into"] = CaseFactory()
    Case.objects.filter(pk=case.pk).update(status=status, status_changed_on=dt.date(2026, 3, 2), **extra)
    case.refresh_from_db()
    return case


def transition_kwargs(case: Case, target: str) -> dict:
    kwargs = {"case_id": case.pk, "to": target, "reason": "Постановление следователя"}
    if target == CaseStatus.TERMINATED:
        kwargs["termination_ground_id"] = TerminationGround.objects.get(code="no_corpus_delicti").pk
    if target == CaseStatus.MERGED:
        kwargs["merged_into_id"] = CaseFactory().pk
    return kwargs


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_each_transition_is_allowed_or_refused_by_the_table(make_user, source, target):
    head = make_user(Role.DEPARTMENT_HEAD)
    case = put_in_status(CaseFactory(), source)
    before = (case.status, case.version, CaseEvent.objects.filter(case=case).count())
    if target in CASE_TRANSITIONS[source]:
        changed = services.case_transition(user=head, **transition_kwargs(case, target))
        assert (changed.status, changed.version) == (target, before[1] + 1)
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.kind, event.from_status, event.to_status, event.actor) == (
            CaseEventKind.TRANSITION,
            source,
            target,
            head,
        )
    else:
        with pytest.raises(ValidationError) as error:
            services.case_transition(user=head, **transition_kwargs(case, target))
        assert "to" in error.value.message_dict
        case.refresh_from_db()
        assert (case.status, case.version, CaseEvent.objects.filter(case=case).count()) == before


def test_termination_requires_a_ground_and_changes_nothing_without_it(make_user):
    head = make_user(Role.DEPARTMENT_HEAD)
    case = put_in_status(CaseFactory(), CaseStatus.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        services.case_transition(user=head, case_id=case.pk, to=CaseStatus.TERMINATED, reason="Нет состава")
    assert error.value.message_dict == {"termination_ground": ["Для прекращения дела укажите основание."]}
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    assert case.termination_ground is None


def test_a_reason_is_required(make_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as error:
        services.case_transition(user=make_user(Role.INVESTIGATOR), case_id=case.pk, to="investigating", reason="  ")
    assert error.value.message_dict == {"reason": ["Укажите основание смены статуса."]}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


@pytest.mark.parametrize("target", sorted(CASE_FINAL - {CaseStatus.MERGED, CaseStatus.TERMINATED}))
def test_only_heads_take_final_decisions(make_user, target):
    investigator = make_user(Role.INVESTIGATOR)
    case = put_in_status(CaseFactory(), CaseStatus.SENT_TO_COURT)
    with pytest.raises(AccessDenied):
        services.case_transition(user=investigator, **transition_kwargs(case, target))
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.SENT_TO_COURT, 1)
    assert services.case_allowed_transitions(user=investigator, case=case) == []
    assert services.case_allowed_transitions(user=make_user(Role.DEPARTMENT_HEAD), case=case) == [
        "convicted",
        "acquitted",
        "terminated_by_court",
        "merged",
    ]


def test_another_departments_case_cannot_be_touched(make_user):
    astana_head = make_user(Role.DEPARTMENT_HEAD, department="71")
    case = CaseFactory()  # Almaty
    with pytest.raises(AccessDenied):
        services.case_transition(user=astana_head, case_id=case.pk, to="investigating", reason="x")
    with pytest.raises(AccessDenied):
        services.case_update(user=astana_head, case_id=case.pk, expected_version=1, values={"summary": "подмена"})
    case.refresh_from_db()
    assert (case.status, case.summary, case.version) == (
        CaseStatus.REGISTERED,
        "Получение взятки за выделение земельного участка",
        1,
    )


def test_analyst_and_auditor_read_but_do_not_write(make_user):
    case = CaseFactory()
    for role in (Role.ANALYST, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            services.case_update(
                user=make_user(role, department="00"), case_id=case.pk, expected_version=1, values={"summary": "x"}
            )
    assert Case.objects.get(pk=case.pk).version == 1


def test_stale_edit_is_refused_and_reports_what_changed(make_user):
    first, second = make_user(Role.INVESTIGATOR), make_user(Role.INVESTIGATOR)
    case = CaseFactory()
    services.case_update(user=first, case_id=case.pk, expected_version=1, values={"summary": "Версия первого"})
    with pytest.raises(StaleVersion) as conflict:
        services.case_update(user=second, case_id=case.pk, expected_version=1, values={"summary": "Версия второго"})
    # What the first user changed meanwhile, from the audit trail: (as the second user saw it, now).
    assert conflict.value.changes == {"summary": ("Получение взятки за выделение земельного участка", "Версия первого")}
    case.refresh_from_db()
    assert (case.summary, case.version) == ("Версия первого", 2)


def test_recovered_above_damage_and_future_date_are_refused(make_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as error:
        services.case_update(
            user=make_user(Role.INVESTIGATOR),
            case_id=case.pk,
            expected_version=1,
            values={
                "damage_amount": Decimal("100.00"),
                "recovered_amount": Decimal("150.00"),
                "registered_on": dt.date(2099, 1, 1),
            },
        )
    assert error.value.message_dict == {
        "registered_on": ["Дата регистрации не может быть в будущем."],
        "recovered_amount": ["Возмещённая сумма не может превышать сумму ущерба."],
    }
    case.refresh_from_db()
    assert (case.damage_amount, case.recovered_amount, case.version) == (Decimal("0.00"), Decimal("0.00"), 1)


def test_full_text_search_finds_a_subject_in_another_grammatical_case(make_user):
    investigator = make_user(Role.INVESTIGATOR)
    case = services.case_create(
        user=investigator,
        values={
            "registration_number": "751234567890123",
            "registered_on": dt.date(2026, 2, 1),
            "department_id": investigator.department_id,
            "state_body": CaseFactory().state_body,
            "sector_id": CaseFactory().sector_id,
            "summary": "Хищение бюджетных средств при закупках",
        },
        article_ids=[CaseFactory().articles.first().pk],
        subjects=[services.SubjectData(full_name="Серикбаев Нурлан Маратович", iin="900101300007", role="suspect")],
    )
    for text in ["Серикбаева", "серикбаеву", "Серикбаевым Нурланом", "закупка", "751234567890123"]:
        assert list(case_search(Case.objects.all(), text)) == [case], text
    assert list(case_search(Case.objects.all(), "Серикболов")) == []
    # Query syntax characters are not syntax here: no error, and no filter when nothing is left.
    assert case_search(Case.objects.all(), "'&|!:*()").count() == Case.objects.count()


def test_head_archives_a_wrong_record_with_a_reason(make_user):
    head = make_user(Role.DEPARTMENT_HEAD)
    case = CaseFactory()
    archived = services.case_archive(user=head, case_id=case.pk, reason="Внесено ошибочно, дубль дела")
    assert (archived.is_archived, archived.archive_reason, archived.version) == (
        True,
        "Внесено ошибочно, дубль дела",
        2,
    )
    assert CaseEvent.objects.filter(case=case).latest("id").kind == CaseEventKind.ARCHIVED
    assert Case.objects.filter(pk=case.pk).exists()


def test_investigator_cannot_archive_and_nothing_changes(make_user):
    case = CaseFactory()
    with pytest.raises(AccessDenied):
        services.case_archive(user=make_user(Role.INVESTIGATOR), case_id=case.pk, reason="x")
    with pytest.raises(ValidationError):
        services.case_archive(user=make_user(Role.DEPARTMENT_HEAD), case_id=case.pk, reason=" ")
    case.refresh_from_db()
    assert (case.is_archived, case.archive_reason, case.version) == (False, "", 1)
