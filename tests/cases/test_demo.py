"""The demo registry filled by seed_demo."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from anticor.models import User
from cases.choices import CASE_TRANSITIONS, RootCauseStatus
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
    # A second run adds nothing.
    demo_cases(users)
    assert Case.objects.count() == CASES_PER_YEAR * YEARS
    assert User.objects.count() == 2
