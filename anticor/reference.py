"""Loading the reference tables from the CSV fixtures shipped in the package (``anticor/fixtures/reference``).

The fixtures are the starting point only: analysts and administrators edit these tables afterwards (names, the
rehabilitating flags, retired rows). A plain load therefore only adds what is missing, keyed by the natural key,
and never overwrites an existing row; ``update=True`` is the explicit "reset to the shipped values".

Each table is declared once, by the app that owns its model, with :func:`register_reference` (the platform's own
tables below, an app's in its ``reference.py``, imported by its ``AppConfig.ready``): the same declaration drives
the loader, the reference pages and — where it names ``api_fields`` — the read-only API resource.
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

from anticor.filtersets import (
    ArticleFilterSet,
    DepartmentFilterSet,
    RegionFilterSet,
    StateBodyFilterSet,
    coded_reference_filterset,
)
from anticor.models import Article, Department, Region, StateBody

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


@dataclass(frozen=True, kw_only=True)
class ReferenceTable:
    """One reference table: its fixture and natural key (loader), its page (label, columns, filters) and, with
    ``api_fields``, its read-only resource under /api/v1/<slug>/ looked up by ``key``."""

    name: str
    label: Any
    model: type[models.Model]
    filename: str
    key: str
    # Turns one CSV row into the model's field values (foreign keys resolved to instances).
    values: Callable[[Row], dict[str, Any]]
    columns: tuple[str, ...]
    filterset: type | None = None  # None: the coded-reference FilterSet of the model
    select_related: tuple[str, ...] = ()
    api_fields: tuple[str, ...] = ()  # empty: no generic API resource (the platform's tables have their own)
    api_basename: str = ""
    lookup_value_regex: str = r"[a-z][a-z0-9_]*"

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    def page_filterset(self) -> type:
        return self.filterset if self.filterset is not None else coded_reference_filterset(self.model)


# Load order matters (departments need regions, ...): the platform's tables first, then each app's in the order
# of INSTALLED_APPS.
TABLES: list[ReferenceTable] = []


def register_reference(table: ReferenceTable) -> ReferenceTable:
    """Add an app's reference table. Registering the same table again (a second ``ready()``) changes nothing; another
    table under a known name is a programming error."""
    known = next((known for known in TABLES if known.name == table.name), None)
    if known is None:
        TABLES.append(table)
    elif known.model is not table.model:
        raise ValueError(f"reference table {table.name!r} is registered twice")
    return table


def reference_table(slug: str) -> ReferenceTable | None:
    return next((table for table in TABLES if table.slug == slug), None)


def as_bool(value: str) -> bool:
    normalized = value.strip().lower()
    if normalized in {"true", "1", "yes"}:
        return True
    if normalized in {"false", "0", "no", ""}:
        return False
    raise ReferenceDataError(f"not a boolean: {value!r}")


def names(row: Row) -> dict[str, Any]:
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
    return {**names(row), "kind": row["kind"].strip(), "former_names": (row.get("former_names_ru") or "").strip()}


def _department_values(row: Row) -> dict[str, Any]:
    return {**names(row), "region": _region(row["region_code"]), "parent": _department(row["parent_code"])}


def _state_body_values(row: Row) -> dict[str, Any]:
    return {**names(row), "kind": row["kind"].strip(), "region": _region(row["region_code"])}


def _article_values(row: Row) -> dict[str, Any]:
    return {**names(row), "note": (row.get("note") or "").strip()}


for _table in (
    ReferenceTable(
        name="regions",
        label=_("Регионы"),
        model=Region,
        filename="regions.csv",
        key="code",
        values=_region_values,
        columns=("code", "name_ru", "name_kk", "kind", "former_names"),
        filterset=RegionFilterSet,
    ),
    # Each department's parent is listed before it in the file.
    ReferenceTable(
        name="departments",
        label=_("Департаменты"),
        model=Department,
        filename="departments.csv",
        key="code",
        values=_department_values,
        columns=("code", "name_ru", "name_kk", "region"),
        filterset=DepartmentFilterSet,
        select_related=("region",),
    ),
    ReferenceTable(
        name="state_bodies",
        label=_("Государственные органы"),
        model=StateBody,
        filename="state_bodies.csv",
        key="name_ru",
        values=_state_body_values,
        columns=("name_ru", "kind", "region", "bin"),
        filterset=StateBodyFilterSet,
        select_related=("region",),
    ),
    ReferenceTable(
        name="articles",
        label=_("Статьи УК"),
        model=Article,
        filename="corruption_articles.csv",
        key="code",
        values=_article_values,
        columns=("code", "name_ru", "note"),
        filterset=ArticleFilterSet,
    ),
):
    register_reference(_table)


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


def _load_table(table: ReferenceTable, *, update: bool) -> LoadStats:
    stats = LoadStats()
    existing = {getattr(obj, table.key): obj for obj in table.model._default_manager.all()}
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


def _load_row(table: ReferenceTable, row: Row, key: str, obj: models.Model | None, *, update: bool) -> str:
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
    labels = {table.name: table.label for table in TABLES}
    width = max(len(str(labels[name])) for name in results)
    return [
        _("%(table)s  создано: %(created)d, обновлено: %(updated)d, без изменений: %(unchanged)d")
        % {
            "table": str(labels[name]).ljust(width),
            "created": stats.created,
            "updated": stats.updated,
            "unchanged": stats.unchanged,
        }
        for name, stats in results.items()
    ]
