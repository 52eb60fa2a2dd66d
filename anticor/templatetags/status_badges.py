"""Template filters for the status palettes of :mod:`anticor.machines` (used by ``includes/status_badge.html``)."""

from __future__ import annotations

from django import template

from anticor.machines import palette

register = template.Library()


@register.filter
def status_tone(status: str, name: str) -> str:
    """``{{ case.status|status_tone:"case" }}`` → the badge tone of the status ("" for a plain badge)."""
    return str(palette(name).tone(status))


@register.filter
def status_label(status: str, name: str) -> str:
    return palette(name).label(status)
