"""The cases' reference tables (sectors, termination grounds, root-cause categories), handed to the platform."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anticor.reference import ReferenceTable, Row, as_bool, names, register_reference
from cases.models import RootCauseCategory, Sector, TerminationGround


def _ground_values(row: Row) -> dict[str, Any]:
    return {**names(row), "rehabilitating": as_bool(row["rehabilitating"])}


def register() -> None:
    register_reference(
        ReferenceTable(
            name="sectors",
            label=_("Сферы"),
            model=Sector,
            filename="sectors.csv",
            key="code",
            values=names,
            columns=("code", "name_ru", "name_kk"),
            api_fields=("code", "name_ru", "name_kk", "is_active"),
            api_basename="sector",
        )
    )
    register_reference(
        ReferenceTable(
            name="termination_grounds",
            label=_("Основания прекращения"),
            model=TerminationGround,
            filename="termination_grounds.csv",
            key="code",
            values=_ground_values,
            columns=("code", "name_ru", "rehabilitating"),
            api_fields=("code", "name_ru", "name_kk", "rehabilitating", "is_active"),
            api_basename="termination-ground",
        )
    )
    register_reference(
        ReferenceTable(
            name="root_cause_categories",
            label=_("Категории причин и условий"),
            model=RootCauseCategory,
            filename="root_cause_categories.csv",
            key="code",
            values=names,
            columns=("code", "name_ru", "name_kk"),
            api_fields=("code", "name_ru", "name_kk", "description", "is_active"),
            api_basename="root-cause-category",
        )
    )
