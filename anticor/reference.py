"""Loading the reference tables from the CSV fixtures shipped in the package (``anticor/fixtures/reference``).

The fixtures are the starting point only: analysts and administrators edit these tables afterwards (names, the
rehabilitating flags, retired rows). A plain load therefore only adds what is missing, keyed by the natural key,
and never overwrites an existing row; ``update=True`` is the explicit "reset to the shipped values".
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from anticor.models import Article, Department, Region, StateBody
from cases.models import RootCauseCategory, Sector, TerminationGround
from integrity.models import Sanction
from projects.models import Direction

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "reference"

Row = dict[str, str]


class ReferenceDataError(Exception):
    """A fixture file is missing, malformed or points at a row that does not exist."""


@dataclass
class LoadStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[models.Model]
    filename: str
    key: str
    # Turns one CSV row into the model's field values (foreign keys resolved to instances).
    values: Callable[[Row], dict[str, Any]]


def _bool(value: str) -> bool:
    normalized = value.strip().lower()
    if normalized in {"true", "1", "yes"}:
        return True
    if normalized in {"false", "0", "no", ""}:
        return False
    raise ReferenceDataError(f"not a boolean: {value!r}")


def _names(row: Row) -> dict[str, Any]:
    return {"name_ru": row["name_ru"].strip(), "name_kk": (row.get("name_kk") or "").strip()}


def _region(code: str) -> Region | None:
    code = code.strip()
    if not code:
        return None
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise ReferenceDataError(f"unknown region code {code!r}") from exc


def _department(code: str) -> Department | None:
    code = code.strip()
    if not code:
        return None
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist as exc:
        raise ReferenceDataError(f"unknown department code {code!r}") from exc


def _region_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "kind": row["kind"].strip(), "former_names": (row.get("former_names_ru") or "").strip()}


def _department_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "region": _region(row["region_code"]), "parent": _department(row["parent_code"])}


def _state_body_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "kind": row["kind"].strip(), "region": _region(row["region_code"])}


def _article_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "note": (row.get("note") or "").strip()}


def _ground_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "rehabilitating": _bool(row["rehabilitating"])}


def _direction_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "order": int(row["order"]), "is_mandatory": True}


def _sanction_values(row: Row) -> dict[str, Any]:
    return {**_names(row), "severity": int(row["severity"]), "is_dismissal": _bool(row["is_dismissal"])}


# Load order matters: departments need regions (and their parent, listed first in the file), state bodies need
# regions.
TABLES: tuple[_Table, ...] = (
    _Table("regions", Region, "regions.csv", "code", _region_values),
    _Table("departments", Department, "departments.csv", "code", _department_values),
    _Table("state_bodies", StateBody, "state_bodies.csv", "name_ru", _state_body_values),
    _Table("articles", Article, "corruption_articles.csv", "code", _article_values),
    _Table("sectors", Sector, "sectors.csv", "code", _names),
    _Table("termination_grounds", TerminationGround, "termination_grounds.csv", "code", _ground_values),
    _Table("root_cause_categories", RootCauseCategory, "root_cause_categories.csv", "code", _names),
    _Table("sanctions", Sanction, "sanctions.csv", "code", _sanction_values),
    # Only the anti-corruption direction is certain; administrators add the other five.
    _Table("directions", Direction, "directions.csv", "code", _direction_values),
)

TABLE_LABELS: dict[str, Any] = {
    "regions": _("Регионы"),
    "departments": _("Департаменты"),
    "state_bodies": _("Государственные органы"),
    "articles": _("Статьи УК"),
    "sectors": _("Сферы"),
    "termination_grounds": _("Основания прекращения"),
    "root_cause_categories": _("Категории причин и условий"),
    "sanctions": _("Дисциплинарные взыскания"),
    "directions": _("Направления проектов"),
}


def read_fixture(filename: str) -> list[Row]:
    """The rows of one fixture file as dicts (UTF-8, header line first)."""
    path = FIXTURES_DIR / filename
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"reference fixture {path} is missing") from exc


def _differs(obj: models.Model, values: dict[str, Any]) -> bool:
    # Model instances compare by pk, so foreign keys need no special case.
    return any(getattr(obj, field) != value for field, value in values.items())


def _load_table(table: _Table, *, update: bool) -> LoadStats:
    stats = LoadStats()
    existing = {getattr(obj, table.key): obj for obj in table.model.objects.all()}
    seen: set[str] = set()
    for row in read_fixture(table.filename):
        key = row[table.key].strip()
        if key in seen:
            raise ReferenceDataError(f"{table.filename}: duplicate {table.key} {key!r}")
        seen.add(key)
        try:
            stats_key = _load_row(table, row, key, existing.get(key), update=update)
        except ValidationError as exc:
            raise ReferenceDataError(f"{table.filename}: {table.key} {key!r}: {exc.messages}") from exc
        setattr(stats, stats_key, getattr(stats, stats_key) + 1)
    return stats


def _load_row(table: _Table, row: Row, key: str, obj: models.Model | None, *, update: bool) -> str:
    """Create, update or keep one row; returns the name of the counter it adds to."""
    if obj is None:
        obj = table.model(**{**table.values(row), table.key: key})
        obj.full_clean()
        obj.save()
        return "created"
    if update and _differs(obj, values := table.values(row)):
        for field, value in values.items():
            setattr(obj, field, value)
        obj.full_clean()
        obj.save()
        return "updated"
    # Existing rows are the analysts' to edit; a plain re-run leaves them as they are.
    return "unchanged"


def reference_load(*, update: bool = False) -> dict[str, LoadStats]:
    """Create the missing reference rows from the fixtures; with ``update`` also reset existing rows to them.

    Idempotent: a second run creates nothing. Everything happens in one transaction, so a bad fixture leaves the
    database as it was.
    """
    with transaction.atomic():
        return {table.name: _load_table(table, update=update) for table in TABLES}


def stats_lines(results: dict[str, LoadStats]) -> list[str]:
    """One human-readable summary line per table, for the commands that load reference data."""
    width = max(len(str(TABLE_LABELS[name])) for name in results)
    return [
        _("%(table)s  создано: %(created)d, обновлено: %(updated)d, без изменений: %(unchanged)d")
        % {
            "table": str(TABLE_LABELS[name]).ljust(width),
            "created": stats.created,
            "updated": stats.updated,
            "unchanged": stats.unchanged,
        }
        for name, stats in results.items()
    ]
