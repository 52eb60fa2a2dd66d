"""The projects' reference table (the directions), handed to the platform."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anticor.reference import ReferenceTable, Row, names, register_reference
from projects.models import Direction


def _direction_values(row: Row) -> dict[str, Any]:
    return {**names(row), "order": int(row["order"]), "is_mandatory": True}


def register() -> None:
    # Only the anti-corruption direction is certain; administrators add the other five.
    register_reference(
        ReferenceTable(
            name="directions",
            label=_("Направления проектов"),
            model=Direction,
            filename="directions.csv",
            key="code",
            values=_direction_values,
            columns=("order", "code", "name_ru", "is_mandatory", "is_example", "is_active"),
        )
    )
