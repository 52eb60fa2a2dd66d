"""A KPI as a server-rendered SVG: the measurements against the trajectory and the target. No JavaScript, printable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from anticor.formatting import show_number
from projects.models import KPI, KPIMeasurement

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def kpi_chart(kpi: KPI, measurements: Sequence[KPIMeasurement]) -> SafeString:
    """The SVG of a KPI: trajectory from the baseline at the project's start to the target at the target date,
    the target marker, the measurements as points joined by a line, date and value labels on the axes."""
    start: dt.date = kpi.project.start_on
    end: dt.date = max([kpi.target_on, *(m.measured_on for m in measurements)])
    values = [kpi.baseline, kpi.target, *(m.value for m in measurements)]
    low, high = float(min(values)), float(max(values))
    pad = (high - low) * 0.08 or 1.0
    low, high = low - pad, high + pad
    days = max((end - start).days, 1)

    def x(on: dt.date) -> float:
        return round(_scale((on - start).days, 0, days, LEFT, WIDTH - RIGHT), 1)

    def y(value: Decimal) -> float:
        return round(_scale(float(value), low, high, HEIGHT - BOTTOM, TOP), 1)

    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    title = _("«%(name)s»: измерения относительно траектории от %(baseline)s до цели %(target)s к %(date)s") % {
        "name": kpi.name,
        "baseline": show_number(kpi.baseline),
        "target": show_number(kpi.target),
        "date": kpi.target_on.strftime("%d.%m.%Y"),
    }
    parts = [
        format_html(
            '<svg class="kpi-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="kpi-chart-{}-title"><title id="kpi-chart-{}-title">{}</title>',
            WIDTH,
            HEIGHT,
            kpi.pk,
            kpi.pk,
            title,
        ),
        format_html(
            '<g class="kpi-chart__axes"><line x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}"/></g>',
            LEFT,
            TOP,
            LEFT,
            bottom,
            LEFT,
            bottom,
            right,
            bottom,
        ),
        format_html(
            '<g class="kpi-chart__labels">'
            '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" text-anchor="start">{}</text><text x="{}" y="{}" text-anchor="end">{}</text></g>',
            LEFT - 6,
            y(kpi.baseline) + 4,
            show_number(kpi.baseline),
            LEFT - 6,
            y(kpi.target) + 4,
            show_number(kpi.target),
            LEFT,
            HEIGHT - 12,
            start.strftime("%d.%m.%Y"),
            right,
            HEIGHT - 12,
            end.strftime("%d.%m.%Y"),
        ),
        format_html(
            '<line class="kpi-chart__trajectory" x1="{}" y1="{}" x2="{}" y2="{}"><title>{}</title></line>',
            x(start),
            y(kpi.baseline),
            x(kpi.target_on),
            y(kpi.target),
            _("Траектория"),
        ),
        format_html(
            '<g class="kpi-chart__target"><path d="M {} {} l 6 6 l -6 6 l -6 -6 z"/><title>{}</title></g>',
            x(kpi.target_on),
            y(kpi.target) - 6,
            _("Цель: %(value)s") % {"value": show_number(kpi.target)},
        ),
    ]
    if measurements:
        points = " ".join(f"{x(m.measured_on)},{y(m.value)}" for m in measurements)
        if len(measurements) > 1:
            parts.append(format_html('<polyline class="kpi-chart__values" points="{}"/>', points))
        parts.append(
            format_html_join(
                "",
                '<circle class="kpi-chart__point" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>',
                (
                    (x(m.measured_on), y(m.value), m.measured_on.strftime("%d.%m.%Y"), show_number(m.value))
                    for m in measurements
                ),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html
