"""A KPI as a server-rendered SVG: the measurements against the trajectory and the target (the geometry of
:mod:`anticor.charts`). No JavaScript, printable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from anticor.charts import Label, Line, LineChart, Marker, Padding, Point
from anticor.formatting import show_number
from projects.models import KPI, KPIMeasurement

WIDTH, HEIGHT = 480, 220
PADDING = Padding(left=64, right=16, top=16, bottom=36)


def _day(on: dt.date) -> str:
    return on.strftime("%d.%m.%Y")


def kpi_chart(kpi: KPI, measurements: Sequence[KPIMeasurement]) -> SafeString:
    """The SVG of a KPI: trajectory from the baseline at the project's start to the target at the target date,
    the target marker, the measurements as points joined by a line, date and value labels on the axes."""
    start: dt.date = kpi.project.start_on
    end: dt.date = max([kpi.target_on, *(m.measured_on for m in measurements)])
    values = [kpi.baseline, kpi.target, *(m.value for m in measurements)]
    low, high = float(min(values)), float(max(values))
    pad = (high - low) * 0.08 or 1.0
    chart = LineChart(
        css="kpi-chart",
        title_id=f"kpi-chart-{kpi.pk}-title",
        title=_("«%(name)s»: измерения относительно траектории от %(baseline)s до цели %(target)s к %(date)s")
        % {
            "name": kpi.name,
            "baseline": show_number(kpi.baseline),
            "target": show_number(kpi.target),
            "date": _day(kpi.target_on),
        },
        width=WIDTH,
        height=HEIGHT,
        padding=PADDING,
        x_range=(start, start + dt.timedelta(days=max((end - start).days, 1))),
        y_range=(low - pad, high + pad),
    )
    x, y = chart.x, chart.y
    chart.labels = [
        Label(chart.left - 6, y(kpi.baseline) + 4, show_number(kpi.baseline), anchor="end"),
        Label(chart.left - 6, y(kpi.target) + 4, show_number(kpi.target), anchor="end"),
        Label(chart.left, HEIGHT - 12, _day(start), anchor="start"),
        Label(chart.right, HEIGHT - 12, _day(end), anchor="end"),
    ]
    chart.lines = [
        Line("kpi-chart__trajectory", x(start), y(kpi.baseline), x(kpi.target_on), y(kpi.target), _("Траектория"))
    ]
    chart.markers = [
        Marker(
            "kpi-chart__target",
            x(kpi.target_on),
            y(kpi.target),
            _("Цель: %(value)s") % {"value": show_number(kpi.target)},
        )
    ]
    chart.add_series("kpi-chart__values", [(m.measured_on, m.value) for m in measurements])
    chart.points = [
        Point("kpi-chart__point", x(m.measured_on), y(m.value), 4, f"{_day(m.measured_on)}: {show_number(m.value)}")
        for m in measurements
    ]
    return chart.svg()
