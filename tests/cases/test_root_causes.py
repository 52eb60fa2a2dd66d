"""Root causes and recommendations: their status machines, verification of elimination, due dates, locking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anticor.access import AccessDenied, Role
from anticor.versioning import StaleVersion
from cases import services
from cases.choices import (
    RECOMMENDATION_TRANSITIONS,
    ROOT_CAUSE_TRANSITIONS,
    RecommendationStatus,
    RootCauseStatus,
)
from cases.filtersets import overdue_recommendations
from cases.models import Recommendation, RecommendationEvent, RootCause, RootCauseCategory, RootCauseEvent
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

EVIDENCE = "Выездная проверка 01.06.2026: выдача разрешений переведена в электронный формат, личный приём отменён"
NO_RECOMMENDATION = "Госорган сам отменил бумажную выдачу разрешений приказом от 12.02.2026 до внесения представления"


@pytest.fixture
def cause(make_user):
    case = CaseFactory()
    return RootCause.objects.create(
        department=case.department,
        category=RootCauseCategory.objects.get(code="manual_process"),
        description="Личный контакт заявителя с чиновником при выдаче разрешений",
        state_body=case.state_body,
        identified_on=dt.date(2026, 1, 15),
    )


def recommendation(cause, **values):
    rec = Recommendation.objects.create(
        number="75-2026-0001", department=cause.department, addressee=cause.state_body, **values
    )
    rec.root_causes.add(cause)
    return rec


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in RootCauseStatus.values for t in RootCauseStatus.values if s != t and t != "regressed"],
)
def test_root_cause_transitions_follow_the_table(make_user, cause, source, target):
    # given a cause found by an investigator, with an answered recommendation and a reason none was needed
    investigator, head = make_user(Role.INVESTIGATOR), make_user(Role.DEPARTMENT_HEAD)
    verified = {"verified_on": dt.date(2026, 5, 1), "verification_evidence": "Проверено"}
    RootCause.objects.filter(pk=cause.pk).update(
        status=source,
        identified_by=investigator,
        no_recommendation_reason=NO_RECOMMENDATION,
        no_recommendation_by=investigator,
        **(verified if source in {"eliminated", "regressed"} else {}),
    )
    recommendation(cause, status="answered", issued_on=dt.date(2026, 2, 1), answered_on=dt.date(2026, 3, 1))
    kwargs = {"on": dt.date(2026, 6, 1), "evidence": EVIDENCE, "reason": "Условие не подтвердилось"}
    # when the head moves it
    if target in ROOT_CAUSE_TRANSITIONS[source]:
        changed = services.root_cause_transition(user=head, root_cause_id=cause.pk, to=target, **kwargs)
        # then the move is made and written on the cause's timeline
        assert (changed.status, changed.version) == (target, 2)
        event = RootCauseEvent.objects.get(root_cause=cause)
        assert (event.actor, event.from_status, event.to_status) == (head, source, target)
    else:
        with pytest.raises(ValidationError):
            services.root_cause_transition(user=head, root_cause_id=cause.pk, to=target, **kwargs)
        cause.refresh_from_db()
        assert (cause.status, cause.version) == (source, 1)
        assert not RootCauseEvent.objects.exists()


def test_regression_is_never_set_by_hand(make_user, cause):
    RootCause.objects.filter(pk=cause.pk).update(
        status=RootCauseStatus.ELIMINATED, verified_on=dt.date(2026, 5, 1), verification_evidence="x"
    )
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(user=make_user(Role.INVESTIGATOR), root_cause_id=cause.pk, to="regressed")
    assert error.value.message_dict["to"] == [
        "Возобновление устанавливается автоматически при регистрации нового дела."
    ]


TRIVIAL = [
    "Опишите, что именно проверено и чем это подтверждено (документ, дата, результат): не менее 6 содержательных "
    "слов. Формулы вроде «со слов госоргана» подтверждением не являются."
]


@pytest.mark.parametrize(
    ("on", "evidence", "errors"),
    [
        (None, EVIDENCE, {"verified_on": ["Укажите дату проверки устранения."]}),
        (dt.date(2026, 6, 1), "  ", {"verification_evidence": ["Опишите, чем подтверждено устранение причины."]}),
        (
            dt.date(2025, 12, 31),
            EVIDENCE,
            {"verified_on": ["Дата проверки должна быть между датой выявления и сегодняшним днём."]},
        ),
        (
            dt.date(2099, 1, 1),
            EVIDENCE,
            {"verified_on": ["Дата проверки должна быть между датой выявления и сегодняшним днём."]},
        ),
        (dt.date(2026, 6, 1), "со слов госоргана", {"verification_evidence": TRIVIAL}),
        (dt.date(2026, 6, 1), "Со слов госоргана: меры приняты, нарушений нет.", {"verification_evidence": TRIVIAL}),
        (dt.date(2026, 6, 1), "x", {"verification_evidence": TRIVIAL}),
        (dt.date(2026, 6, 1), "автоматизирована " * 8, {"verification_evidence": TRIVIAL}),
    ],
)
def test_elimination_is_verified_not_declared(make_user, cause, on, evidence, errors):
    # given an implemented cause whose recommendation is answered
    RootCause.objects.filter(pk=cause.pk).update(status=RootCauseStatus.IMPLEMENTED)
    recommendation(cause, status="answered", issued_on=dt.date(2026, 2, 1), answered_on=dt.date(2026, 3, 1))
    # when the head verifies it without a proper date or evidence of substance, then it is refused at the field
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(
            user=make_user(Role.DEPARTMENT_HEAD), root_cause_id=cause.pk, to="eliminated", on=on, evidence=evidence
        )
    assert error.value.message_dict == errors
    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.verified_on, cause.verification_evidence) == ("implemented", 1, None, "")
    assert not RootCauseEvent.objects.exists()


def answered(cause):
    return recommendation(cause, status="answered", issued_on=dt.date(2026, 2, 1), answered_on=dt.date(2026, 3, 1))


def unchanged(cause, status: str) -> None:
    """A refused decision changed nothing: status, version, verification and the timeline are as they were."""
    cause.refresh_from_db()
    assert (cause.status, cause.version, cause.verified_on, cause.verified_by) == (status, 1, None, None)
    assert not RootCauseEvent.objects.filter(root_cause=cause).exists()


def test_a_cause_is_recorded_with_who_identified_it(make_user):
    investigator = make_user(Role.INVESTIGATOR)
    case = CaseFactory()
    cause = services.root_cause_create(
        user=investigator,
        values={
            "department_id": case.department_id,
            "category_id": RootCauseCategory.objects.get(code="opacity").pk,
            "description": "Закрытая процедура",
            "state_body_id": case.state_body_id,
            "identified_on": dt.date(2026, 1, 10),
        },
    )
    assert cause.identified_by == investigator


def test_whoever_identified_a_cause_cannot_verify_its_elimination(make_user, cause):
    # given a head who identified the cause, now implemented after an answered recommendation
    head = make_user(Role.DEPARTMENT_HEAD)
    RootCause.objects.filter(pk=cause.pk).update(status=RootCauseStatus.IMPLEMENTED, identified_by=head)
    answered(cause)
    # when they verify it themselves, then it is refused at the status
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(
            user=head, root_cause_id=cause.pk, to="eliminated", on=dt.date(2026, 6, 1), evidence=EVIDENCE
        )
    assert error.value.message_dict == {"to": ["Устранение подтверждает другой сотрудник: вы выявили эту причину."]}
    unchanged(cause, "implemented")


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.ANALYST, Role.AUDITOR])
@pytest.mark.parametrize(("source", "target"), [("implemented", "eliminated"), ("recommended", "rejected")])
def test_elimination_and_rejection_need_the_verify_causes_capability(make_user, cause, role, source, target):
    RootCause.objects.filter(pk=cause.pk).update(status=source)
    answered(cause)
    with pytest.raises(AccessDenied):
        services.root_cause_transition(
            user=make_user(role),
            root_cause_id=cause.pk,
            to=target,
            on=dt.date(2026, 6, 1),
            evidence=EVIDENCE,
            reason="Условие не подтвердилось проверкой",
        )
    unchanged(cause, source)


def test_the_moves_offered_are_those_the_user_may_make(make_user, cause):
    RootCause.objects.filter(pk=cause.pk).update(status=RootCauseStatus.RECOMMENDED)
    cause.refresh_from_db()
    offered = services.root_cause_allowed_transitions
    assert offered(user=make_user(Role.INVESTIGATOR), cause=cause) == ["implemented"]
    assert offered(user=make_user(Role.DEPARTMENT_HEAD), cause=cause) == ["implemented", "rejected"]
    assert offered(user=make_user(Role.DEPARTMENT_HEAD, department="71"), cause=cause) == []


@pytest.mark.parametrize("statuses", [(), ("draft",), ("issued",), ("draft", "issued")])
def test_elimination_needs_an_answered_recommendation(make_user, cause, statuses):
    RootCause.objects.filter(pk=cause.pk).update(status=RootCauseStatus.IMPLEMENTED)
    for number, status in enumerate(statuses):
        rec = Recommendation.objects.create(
            number=f"75-2026-{number}", department=cause.department, addressee=cause.state_body, status=status
        )
        rec.root_causes.add(cause)
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(
            user=make_user(Role.DEPARTMENT_HEAD),
            root_cause_id=cause.pk,
            to="eliminated",
            on=dt.date(2026, 6, 1),
            evidence=EVIDENCE,
        )
    assert error.value.message_dict == {
        "to": [
            "Устранение подтверждается после ответа госоргана на представление по этой причине. Если представление "
            "не требовалось, одобрите записанное обоснование."
        ]
    }
    unchanged(cause, "implemented")


@pytest.mark.parametrize("status", ["answered", "verified"])
def test_a_second_person_verifies_elimination_after_the_answer(make_user, cause, status):
    # given a cause an investigator identified and moved on, and the state body's answer to the recommendation
    investigator, head = make_user(Role.INVESTIGATOR), make_user(Role.DEPARTMENT_HEAD)
    RootCause.objects.filter(pk=cause.pk).update(identified_by=investigator)
    for target in ("recommended", "implemented"):
        services.root_cause_transition(user=investigator, root_cause_id=cause.pk, to=target)
    recommendation(cause, status=status, issued_on=dt.date(2026, 2, 1), answered_on=dt.date(2026, 3, 1))
    # when the head verifies it
    done = services.root_cause_transition(
        user=head, root_cause_id=cause.pk, to="eliminated", on=dt.date(2026, 6, 1), evidence=f"  {EVIDENCE} "
    )
    # then it is eliminated, naming the verifier, and every move is on the timeline
    assert (done.status, done.version, done.verified_on, done.verified_by) == (
        "eliminated",
        4,
        dt.date(2026, 6, 1),
        head,
    )
    assert done.verification_evidence == EVIDENCE
    events = list(RootCauseEvent.objects.filter(root_cause=cause).values_list("actor", "from_status", "to_status"))
    assert events == [
        (investigator.pk, "identified", "recommended"),
        (investigator.pk, "recommended", "implemented"),
        (head.pk, "implemented", "eliminated"),
    ]
    last = RootCauseEvent.objects.filter(root_cause=cause).last()
    assert (last.reason, last.data) == (EVIDENCE, {"on": "2026-06-01", "no_recommendation_approved": False})


def test_without_a_recommendation_the_verifier_approves_the_reason_another_person_recorded(make_user, cause):
    investigator, head = make_user(Role.INVESTIGATOR), make_user(Role.DEPARTMENT_HEAD)
    RootCause.objects.filter(pk=cause.pk).update(identified_by=investigator)
    # a trivial reason is refused, a substantial one recorded with its author and on the timeline
    with pytest.raises(ValidationError) as error:
        services.root_cause_update(
            user=investigator,
            root_cause_id=cause.pk,
            expected_version=1,
            values={"no_recommendation_reason": "со слов госоргана"},
        )
    assert error.value.message_dict == {"no_recommendation_reason": TRIVIAL}
    assert RootCause.objects.get(pk=cause.pk).version == 1
    services.root_cause_update(
        user=investigator,
        root_cause_id=cause.pk,
        expected_version=1,
        values={"no_recommendation_reason": NO_RECOMMENDATION},
    )
    services.root_cause_transition(user=investigator, root_cause_id=cause.pk, to="implemented")
    proposal = RootCauseEvent.objects.get(root_cause=cause, kind="no_recommendation")
    assert (proposal.actor, proposal.reason) == (investigator, NO_RECOMMENDATION)
    arguments = {"root_cause_id": cause.pk, "to": "eliminated", "on": dt.date(2026, 6, 1), "evidence": EVIDENCE}
    # without the approval the missing answer stops it
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(user=head, **arguments)
    assert list(error.value.message_dict) == ["to"]
    # with it, the head verifies
    done = services.root_cause_transition(user=head, approve_no_recommendation=True, **arguments)
    assert (done.status, done.verified_by, done.no_recommendation_by) == ("eliminated", head, investigator)
    assert RootCauseEvent.objects.filter(root_cause=cause).last().data["no_recommendation_approved"] is True
    assert RootCauseEvent.objects.filter(root_cause=cause).count() == 3


def test_the_verifier_does_not_approve_their_own_reason(make_user, cause):
    head = make_user(Role.DEPARTMENT_HEAD)
    RootCause.objects.filter(pk=cause.pk).update(
        status=RootCauseStatus.IMPLEMENTED, no_recommendation_reason=NO_RECOMMENDATION, no_recommendation_by=head
    )
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(
            user=head,
            root_cause_id=cause.pk,
            to="eliminated",
            on=dt.date(2026, 6, 1),
            evidence=EVIDENCE,
            approve_no_recommendation=True,
        )
    assert error.value.message_dict == {
        "approve_no_recommendation": ["Обоснование одобряет другой сотрудник: вы его записали."]
    }
    unchanged(cause, "implemented")


def test_without_a_reason_measures_need_a_recommendation(make_user, cause):
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(user=make_user(Role.INVESTIGATOR), root_cause_id=cause.pk, to="implemented")
    assert error.value.message_dict == {
        "to": ["Без представления меры считаются принятыми, только если записано, почему оно не требуется."]
    }
    unchanged(cause, "identified")


def test_rejection_needs_a_reason(make_user, cause):
    head = make_user(Role.DEPARTMENT_HEAD)
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(user=head, root_cause_id=cause.pk, to="rejected", reason="  ")
    assert error.value.message_dict == {"reason": ["Укажите, почему причина отклонена."]}
    unchanged(cause, "identified")
    rejected = services.root_cause_transition(
        user=head, root_cause_id=cause.pk, to="rejected", reason="Условие не подтвердилось проверкой"
    )
    assert rejected.status == "rejected"
    event = RootCauseEvent.objects.get(root_cause=cause)
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        head,
        "identified",
        "rejected",
        "Условие не подтвердилось проверкой",
    )


def test_the_database_keeps_the_verifier_apart_from_the_identifier(make_user, cause):
    from django.db import IntegrityError, transaction

    from anticor.bounds import constraint_violation

    head = make_user(Role.DEPARTMENT_HEAD)
    RootCause.objects.filter(pk=cause.pk).update(identified_by=head)
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        RootCause.objects.filter(pk=cause.pk).update(verified_by=head)
    assert constraint_violation(raised.value).message_dict == {
        "verified_by": [
            "Устранение подтверждает не тот, кто выявил причину или обосновал, что представление не требуется."
        ]
    }


def test_status_events_are_append_only(make_user, cause):
    from django.db import DatabaseError, transaction

    services.root_cause_transition(user=make_user(Role.INVESTIGATOR), root_cause_id=cause.pk, to="recommended")
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        RootCauseEvent.objects.update(reason="Переписано")
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        RootCauseEvent.objects.all().delete()
    assert RootCauseEvent.objects.get().reason == ""


def test_root_cause_of_another_department_cannot_be_changed(make_user, cause):
    with pytest.raises(AccessDenied):
        services.root_cause_transition(
            user=make_user(Role.INVESTIGATOR, department="71"), root_cause_id=cause.pk, to="recommended"
        )
    assert RootCause.objects.get(pk=cause.pk).status == "identified"


def test_stale_root_cause_edit_is_refused(make_user, cause):
    user = make_user(Role.INVESTIGATOR)
    services.root_cause_update(user=user, root_cause_id=cause.pk, expected_version=1, values={"description": "Новое"})
    with pytest.raises(StaleVersion) as conflict:
        services.root_cause_update(user=user, root_cause_id=cause.pk, expected_version=1, values={"description": "Моё"})
    assert conflict.value.changes == {
        "description": ("Личный контакт заявителя с чиновником при выдаче разрешений", "Новое")
    }
    assert RootCause.objects.get(pk=cause.pk).description == "Новое"


def test_one_cause_links_to_several_cases_once_each(make_user, cause):
    user = make_user(Role.INVESTIGATOR)
    first, second = CaseFactory(), CaseFactory()
    services.root_cause_link_cases(user=user, root_cause_id=cause.pk, case_ids=[first.pk, second.pk])
    services.root_cause_link_cases(user=user, root_cause_id=cause.pk, case_ids=[first.pk])
    assert set(cause.cases.all()) == {first, second}
    other = CaseFactory(department_code="71")
    with pytest.raises(ValidationError):
        services.root_cause_link_cases(user=user, root_cause_id=cause.pk, case_ids=[other.pk])
    assert set(cause.cases.all()) == {first, second}


@pytest.mark.parametrize(
    ("delivered", "due"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 2, 15)),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 20), dt.date(2026, 1, 20)),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
    ],
)
def test_due_date_is_one_month_after_delivery(delivered, due):
    assert services.recommendation_default_due_on(delivered) == due


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in RecommendationStatus.values for t in RecommendationStatus.values if s != t],
)
def test_recommendation_transitions_follow_the_table(make_user, cause, source, target):
    dates = (
        {}
        if source == "draft"
        else {"issued_on": dt.date(2026, 2, 1), "delivered_on": dt.date(2026, 2, 2), "due_on": dt.date(2026, 3, 2)}
    )
    rec = recommendation(cause, status=source, **dates)
    user = make_user(Role.INVESTIGATOR)
    kwargs = {"on": dt.date(2026, 3, 1), "note": "Регламент изменён, услуга автоматизирована"}
    if target in RECOMMENDATION_TRANSITIONS[source]:
        changed = services.recommendation_transition(user=user, recommendation_id=rec.pk, to=target, **kwargs)
        assert changed.status == target
        event = RecommendationEvent.objects.get(recommendation=rec)
        assert (event.actor, event.from_status, event.to_status) == (user, source, target)
        assert event.reason == "Регламент изменён, услуга автоматизирована"
    else:
        with pytest.raises(ValidationError):
            services.recommendation_transition(user=user, recommendation_id=rec.pk, to=target, **kwargs)
        assert Recommendation.objects.get(pk=rec.pk).status == source
        assert not RecommendationEvent.objects.exists()


def test_issuing_sets_the_due_date_and_overdue_is_derived(make_user, cause):
    rec = recommendation(cause)
    today = timezone.localdate()
    issued = services.recommendation_transition(
        user=make_user(Role.INVESTIGATOR), recommendation_id=rec.pk, to="issued", on=today - dt.timedelta(days=40)
    )
    assert issued.due_on == services.recommendation_default_due_on(today - dt.timedelta(days=40))
    assert list(overdue_recommendations(today)) == [issued]
    assert issued.is_overdue(today)
    services.recommendation_transition(
        user=make_user(Role.INVESTIGATOR), recommendation_id=rec.pk, to="answered", on=today, note="Меры приняты"
    )
    assert list(overdue_recommendations(today)) == []


def test_answer_requires_its_summary(make_user, cause):
    rec = recommendation(
        cause,
        status="issued",
        issued_on=dt.date(2026, 2, 1),
        delivered_on=dt.date(2026, 2, 1),
        due_on=dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.recommendation_transition(user=make_user(Role.INVESTIGATOR), recommendation_id=rec.pk, to="answered")
    assert error.value.message_dict == {"answer_summary": ["Кратко изложите содержание ответа."]}
    assert Recommendation.objects.get(pk=rec.pk).status == "issued"


def test_issue_date_after_delivery_is_refused_not_a_500(make_user, cause):
    rec = recommendation(cause, issued_on=dt.date(2026, 2, 1), delivered_on=dt.date(2026, 2, 2))
    with pytest.raises(ValidationError) as error:
        services.recommendation_transition(
            user=make_user(Role.INVESTIGATOR), recommendation_id=rec.pk, to="issued", on=dt.date(2026, 3, 1)
        )
    assert error.value.message_dict == {"on": ["Дата внесения не может быть позже даты вручения."]}
    assert Recommendation.objects.get(pk=rec.pk).status == "draft"
