"""An indicator's trend as a small server-rendered SVG: its values over the periods of the same kind."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from anticor.formatting import show_value

CHART_WIDTH, CHART_HEIGHT = 360, 150
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 62, 22, 12, 26
LEGACY_CHART_WIDTH = 280


def trend_chart(
    *,
    key: str,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    unit: str = "",
    threshold: Decimal | None = None,
    width: int = CHART_WIDTH,
) -> SafeString:
    """A small server-rendered SVG: values over periods as a line (gaps where there is no value), the threshold
    as a dashed line. No JavaScript; each point carries its value as a tooltip."""
    values = [float(v) for _label, v in points if v is not None]
    if threshold is not None:
        values.append(float(threshold))
    low = min([0.0, *values])
    high = max([*values, 1.0]) if values else 1.0
    if unit == "%":
        high = max(high, 10.0)
    ceiling = high
    high += (high - low) * 0.1
    if unit == "%" and ceiling <= 100:
        high = min(high, 100.0)  # a share never goes above 100%
    elif unit != "%":
        high = float(math.ceil(high))  # counts, days and points: a whole number at the top of the axis
    bottom, right = CHART_HEIGHT - CHART_BOTTOM, width - CHART_RIGHT
    step = (right - CHART_LEFT) / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(CHART_LEFT + i * step, 1) if len(points) > 1 else (CHART_LEFT + right) / 2

    def y(v: float) -> float:
        return round(bottom - (v - low) * (bottom - CHART_TOP) / (high - low or 1), 1)

    parts = [
        format_html(
            '<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="trend-{}-title"><title id="trend-{}-title">{}</title>',
            width,
            CHART_HEIGHT,
            key,
            key,
            title,
        ),
        format_html(
            '<g class="trend-chart__axes"><line x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}"/></g><g class="trend-chart__labels">'
            '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">{}</text></g>',
            CHART_LEFT,
            CHART_TOP,
            CHART_LEFT,
            bottom,
            CHART_LEFT,
            bottom,
            right,
            bottom,
            CHART_LEFT - 5,
            bottom + 4,
            show_value(Decimal(str(low)), unit),
            CHART_LEFT - 5,
            CHART_TOP + 8,
            show_value(Decimal(str(high)), unit),
        ),
        format_html_join(
            "",
            '<text class="trend-chart__period" x="{}" y="{}" text-anchor="middle">{}</text>',
            (
                (x(i), CHART_HEIGHT - 8, label)
                for i, (label, _v) in enumerate(points)
                # A narrow chart labels every other period, counting back from the current one.
                if width >= CHART_WIDTH or (len(points) - 1 - i) % 2 == 0
            ),
        ),
    ]
    if threshold is not None:
        parts.append(
            format_html(
                '<line class="trend-chart__threshold" x1="{}" y1="{}" x2="{}" y2="{}"><title>{}</title></line>',
                CHART_LEFT,
                y(float(threshold)),
                right,
                y(float(threshold)),
                _("Порог: %(value)s") % {"value": show_value(threshold, unit)},
            )
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i)},{y(float(value))}")
    if segment:
        segments.append(segment)
    for line in segments:
        if len(line) > 1:
            parts.append(format_html('<polyline class="trend-chart__line" points="{}"/>', " ".join(line)))
    parts.append(
        format_html_join(
            "",
            '<circle class="trend-chart__point{}" cx="{}" cy="{}" r="{}"><title>{}: {}</title></circle>',
            (
                (
                    " trend-chart__point--current" if i == len(points) - 1 else "",
                    x(i),
                    y(float(value)),
                    4 if i == len(points) - 1 else 3,
                    label,
                    show_value(value, unit),
                )
                for i, (label, value) in enumerate(points)
                if value is not None
            ),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html
