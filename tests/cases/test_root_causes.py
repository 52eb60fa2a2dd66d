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
from cases.models import Recommendation, RootCause, RootCauseCategory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


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
    investigator = make_user(Role.INVESTIGATOR)
    verified = {"verified_on": dt.date(2026, 5, 1), "verification_evidence": "Проверено"}
    RootCause.objects.filter(pk=cause.pk).update(
        status=source, **(verified if source in {"eliminated", "regressed"} else {})
    )
    kwargs = {"on": dt.date(2026, 6, 1), "evidence": "Услуга переведена в электронный формат"}
    if target in ROOT_CAUSE_TRANSITIONS[source]:
        changed = services.root_cause_transition(user=investigator, root_cause_id=cause.pk, to=target, **kwargs)
        assert (changed.status, changed.version) == (target, 2)
    else:
        with pytest.raises(ValidationError):
            services.root_cause_transition(user=investigator, root_cause_id=cause.pk, to=target, **kwargs)
        cause.refresh_from_db()
        assert (cause.status, cause.version) == (source, 1)


def test_regression_is_never_set_by_hand(make_user, cause):
    RootCause.objects.filter(pk=cause.pk).update(
        status=RootCauseStatus.ELIMINATED, verified_on=dt.date(2026, 5, 1), verification_evidence="x"
    )
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(user=make_user(Role.INVESTIGATOR), root_cause_id=cause.pk, to="regressed")
    assert error.value.message_dict["to"] == [
        "Возобновление устанавливается автоматически при регистрации нового дела."
    ]


@pytest.mark.parametrize(
    ("on", "evidence", "errors"),
    [
        (None, "Подтверждено проверкой", {"verified_on": ["Укажите дату проверки устранения."]}),
        (dt.date(2026, 6, 1), "  ", {"verification_evidence": ["Опишите, чем подтверждено устранение причины."]}),
        (
            dt.date(2025, 12, 31),
            "x",
            {"verified_on": ["Дата проверки должна быть между датой выявления и сегодняшним днём."]},
        ),
        (
            dt.date(2099, 1, 1),
            "x",
            {"verified_on": ["Дата проверки должна быть между датой выявления и сегодняшним днём."]},
        ),
    ],
)
def test_elimination_is_verified_not_declared(make_user, cause, on, evidence, errors):
    RootCause.objects.filter(pk=cause.pk).update(status=RootCauseStatus.IMPLEMENTED)
    with pytest.raises(ValidationError) as error:
        services.root_cause_transition(
            user=make_user(Role.INVESTIGATOR), root_cause_id=cause.pk, to="eliminated", on=on, evidence=evidence
        )
    assert error.value.message_dict == errors
    cause.refresh_from_db()
    assert (cause.status, cause.verified_on, cause.verification_evidence) == ("implemented", None, "")


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
    else:
        with pytest.raises(ValidationError):
            services.recommendation_transition(user=user, recommendation_id=rec.pk, to=target, **kwargs)
        assert Recommendation.objects.get(pk=rec.pk).status == source


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
