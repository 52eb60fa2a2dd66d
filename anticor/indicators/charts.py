"""An indicator's trend: its values over the periods of the same kind as a line (gaps where there is no value),
the threshold as a dashed line. The geometry of :mod:`anticor.charts`; each point carries its value as a tooltip."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from anticor.charts import Label, Line, LineChart, Padding, Point
from anticor.formatting import show_value

CHART_WIDTH, CHART_HEIGHT = 360, 150
PADDING = Padding(left=62, right=22, top=12, bottom=26)
LEGACY_CHART_WIDTH = 280


def _value_range(values: list[float], unit: str) -> tuple[float, float]:
    """From zero (or the lowest value) to a little above the highest value or the threshold: a whole number for
    counts, days and points; a share at least up to 10% and never above 100%."""
    low = min([0.0, *values])
    high = max([*values, 1.0]) if values else 1.0
    if unit == "%":
        high = max(high, 10.0)
    ceiling = high
    high += (high - low) * 0.1
    if unit == "%" and ceiling <= 100:
        high = min(high, 100.0)
    elif unit != "%":
        high = float(math.ceil(high))
    return low, high


def trend_chart(
    *,
    key: str,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    unit: str = "",
    threshold: Decimal | None = None,
    width: int = CHART_WIDTH,
) -> SafeString:
    """The trend of one figure: ``points`` are (short period label, value or None), oldest first."""
    values = [float(v) for _label, v in points if v is not None]
    if threshold is not None:
        values.append(float(threshold))
    low, high = _value_range(values, unit)
    chart = LineChart(
        css="trend-chart",
        title_id=f"trend-{key}-title",
        title=title,
        width=width,
        height=CHART_HEIGHT,
        padding=PADDING,
        x_range=(0, max(len(points) - 1, 0)),
        y_range=(low, high),
    )
    x, y = chart.x, chart.y
    chart.labels = [
        Label(chart.left - 5, chart.bottom + 4, show_value(Decimal(str(low)), unit), anchor="end"),
        Label(chart.left - 5, chart.top + 8, show_value(Decimal(str(high)), unit), anchor="end"),
    ]
    chart.ticks = [
        Label(x(i), CHART_HEIGHT - 8, label, css="trend-chart__period")
        for i, (label, _v) in enumerate(points)
        # A narrow chart labels every other period, counting back from the current one.
        if width >= CHART_WIDTH or (len(points) - 1 - i) % 2 == 0
    ]
    if threshold is not None:
        at = y(threshold)
        chart.lines.append(
            Line(
                "trend-chart__threshold",
                chart.left,
                at,
                chart.right,
                at,
                _("Порог: %(value)s") % {"value": show_value(threshold, unit)},
            )
        )
    segment: list[tuple[int, Decimal]] = []
    for i, (_label, value) in enumerate([*points, ("", None)]):
        if value is None:
            chart.add_series("trend-chart__line", segment)
            segment = []
        else:
            segment.append((i, value))
    last = len(points) - 1
    chart.points = [
        Point(
            "trend-chart__point trend-chart__point--current" if i == last else "trend-chart__point",
            x(i),
            y(value),
            4 if i == last else 3,
            f"{label}: {show_value(value, unit)}",
        )
        for i, (label, value) in enumerate(points)
        if value is not None
    ]
    return chart.svg()
