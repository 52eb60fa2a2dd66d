"""Line charts drawn one way on every page (a project's KPI trajectory, an indicator's trend).

The geometry is computed here, in Python — scales from values and dates to positions, the points of a line, the
axis labels, reference lines (a target, a threshold) — and the SVG markup is one template,
``includes/line_chart.svg.html``, rendered with the geometry as its context. Server-rendered, no JavaScript,
printable; the numbers in labels come already formatted (:mod:`anticor.formatting`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

Value = float | int | Decimal | dt.date

TEMPLATE = "includes/line_chart.svg.html"


def _offset(value: Value, origin: Value) -> float:
    if isinstance(value, dt.date) and isinstance(origin, dt.date):
        return (value - origin).days
    return float(value) - float(origin)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Scale:
    """A linear map from values (numbers or dates) between ``low`` and ``high`` to positions between ``start`` and
    ``end`` on the drawing, rounded to a tenth; an empty range maps to the middle."""

    low: Value
    high: Value
    start: float
    end: float

    def __call__(self, value: Value) -> float:
        span = _offset(self.high, self.low)
        if span == 0:
            return round((self.start + self.end) / 2, 1)
        return round(self.start + _offset(value, self.low) * (self.end - self.start) / span, 1)


@dataclass(frozen=True)
class Padding:
    """Room around the plot for the axis labels."""

    left: int
    right: int
    top: int
    bottom: int


@dataclass(frozen=True)
class Label:
    """A text on the drawing: a value on the y axis, a date or a period under the x axis."""

    x: float
    y: float
    text: str
    anchor: str = "middle"  # start | middle | end
    css: str = ""


@dataclass(frozen=True)
class Line:
    """A reference line (a KPI's trajectory, an indicator's threshold) with its tooltip."""

    css: str
    x1: float
    y1: float
    x2: float
    y2: float
    title: str


@dataclass(frozen=True)
class Marker:
    """A diamond standing on a point (a KPI's target), with its tooltip."""

    css: str
    x: float
    y: float
    title: str

    @property
    def top(self) -> float:
        return self.y - 6


@dataclass(frozen=True)
class Series:
    """A line through points; ``points`` is the polyline's ``points`` attribute."""

    css: str
    points: str


@dataclass(frozen=True)
class Point:
    css: str
    x: float
    y: float
    r: int
    title: str


@dataclass
class LineChart:
    """The geometry of one chart: its frame and scales, and what is drawn in it, in drawing order (axes, axis
    labels, ticks, reference lines, markers, lines, points). ``css`` is the chart's class and its parts' prefix."""

    css: str
    title_id: str
    title: str
    width: int
    height: int
    padding: Padding
    x_range: tuple[Value, Value]
    y_range: tuple[Value, Value]
    labels: list[Label] = field(default_factory=list)  # in the chart's «__labels» group
    ticks: list[Label] = field(default_factory=list)  # each with its own class, after the group
    lines: list[Line] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.padding.left

    @property
    def right(self) -> int:
        return self.width - self.padding.right

    @property
    def top(self) -> int:
        return self.padding.top

    @property
    def bottom(self) -> int:
        return self.height - self.padding.bottom

    @property
    def x(self) -> Scale:
        return Scale(*self.x_range, self.left, self.right)

    @property
    def y(self) -> Scale:
        """Values grow upwards: the low end of the range sits on the x axis."""
        return Scale(*self.y_range, self.bottom, self.top)

    def add_series(self, css: str, points: Sequence[tuple[Value, Value]]) -> None:
        """A line through (x, y) values; a single point draws no line."""
        if len(points) > 1:
            x, y = self.x, self.y
            self.series.append(Series(css, " ".join(f"{x(a)},{y(b)}" for a, b in points)))

    def svg(self) -> SafeString:
        return mark_safe(render_to_string(TEMPLATE, {"chart": self}).strip())  # noqa: S308 - an autoescaped template
