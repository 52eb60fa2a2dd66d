"""Numbers as people read them: rounded for display and written in the active language's format. One module, so
that every page (projects, indicators) shows a number the same way."""

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
