"""The staff app's reference table (disciplinary sanctions), handed to the platform."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anticor.reference import ReferenceTable, Row, as_bool, names, register_reference
from integrity.models import Sanction


def _sanction_values(row: Row) -> dict[str, Any]:
    return {**names(row), "severity": int(row["severity"]), "is_dismissal": as_bool(row["is_dismissal"])}


def register() -> None:
    register_reference(
        ReferenceTable(
            name="sanctions",
            label=_("Дисциплинарные взыскания"),
            model=Sanction,
            filename="sanctions.csv",
            key="code",
            values=_sanction_values,
            columns=("code", "name_ru", "severity"),
        )
    )
