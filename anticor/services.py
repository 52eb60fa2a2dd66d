"""Writes of the shared platform."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from anticor.audit import Source, client_ip
from anticor.models import AccessAction, AccessLog

if TYPE_CHECKING:
    from anticor.access import Principal


def access_log_record(
    *,
    user: Principal | None,
    action: str,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    request: Any = None,
    source: str = Source.WEB,
    client_label: str = "",
) -> AccessLog:
    """Record that ``user`` read (or exported) a sensitive record or list.

    Called by the views and viewsets that show integrity, discipline and export data; it never raises for a
    missing request so commands and tasks may call it too.
    """
    target_model = type(obj) if obj is not None else model
    if target_model is None:
        raise ValueError("access_log_record needs obj or model")
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.objects.create(
        **_entry(user=user, action=action, obj=obj, model=target_model, request=request, source=source),
        client_label=client_label,
    )


def access_log_denied(
    *,
    user: Principal | None,
    model: type[models.Model],
    value: Any = "",
    lookup: str = "pk",
    request: Any = None,
    source: str = Source.WEB,
    client_label: str = "",
) -> AccessLog:
    """Record a refused read (403 or 404) of a record that is logged when read, so auditors see probing too.

    ``lookup=value`` is what the request asked for (a list page asks for none). When such a row exists it is named,
    as a read would name it; otherwise the asked value is kept. The refused user learns nothing from this.
    """
    target = None
    if value not in ("", None):
        try:
            target = model._default_manager.filter(**{lookup: value}).first()
        except (ValidationError, ValueError, TypeError):
            target = None
    entry = _entry(user=user, action=AccessAction.DENIED, obj=target, model=model, request=request, source=source)
    if target is None and value not in ("", None):
        entry["object_id"] = str(value)[:64]
    return AccessLog.objects.create(**entry, client_label=client_label)


def _entry(
    *,
    user: Principal | None,
    action: str,
    obj: models.Model | None,
    model: type[models.Model],
    request: Any,
    source: str,
):
    return {
        "user": user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None,
        "source": source,
        "action": action,
        "content_type": ContentType.objects.get_for_model(model),
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "path": request.get_full_path()[:500] if request is not None else "",
        "ip": client_ip(request) if request is not None else None,
    }


def access_log_records(
    *,
    user: Principal | None,
    action: str,
    objects: Sequence[models.Model],
    request: Any = None,
    source: str = Source.WEB,
    client_label: str = "",
) -> list[AccessLog]:
    """One access-log row per record shown on a page (an employee's file shows their sanctions and checks)."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.objects.bulk_create(
        AccessLog(
            **_entry(user=user, action=action, obj=obj, model=type(obj), request=request, source=source),
            client_label=client_label,
        )
        for obj in objects
    )
