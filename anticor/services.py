"""Writes of the shared platform."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from anticor.audit import Source, client_ip
from anticor.models import AccessAction, AccessLog


def access_log_record(
    *,
    user: Any,
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
        user=user if getattr(user, "is_authenticated", False) else None,
        client_label=client_label,
        source=source,
        action=action,
        content_type=ContentType.objects.get_for_model(target_model),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        path=(request.get_full_path()[:500] if request is not None else ""),
        ip=client_ip(request) if request is not None else None,
    )
