"""The demo registry filled by seed_demo."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from anticor.bounds import is_substantial
from anticor.models import User
from cases.choices import (
    CASE_TRANSITIONS,
    RECOMMENDATION_ANSWERED,
    RECOMMENDATION_TRANSITIONS,
    ROOT_CAUSE_TRANSITIONS,
    RootCauseStatus,
)
from cases.demo import CASES_PER_YEAR, YEARS, demo_cases
from cases.filtersets import overdue_recommendations
from cases.models import Case, CaseEvent, Recommendation, RootCause, Subject

pytestmark = pytest.mark.django_db


def test_demo_registry_is_realistic_and_created_once(make_user):
    users = {"investigator": make_user("investigator"), "head": make_user("department_head")}
    demo_cases(users)
    assert Case.objects.count() == CASES_PER_YEAR * YEARS
    years = dict(Case.objects.values_list("registered_on__year").annotate(n=Count("id")))
    assert sorted(years) == list(range(timezone.localdate().year - YEARS + 1, timezone.localdate().year + 1))
    assert Case.objects.values("department").distinct().count() == 20
    assert Subject.objects.filter(case__in=Case.objects.all()).values("case").distinct().count() == Case.objects.count()
    statuses = set(RootCause.objects.values_list("status", flat=True))
    assert {RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED} <= statuses
    assert not RootCause.objects.filter(status=RootCauseStatus.ELIMINATED, verified_on__isnull=True).exists()
    assert overdue_recommendations().count() > 0
    assert Recommendation.objects.exclude(status="issued").exists()
    # Every recorded transition is one the status machine allows.
    for source, target in CaseEvent.objects.filter(kind="transition").values_list("from_status", "to_status"):
        assert target in CASE_TRANSITIONS[source]
    # Elimination is verified, not declared: by another person than who identified the cause (the head in
    # department 75), after an answered recommendation, on evidence of substance; every move is on the timeline.
    eliminated = RootCause.objects.filter(status__in=[RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED])
    for cause in eliminated.prefetch_related("recommendations"):
        assert {rec.status for rec in cause.recommendations.all()} & RECOMMENDATION_ANSWERED
        assert is_substantial(cause.verification_evidence)
    assert set(eliminated.filter(department__code="75").values_list("identified_by", "verified_by")) == {
        (users["investigator"].pk, users["head"].pk)
    }
    assert not eliminated.exclude(department__code="75").exclude(verified_by__isnull=True).exists()
    for cause in RootCause.objects.prefetch_related("events"):
        path = [(event.from_status, event.to_status) for event in cause.events.all()]
        assert all(target in ROOT_CAUSE_TRANSITIONS[source] for source, target in path)
        assert (path[-1][1] if path else RootCauseStatus.IDENTIFIED) == cause.status
    for rec in Recommendation.objects.prefetch_related("events"):
        path = [(event.from_status, event.to_status) for event in rec.events.all()]
        assert all(target in RECOMMENDATION_TRANSITIONS[source] for source, target in path)
        assert path[-1][1] == rec.status
    # Department 75's cases are the demo investigator's, a few still unassigned; no other department's are.
    almaty = Case.objects.filter(department__code="75")
    assert set(almaty.values_list("investigator", flat=True)) == {users["investigator"].pk, None}
    assert 0 < almaty.filter(investigator__isnull=True).count() < almaty.count() // 2
    assert not Case.objects.exclude(department__code="75").filter(investigator__isnull=False).exists()
    # A second run adds nothing.
    demo_cases(users)
    assert Case.objects.count() == CASES_PER_YEAR * YEARS
    assert User.objects.count() == 2
