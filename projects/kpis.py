"""The on-track rule of a KPI (DESIGN.md §4.3): the straight line from the baseline to the target, and where the
latest measurement stands against it. Pure computation, read by the selectors, the services and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from projects.choices import Better
from projects.models import KPI, KPIMeasurement


@dataclass(frozen=True)
class Trajectory:
    """The straight line from the baseline at the project's start to the target at the target date."""

    start_on: dt.date
    baseline: Decimal
    target_on: dt.date
    target: Decimal

    def expected(self, on: dt.date) -> Fraction:
        """The value the line reaches at ``on`` (the baseline before the start, the target after the target date).

        Exact arithmetic: a value on the line must count as on the line, not a rounding error below it.
        """
        if on <= self.start_on:
            return Fraction(self.baseline)
        if on >= self.target_on:
            return Fraction(self.target)
        elapsed = Fraction((on - self.start_on).days, (self.target_on - self.start_on).days)
        return Fraction(self.baseline) + (Fraction(self.target) - Fraction(self.baseline)) * elapsed


def kpi_trajectory(kpi: KPI) -> Trajectory:
    return Trajectory(start_on=kpi.project.start_on, baseline=kpi.baseline, target_on=kpi.target_on, target=kpi.target)


def is_on_track(*, better: str, value: Decimal, expected: Fraction) -> bool:
    """At least as good as the line: not below it when higher is better, not above it when lower is better."""
    if better == Better.HIGHER:
        return Fraction(value) >= expected
    return Fraction(value) <= expected


@dataclass(frozen=True)
class KPIStatus:
    """Whether a KPI is on track, and why: its latest value against the trajectory at that date."""

    kpi: KPI
    latest: KPIMeasurement | None
    expected: Fraction | None
    on_track: bool | None  # None: no measurement yet

    @property
    def gap(self) -> Decimal | None:
        """How far the latest value is from the line, in the good direction (negative = behind)."""
        if self.latest is None or self.expected is None:
            return None
        difference = Fraction(self.latest.value) - self.expected
        if self.kpi.better == Better.LOWER:
            difference = -difference
        return Decimal(difference.numerator) / Decimal(difference.denominator)


def kpi_status(kpi: KPI, latest: KPIMeasurement | None) -> KPIStatus:
    if latest is None:
        return KPIStatus(kpi=kpi, latest=None, expected=None, on_track=None)
    expected = kpi_trajectory(kpi).expected(latest.measured_on)
    return KPIStatus(
        kpi=kpi,
        latest=latest,
        expected=expected,
        on_track=is_on_track(better=kpi.better, value=latest.value, expected=expected),
    )
