"""Numbers as people read them: rounded for display and written in the active language's format, indicator values
with their unit. One module, so that every page (projects, indicators) shows a number the same way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import formats


def as_decimal(value: Fraction | Decimal, places: int = 2) -> Decimal:
    """A value rounded for display: at most ``places`` decimals, no trailing zeros."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def show_number(value: Fraction | Decimal) -> str:
    return formats.number_format(as_decimal(value), use_l10n=True)


def show_value(value: Decimal | None, unit: str = "") -> str:
    """An indicator value as people read it: up to one decimal, a decimal comma, no trailing zeros; «—» for no
    value. A unit other than «%» stands after a non-breaking space."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal("0.1"))
    text = f"{number:,.1f}".replace(",", "\u00a0").replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text}\u00a0{unit}" if unit and unit != "%" else f"{text}{unit}"
