"""KPIs bound to an indicator are filled by the nightly job from the computed values, one measurement per quarter,
without duplicates (DESIGN.md §4.3, issue 7 item 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from anticor.indicators.models import RunTrigger
from anticor.indicators.services import indicators_recompute
from projects.choices import KPISource, ProjectStatus
from projects.kpis import kpi_status
from projects.models import KPI, KPIMeasurement
from tests.factories import D, case, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound_kpi():
    project = make_project("75")
    project.start_on, project.end_on, project.status = dt.date(2023, 2, 15), dt.date(2023, 12, 31), ProjectStatus.ACTIVE
    project.save()
    return KPI.objects.create(
        project=project,
        name="Дел по земельным участкам за квартал",
        unit="дел",
        baseline=Decimal(4),
        target=Decimal(0),
        target_on=dt.date(2023, 12, 31),
        better="lower",
        source=KPISource.INDICATOR,
        indicator_code="cases_registered",
        indicator_scope="75",
    )


def measurements(kpi: KPI) -> list[tuple]:
    return list(kpi.measurements.order_by("id").values_list("period", "measured_on", "value", "source", "entered_by"))


def test_a_bound_kpi_gets_one_measurement_per_quarter_of_the_project(bound_kpi):
    case(registered_on="2023-01-10")
    case(registered_on="2023-03-01")
    case(registered_on="2023-05-01")
    case("71", registered_on="2023-05-01")  # another department

    run = indicators_recompute(trigger=RunTrigger.SCHEDULE)

    assert run.measurements_written == 4
    assert measurements(bound_kpi) == [
        ("2023-Q1", dt.date(2023, 3, 31), D(2), "indicator", None),
        ("2023-Q2", dt.date(2023, 6, 30), D(1), "indicator", None),
        ("2023-Q3", dt.date(2023, 9, 30), D(0), "indicator", None),
        ("2023-Q4", dt.date(2023, 12, 31), D(0), "indicator", None),
    ]
    assert bound_kpi.measurements.first().evidence == "Ночной расчёт показателя: cases_registered / 75 / 2023-Q1"
    # The on-track rule reads them like manual ones: 0 at the target date is the target
    assert kpi_status(bound_kpi, bound_kpi.measurements.order_by("-measured_on").first()).on_track is True


def test_a_rerun_adds_nothing_and_a_changed_value_adds_a_new_measurement(bound_kpi):
    case(registered_on="2023-05-01")
    indicators_recompute(trigger=RunTrigger.SCHEDULE)
    before = measurements(bound_kpi)

    assert indicators_recompute(trigger=RunTrigger.SCHEDULE).measurements_written == 0
    assert measurements(bound_kpi) == before

    case(registered_on="2023-06-01")
    assert indicators_recompute(trigger=RunTrigger.SCHEDULE).measurements_written == 1
    assert measurements(bound_kpi) == [*before, ("2023-Q2", dt.date(2023, 6, 30), D(2), "indicator", None)]


def test_the_agency_scope_is_the_default_and_manual_kpis_are_left_alone(bound_kpi):
    KPI.objects.filter(pk=bound_kpi.pk).update(indicator_scope="")
    manual = KPI.objects.create(
        project=bound_kpi.project,
        name="Ручной",
        unit="%",
        baseline=Decimal(0),
        target=Decimal(10),
        target_on=dt.date(2023, 12, 31),
        indicator_code="cases_registered",  # a leftover code does not bind a manual KPI
    )
    case(registered_on="2023-05-01")
    case("71", registered_on="2023-05-02")

    indicators_recompute(trigger=RunTrigger.SCHEDULE)

    assert bound_kpi.measurements.get(period="2023-Q2").value == D(2)
    assert not KPIMeasurement.objects.filter(kpi=manual).exists()
