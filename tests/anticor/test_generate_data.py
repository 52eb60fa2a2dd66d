"""generate_data: N consistent synthetic cases and staff records, deterministic for a seed, outside the audit trail."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models

from anticor.bounds import is_substantial
from anticor.identifiers import validate_iin
from anticor.synthetic import synthetic_meta
from cases.choices import CASE_FINAL, CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import Case, Recommendation, RootCause, Subject
from cases.services import recommendation_default_due_on
from cases.synthetic import CASE_PREFIX
from integrity.models import DisciplinaryRecord, Employee, IntegrityCheck
from integrity.synthetic import employees_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

N = 300
END = dt.date(2026, 6, 30)
COURT = {CaseStatus.SENT_TO_COURT, CaseStatus.CONVICTED, CaseStatus.ACQUITTED, CaseStatus.TERMINATED_BY_COURT}


def generate(cases: int = N, seed: int = 7, **options) -> str:
    out = StringIO()
    call_command("generate_data", cases=cases, seed=seed, end=END, stdout=out, **options)
    return out.getvalue()


def audit_counts() -> dict[str, int]:
    tables = [m._meta.db_table for m in apps.get_models() if m.__name__.endswith("Audit")] + ["pghistory_context"]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the models
            counts[table] = cursor.fetchone()[0]
    return counts


def fingerprint() -> list[tuple]:
    return list(Case.objects.order_by("registration_number").values_list("registration_number", "summary", "status"))


def test_generates_exactly_n_consistent_cases():
    # given the reference data only; when generating 300 cases
    output = generate()

    # then exactly N cases, all synthetic, within the five-year window ending on END
    assert Case.objects.count() == N
    assert "cases_case" in output
    assert not Case.objects.exclude(registration_number__startswith=CASE_PREFIX).exists()
    assert Case.objects.filter(registered_on__gt=END).count() == 0
    assert Case.objects.filter(registered_on__lt=dt.date(END.year - 4, 1, 1)).count() == 0
    assert Case.objects.values("department").distinct().count() == 20
    assert len(set(Case.objects.values_list("status", flat=True))) >= 6
    for case in Case.objects.all():
        case.full_clean(exclude=["version"])  # 15-digit number, amounts, FK values
        assert case.recovered_amount <= case.damage_amount
        if case.status in COURT:
            assert case.sent_to_court_on is not None, case.status
        else:
            assert case.sent_to_court_on is None, case.status
        if case.status in CASE_FINAL:
            assert case.closed_on == case.status_changed_on, case.status
            assert case.closed_on is not None
            assert case.closed_on <= END
        else:
            assert case.closed_on is None, case.status
        assert (case.termination_ground_id is not None) == (case.status == CaseStatus.TERMINATED)
        assert (case.merged_into_id is not None) == (case.status == CaseStatus.MERGED)
        if case.status != CaseStatus.REGISTERED:
            assert case.registered_on < case.status_changed_on <= END
        assert case.search_vector
    # some were entered in the system more than 30 days after registration (the backdating signal)
    assert any((c.created_at.date() - c.registered_on).days > 30 for c in Case.objects.all())
    # every case has articles and subjects with valid IINs
    assert not Case.objects.filter(articles__isnull=True).exists()
    assert not Case.objects.filter(subjects__isnull=True).exists()
    for iin in Subject.objects.values_list("iin", flat=True):
        validate_iin(iin)


def test_root_causes_recommendations_and_staff_are_consistent():
    generate()

    causes = RootCause.objects.all()
    assert causes.count() > N // 5
    assert not causes.filter(cases__isnull=True).exists()
    statuses = set(causes.values_list("status", flat=True))
    assert {RootCauseStatus.ELIMINATED, RootCauseStatus.IMPLEMENTED, RootCauseStatus.IDENTIFIED} <= statuses
    for cause in causes:
        cause.full_clean(exclude=["version", "cases"])
        if cause.status in {RootCauseStatus.ELIMINATED, RootCauseStatus.REGRESSED}:
            assert is_substantial(cause.verification_evidence)
            assert cause.identified_on < cause.verified_on <= END
            # verified after the state body's answer (synthetic history names nobody, as for old rows)
            assert cause.recommendations.get().status == RecommendationStatus.VERIFIED
        else:
            assert cause.verified_on is None
    recommendations = Recommendation.objects.all()
    assert recommendations.filter(status=RecommendationStatus.ANSWERED).exists()
    assert recommendations.filter(status=RecommendationStatus.ISSUED).exists()
    for rec in recommendations:
        rec.full_clean(exclude=["version", "root_causes"])
        assert rec.root_causes.count() == 1
        if rec.status == RecommendationStatus.DRAFT:
            assert rec.issued_on is None
            assert rec.due_on is None
            continue
        assert rec.issued_on <= rec.delivered_on <= END
        assert rec.due_on == recommendation_default_due_on(rec.delivered_on)
        assert (rec.answered_on is None) == (rec.status == RecommendationStatus.ISSUED)
        if rec.answered_on:
            assert rec.delivered_on <= rec.answered_on <= END
    assert Employee.objects.count() == employees_for(N)
    for employee in Employee.objects.all():
        validate_iin(employee.iin)
        employee.full_clean(exclude=["version"])
    for record in DisciplinaryRecord.objects.all():
        record.full_clean(exclude=["version"])
    for check in IntegrityCheck.objects.select_related("employee", "approver"):
        check.full_clean(exclude=["version"])
        if check.approver_id:
            assert check.approver_id != check.tester_id
            assert check.approver.department_id != check.employee.department_id


def test_every_foreign_key_of_the_generated_rows_points_at_a_row():
    # the load runs with triggers (and so foreign-key checks) off; the ids it computes must all exist
    generate()
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in {"cases", "integrity"} or model.__name__.endswith("Audit"):
                continue
            for fk in model._meta.concrete_fields:
                if not isinstance(fk, models.ForeignKey):
                    continue
                target = fk.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {model._meta.db_table} AS t WHERE t.{fk.column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {target.db_table} AS r WHERE r.{target.pk.column} = t.{fk.column})"
                )
                assert cursor.fetchone()[0] == 0, f"{model._meta.db_table}.{fk.column}"


def test_deterministic_for_a_seed_and_different_for_another():
    generate(seed=7)
    first = fingerprint()
    subjects = list(Subject.objects.order_by("case__registration_number", "id").values_list("full_name", "iin"))

    generate(seed=7, replace=True)  # the recorded synthetic dataset is replaced by a fresh one
    assert fingerprint() == first
    assert list(Subject.objects.order_by("case__registration_number", "id").values_list("full_name", "iin")) == (
        subjects
    )

    generate(seed=8)  # another seed: the dataset is regenerated and differs
    assert Case.objects.count() == N
    assert fingerprint() != first
    assert synthetic_meta()["seed"] == 8


def test_same_n_and_seed_again_is_a_no_op():
    generate()
    ids = list(Case.objects.order_by("id").values_list("id", flat=True))

    output = generate()

    assert "nothing to do" in output
    assert list(Case.objects.order_by("id").values_list("id", flat=True)) == ids


def test_leaves_the_audit_trail_unchanged():
    before = audit_counts()

    generate()

    assert Case.objects.count() == N
    assert audit_counts() == before
    # the triggers are back on afterwards: an ordinary change is audited again
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    Case.objects.filter(pk=Case.objects.order_by("id").first().pk).update(summary="Правка после загрузки")
    assert audit_counts()["cases_caseaudit"] == before["cases_caseaudit"] + 1


def test_refuses_a_database_with_other_cases_unless_forced():
    existing = CaseFactory()
    before = audit_counts()

    with pytest.raises(CommandError, match="--force"):
        generate()
    assert list(Case.objects.values_list("pk", flat=True)) == [existing.pk]

    generate(force=True)  # added next to it; the existing case is untouched
    assert Case.objects.count() == N + 1
    existing_after = Case.objects.get(pk=existing.pk)
    assert (existing_after.registration_number, existing_after.summary, existing_after.version) == (
        existing.registration_number,
        existing.summary,
        existing.version,
    )
    assert audit_counts() == before
    with pytest.raises(CommandError, match="fresh database"):
        generate(seed=9, force=True)  # a mixed database is never truncated
    assert Case.objects.count() == N + 1


@pytest.mark.parametrize("cases", [0, -5])
def test_bad_case_count_is_refused(cases):
    with pytest.raises(CommandError, match="--cases"):
        generate(cases=cases)
    assert Case.objects.count() == 0


def test_iin_validation_of_generated_subjects_is_the_real_one():
    # a sanity check of the checker used above: a wrong check digit is caught
    generate(cases=20)
    iin = Subject.objects.first().iin
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    with pytest.raises(ValidationError):
        validate_iin(wrong)


def test_causes_are_left_as_the_nightly_regression_rule_would_leave_them():
    # given generated data (the generator applies the recurrence rule to its eliminated causes)
    generate()
    regressed = set(RootCause.objects.filter(status=RootCauseStatus.REGRESSED).values_list("pk", flat=True))
    assert RootCause.objects.filter(status=RootCauseStatus.ELIMINATED).exists()

    # when the nightly job's own marking runs, then it finds nothing left to mark
    from cases.services import root_causes_mark_regressed

    assert root_causes_mark_regressed() == 0
    assert set(RootCause.objects.filter(status=RootCauseStatus.REGRESSED).values_list("pk", flat=True)) == regressed


def test_each_app_hands_its_step_to_the_platform_in_installed_apps_order():
    from anticor import synthetic

    assert [step.name for step in synthetic.SYNTHETIC_STEPS] == ["cases", "integrity"]
    assert [table for step in synthetic.SYNTHETIC_STEPS for table in step.tables] == [
        "cases_case",
        "cases_case_articles",
        "cases_subject",
        "cases_rootcause",
        "cases_rootcause_cases",
        "cases_recommendation",
        "cases_recommendation_root_causes",
        "cases_recommendationmeasure",
        "cases_caseevent",
        "cases_rootcauseevent",
        "cases_recommendationevent",
        "integrity_employee",
        "integrity_disciplinaryrecord",
        "integrity_disciplinaryrecordevent",
        "integrity_conviction",
        "integrity_integritycheck",
        "integrity_integritycheckevent",
    ]


def test_only_the_registered_steps_are_generated_and_recorded(monkeypatch):
    # given only the cases' step registered
    from anticor import synthetic
    from cases.synthetic import SYNTHETIC_CASES

    monkeypatch.setattr(synthetic, "SYNTHETIC_STEPS", [SYNTHETIC_CASES])
    # when generating
    output = generate(cases=20)
    # then its tables are filled and recorded, and no other step ran
    assert Case.objects.count() == 20
    assert not Employee.objects.exists()
    assert "staff:" not in output
    assert sorted(synthetic_meta()["counts"]) == ["cases_case", "cases_recommendation", "cases_rootcause"]
    assert "nothing to do" in generate(cases=20)


def test_a_step_registered_again_replaces_itself_and_tables_belong_to_one_step(monkeypatch):
    from anticor import synthetic

    def load(_run, _params):
        return None

    steps: list[synthetic.SyntheticStep] = []
    monkeypatch.setattr(synthetic, "SYNTHETIC_STEPS", steps)
    first = synthetic.SyntheticStep(name="a", tables=("t1",), counted=(), load=load)
    second = synthetic.SyntheticStep(name="b", tables=("t2",), counted=(), load=load)
    synthetic.register_synthetic(first)
    synthetic.register_synthetic(second)
    again = synthetic.SyntheticStep(name="a", tables=("t1", "t3"), counted=(), load=load)
    synthetic.register_synthetic(again)
    assert steps == [again, second]
    with pytest.raises(ValueError, match="t2"):
        synthetic.register_synthetic(synthetic.SyntheticStep(name="c", tables=("t2",), counted=(), load=load))
    assert steps == [again, second]
