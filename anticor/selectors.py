"""Reads of the shared platform, always scoped through :mod:`anticor.access`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

from anticor import access
from anticor.audit import Source

EVENT_LABELS = {"insert": _("Создание"), "update": _("Изменение"), "delete": _("Удаление")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    label: str
    actor: str
    source: str
    ip: str
    detail: str
    changes: list[Change] = field(default_factory=list)
    # The row the event belongs to (the record itself or a related row such as a check); None for a link row.
    record: models.Model | None = None


def audited_model(app_label: str, model_name: str) -> type[models.Model]:
    """A model that has an audit trail and belongs to an access area, or 404."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        raise Http404 from None
    if getattr(model, "access_area", None) is None or not hasattr(model, "pgh_event_models"):
        raise Http404
    return model


def object_for_history(user: access.Principal, model: type[models.Model], pk: str) -> models.Model:
    """The object, if the user may read it; 404 otherwise so existence is not leaked."""
    try:
        pk_value = model._meta.pk.to_python(pk)
        return access.visible(user, model._default_manager.all()).get(pk=pk_value)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):  # the model's DoesNotExist among them
        raise Http404 from None


def _display(value: Any, model_field: models.Field | None, related: dict[tuple[type[models.Model], Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if model_field.is_relation and model_field.related_model is not None:
        return related.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("да") if value else _("нет"))
    return str(value)


def _event_values(event: Any) -> dict[str, list[Any]]:
    """Field → [old, new] of an event: the diff of an update, the row itself for an insert or a delete."""
    if event.pgh_label == "update":
        return event.pgh_diff or {}
    data = event.pgh_data or {}
    if event.pgh_label == "delete":
        return {k: [v, None] for k, v in data.items()}
    return {k: [None, v] for k, v in data.items()}


def _link_label(tracked: type[models.Model]) -> str | None:
    """For an auto-created many-to-many table, the name of the relation («статьи УК»)."""
    if not tracked._meta.auto_created:
        return None
    # ``auto_created`` is the model that declared the relation (django-stubs has it as a bool).
    for m2m in cast("type[models.Model]", tracked._meta.auto_created)._meta.many_to_many:
        if m2m.remote_field.through is tracked:
            return str(m2m.verbose_name)
    return None


def _link_ends(tracked: type[models.Model], model: type[models.Model]) -> list[models.Field]:
    """The columns of a link (many-to-many) row that point away from ``model``: the other records it joins."""
    return [f for f in tracked._meta.concrete_fields if f.is_relation and f.related_model not in (None, model)]


def _pk(model: type[models.Model], value: Any) -> Any:
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        return None


def _visible_owners(
    user: access.Principal, obj: models.Model, events: list[Any], tracked_of: Any
) -> dict[tuple[type[models.Model], Any], Any]:
    """The rows the events belong to that the user may read: (model, pk) → the row (None if it no longer exists).

    An event belongs to the row it tracks (a related row's event is about that row: a check about the employee is
    the check's); a link row's event belongs to the records it joins besides ``obj``. Each row passes through
    :func:`anticor.access.visible` like on its own page — one query per model whatever the number of events. A row
    that no longer exists (a measure removed from a recommendation) stays shown only if it belonged to the same
    area as the record: nothing else is left to ask. Rows missing from the answer are hidden.
    """
    model = type(obj)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for event in events:
        tracked = tracked_of(event)
        for owner_model, pk in _owner_keys(event, tracked, model):
            wanted[owner_model].add(pk)
    owners: dict[tuple[type[models.Model], Any], Any] = {(model, obj.pk): obj}
    for owner_model, ids in wanted.items():
        ids = {pk for pk in ids if pk is not None and (owner_model, pk) not in owners}
        if not ids or getattr(owner_model, "access_area", None) is None:
            continue
        found: dict[Any, Any] = access.visible(user, owner_model._default_manager.filter(pk__in=ids)).in_bulk()
        missing = ids - set(found)
        if missing and getattr(owner_model, "access_area", None) == getattr(model, "access_area", None):
            existing = set(owner_model._default_manager.filter(pk__in=missing).values_list("pk", flat=True))
            found.update(dict.fromkeys(missing - existing))
        owners.update({(owner_model, pk): row for pk, row in found.items()})
    return owners


def _owner_keys(
    event: Any, tracked: type[models.Model], model: type[models.Model]
) -> list[tuple[type[models.Model], Any]]:
    """(model, pk) of the rows an event belongs to: the tracked row, or the records a link row joins."""
    if not tracked._meta.auto_created:
        return [(tracked, _pk(tracked, event.pgh_obj_id))]
    values = _event_values(event)
    keys: list[tuple[type[models.Model], Any]] = []
    for end in _link_ends(tracked, model):
        joined = cast("type[models.Model]", end.related_model)  # a link column always names its model
        keys += [(joined, _pk(joined, value)) for value in values.get(end.attname) or () if value is not None]
    return keys


def _masked(user: access.Principal, tracked: type[models.Model], attname: str, value: Any) -> Any:
    """A personal identifier (``personal_fields``) stays masked in History for readers who see it masked elsewhere."""
    mask = getattr(tracked, "personal_fields", {}).get(attname)
    if mask is None or value in (None, "") or access.can_see_personal_fields(user, tracked):
        return value
    return mask(str(value))


def history_for(user: access.Principal, obj: models.Model) -> list[HistoryEntry]:
    """The audit trail of one record, newest first, with field names and related records spelled out.

    Models with ``history_includes_related`` also show the changes of rows that point at them (a case's subjects,
    its articles and root-cause links) — each only if the user may read that row (:func:`_visible_owners`), so
    History never shows what the row's own page hides. A fixed number of queries: events, actors, one per related
    model for visibility and one for labels.
    """
    if not access.can_view(user, obj):
        raise access.AccessDenied()
    model = type(obj)
    base = Events.objects.references(obj) if getattr(model, "history_includes_related", False) else None
    events = list((base if base is not None else Events.objects.tracks(obj)).order_by("-pgh_created_at", "-pgh_id"))

    def tracked_model(event: Any) -> type[models.Model]:
        try:
            return apps.get_model(event.pgh_obj_model)
        except (LookupError, ValueError):
            return model

    owners = _visible_owners(user, obj, events, tracked_model)
    shown: list[tuple[Any, models.Model | None]] = []
    for event in events:
        tracked = tracked_model(event)
        keys = _owner_keys(event, tracked, model)
        if all(key in owners for key in keys):  # never an event of a row the user may not read
            shown.append((event, None if tracked._meta.auto_created else owners[keys[0]]))
    events = [event for event, _row in shown]

    fields_of: dict[type, dict[str, models.Field]] = {}
    for event in events:
        tracked = tracked_model(event)
        fields_of.setdefault(tracked, {f.attname: f for f in tracked._meta.concrete_fields})

    wanted_related: dict[type[models.Model], set[Any]] = defaultdict(set)
    actor_ids: set[int] = set()
    for event in events:
        context = event.pgh_context or {}
        if isinstance(context.get("user"), int):
            actor_ids.add(context["user"])
        fields = fields_of[tracked_model(event)]
        for attname, pair in _event_values(event).items():
            model_field = fields.get(attname)
            if model_field is not None and model_field.is_relation and model_field.related_model is not None:
                wanted_related[model_field.related_model].update(v for v in pair if v is not None)
    related: dict[tuple[type[models.Model], Any], str] = {}
    for related_model, ids in wanted_related.items():
        for pk, related_obj in related_model._default_manager.in_bulk(list(ids)).items():
            related[(related_model, pk)] = str(related_obj)
    actors = {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=actor_ids)} if actor_ids else {}

    entries = []
    for event, row in shown:
        context = event.pgh_context or {}
        if event.pgh_diff is None and event.pgh_label == "update":
            continue  # an update that touched no tracked field
        tracked = tracked_model(event)
        fields = fields_of[tracked]
        label = str(EVENT_LABELS.get(event.pgh_label, event.pgh_label))
        link = _link_label(tracked)
        if link is not None:
            label = f"{label}: {link}"
        elif tracked is not model or _pk(tracked, event.pgh_obj_id) != obj.pk:  # e.g. a case merged into this one
            label = f"{label}: {tracked._meta.verbose_name}"
        changes = []
        for attname, (old, new) in _event_values(event).items():
            model_field = fields.get(attname)
            if attname in {"id", "pgh_obj", "pgh_id"}:
                continue
            if model_field is not None and model_field.is_relation and model_field.related_model is model:
                continue  # the link back to the record whose history this is
            old, new = _masked(user, tracked, attname, old), _masked(user, tracked, attname, new)
            name = str(model_field.verbose_name) if model_field is not None else attname
            if link is not None and model_field is not None and model_field.related_model is not None:
                name = str(model_field.related_model._meta.verbose_name)  # link columns have no verbose names
            changes.append(
                Change(field=name, old=_display(old, model_field, related), new=_display(new, model_field, related))
            )
        actor_id = context.get("user")
        actor = actors.get(actor_id) if actor_id else None
        if actor is None:
            actor = context.get("actor") or context.get("os_user") or "—"
        detail = context.get("url") or context.get("command") or context.get("task") or ""
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=label,
                actor=str(actor),
                source=str(Source(context["source"]).label if context.get("source") in Source.values else "—"),
                ip=context.get("ip") or "",
                detail=detail,
                changes=changes,
                record=row,
            )
        )
    return entries


def history_reads(obj: models.Model, entries: list[HistoryEntry]) -> list[models.Model]:
    """The records a History page shows that are logged when read (``log_reads``): the record and each related one
    (a check in an employee's History is a read of the check), once each."""
    records: dict[tuple[type[models.Model], Any], models.Model] = {}
    for record in [obj, *(entry.record for entry in entries)]:
        if record is not None and getattr(type(record), "log_reads", False):
            records.setdefault((type(record), record.pk), record)
    return list(records.values())
