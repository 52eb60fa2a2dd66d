"""Reads of the shared platform, always scoped through :mod:`anticor.access`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
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


def audited_model(app_label: str, model_name: str) -> type[models.Model]:
    """A model that has an audit trail and belongs to an access area, or 404."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        raise Http404 from None
    if getattr(model, "access_area", None) is None or not hasattr(model, "pgh_event_models"):
        raise Http404
    return model


def object_for_history(user: Any, model: type[models.Model], pk: str) -> models.Model:
    """The object, if the user may read it; 404 otherwise so existence is not leaked."""
    try:
        pk_value = model._meta.pk.to_python(pk)
        return access.visible(user, model._default_manager.all()).get(pk=pk_value)
    except (model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def _display(value: Any, model_field: models.Field | None, related: dict[tuple[type, Any], str]) -> str:
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
    for m2m in tracked._meta.auto_created._meta.many_to_many:
        if m2m.remote_field.through is tracked:
            return str(m2m.verbose_name)
    return None


def history_for(user: Any, obj: models.Model) -> list[HistoryEntry]:
    """The audit trail of one record, newest first, with field names and related records spelled out.

    Models with ``history_includes_related`` also show the changes of rows that point at them (a case's subjects,
    its articles and root-cause links). A fixed number of queries: events, actors, one per related model.
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

    fields_of: dict[type, dict[str, models.Field]] = {}
    for event in events:
        tracked = tracked_model(event)
        fields_of.setdefault(tracked, {f.attname: f for f in tracked._meta.concrete_fields})

    wanted_related: dict[type, set[Any]] = defaultdict(set)
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
    related: dict[tuple[type, Any], str] = {}
    for related_model, ids in wanted_related.items():
        for pk, related_obj in related_model._default_manager.in_bulk(list(ids)).items():
            related[(related_model, pk)] = str(related_obj)
    actors = {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=actor_ids)} if actor_ids else {}

    entries = []
    for event in events:
        context = event.pgh_context or {}
        if event.pgh_diff is None and event.pgh_label == "update":
            continue  # an update that touched no tracked field
        tracked = tracked_model(event)
        fields = fields_of[tracked]
        label = str(EVENT_LABELS.get(event.pgh_label, event.pgh_label))
        link = _link_label(tracked)
        if link is not None:
            label = f"{label}: {link}"
        elif tracked is not model:
            label = f"{label}: {tracked._meta.verbose_name}"
        changes = []
        for attname, (old, new) in _event_values(event).items():
            model_field = fields.get(attname)
            if attname in {"id", "pgh_obj", "pgh_id"}:
                continue
            if model_field is not None and model_field.is_relation and model_field.related_model is model:
                continue  # the link back to the record whose history this is
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
            )
        )
    return entries
