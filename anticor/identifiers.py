"""Kazakhstan's IIN/BIN and the ЕРДР registration number (DESIGN.md §8)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for 11 digits, or None when no valid check digit exists (both sums give 10)."""
    digits = [int(char) for char in first_eleven]
    total = sum(d * w for d, w in zip(digits, _FIRST_WEIGHTS, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, _SECOND_WEIGHTS, strict=True)) % 11
        if total == 10:
            return None
    return total


def _has_valid_checksum(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit() and check_digit(value[:11]) == int(value[11])


def iin_birth_date(value: str) -> dt.date | None:
    century = _CENTURY.get(value[6:7])
    if century is None:
        return None
    try:
        return dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None


def validate_iin(value: str) -> None:
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise ValidationError(_("ИИН должен состоять ровно из 12 цифр."), code="iin_format")
    if iin_birth_date(value) is None:
        raise ValidationError(_("ИИН содержит несуществующую дату рождения или неверную цифру века."), code="iin_date")
    if not _has_valid_checksum(value):
        raise ValidationError(_("Неверная контрольная цифра ИИН."), code="iin_checksum")


def validate_bin(value: str) -> None:
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise ValidationError(_("БИН должен состоять ровно из 12 цифр."), code="bin_format")
    if not _has_valid_checksum(value):
        raise ValidationError(_("Неверная контрольная цифра БИН."), code="bin_checksum")


def validate_registration_number(value: str) -> None:
    if not (len(value) == 15 and value.isascii() and value.isdigit()):
        raise ValidationError(_("Номер ЕРДР должен состоять ровно из 15 цифр."), code="erdr_format")


def mask_iin(iin: str) -> str:
    """``850101******`` — the birth date part stays, which is enough to tell namesakes apart."""
    return f"{iin[:6]}{'*' * (len(iin) - 6)}" if iin else ""
