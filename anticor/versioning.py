"""Optimistic locking shared by every versioned record (cases, root causes, recommendations, projects).

A write names the version it was based on; if the record moved on, it is refused with what changed meanwhile,
read from the audit trail's snapshot of that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

_NOT_COMPARED = {"id", "version", "created_at", "updated_at", "search_vector"}


class StaleVersion(Exception):
    """The record changed since the user loaded it; ``changes`` says what changed meanwhile (field → (then, now))."""

    def __init__(self, current: models.Model, changes: Mapping[str, tuple[Any, Any]]) -> None:
        self.current = current
        self.changes = dict(changes)
        super().__init__(
            _("Запись изменена другим пользователем после того, как вы её открыли. Ваши изменения не сохранены.")
        )


def changes_since(current: models.Model, version: int) -> dict[str, tuple[Any, Any]]:
    """Fields that differ between the audit snapshot of ``version`` and the record now: name → (then, now)."""
    snapshot = current.audit_events.filter(version=version).order_by("-pgh_id").first()
    if snapshot is None:
        return {}
    result = {}
    for field in type(current)._meta.concrete_fields:
        if field.name in _NOT_COMPARED:
            continue
        then, now = getattr(snapshot, field.attname, None), getattr(current, field.attname)
        if then != now:
            result[field.name] = (then, now)
    return result


def check_version(current: models.Model, expected_version: int | None) -> None:
    """Refuse a write based on an older version (None: the caller did not say, e.g. a plain API PUT)."""
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current, changes_since(current, expected_version))
