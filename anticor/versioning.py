"""Optimistic locking shared by every versioned record (:class:`anticor.models.Versioned`: cases, root causes,
recommendations, projects and their KPIs, milestones, risks and public events, staff records and checks).

A write names the version it was based on (the edit form's hidden ``version``, the API's ``If-Match`` or the
``version`` sent back in the body); the service calls :func:`check_version` on the locked row and saves with
:func:`save_new_version`. If the record moved on, the write is refused with what changed meanwhile, read from the
audit trail's snapshot of that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from anticor.models import Versioned

_NOT_COMPARED = {"id", "version", "created_at", "updated_at", "search_vector"}


class StaleVersion(Exception):
    """The record changed since the user loaded it; ``changes`` says what changed meanwhile (field → (then, now))."""

    def __init__(self, current: Versioned, changes: Mapping[str, tuple[Any, Any]]) -> None:
        self.current = current
        self.changes = dict(changes)
        super().__init__(
            _("Запись изменена другим пользователем после того, как вы её открыли. Ваши изменения не сохранены.")
        )

    def describe(self) -> str:
        """The refusal with what changed meanwhile, for the form's message and the API's 412."""
        meta = type(self.current)._meta
        parts = []
        for name, (then, now) in self.changes.items():
            field = cast("models.Field[Any, Any]", meta.get_field(name))  # changes_since names concrete fields
            parts.append(
                _("«%(field)s»: %(old)s → %(new)s")
                % {"field": field.verbose_name, "old": _shown(field, then), "new": _shown(field, now)}
            )
        changed = "; ".join(parts) or _("статус или связанные записи")
        return _("%(message)s Изменено: %(changes)s. Проверьте свои данные и сохраните ещё раз.") % {
            "message": self,
            "changes": changed,
        }


def _shown(field: models.Field, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        related_model = cast("type[models.Model]", field.related_model)  # a concrete relation has its model
        related = related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def changes_since(current: Versioned, version: int) -> dict[str, tuple[Any, Any]]:
    """Fields that differ between the audit snapshot of ``version`` and the record now: name → (then, now)."""
    # The audit trail's reverse relation is added to each tracked model (pghistory), not to the abstract base.
    snapshot = cast(Any, current).audit_events.filter(version=version).order_by("-pgh_id").first()
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


def check_version(current: Versioned, expected_version: int | None) -> None:
    """Refuse a write based on an older version (None: the caller did not say, e.g. a plain API PUT)."""
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current, changes_since(current, expected_version))


def save_new_version(instance: Versioned, *, update_fields: list[str] | None = None) -> None:
    """Save a (validated) change as the next version and reload the row, so callers see the saved values."""
    instance.version = F("version") + 1
    if update_fields is not None:
        update_fields = [*update_fields, "version"]
    instance.save(update_fields=update_fields)
    instance.refresh_from_db()
