"""Pages of the shared platform: home, reference data, record history, access log. Views stay thin."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from anticor import access, selectors
from anticor.filtersets import (
    AccessLogFilterSet,
)
from anticor.models import AccessAction, AccessLog
from anticor.reference import TABLES, ReferenceTable, reference_table
from anticor.services import access_log_denied, access_log_records
from anticor.web import filtered, paginate


@require_GET
def home(request):
    user = request.user
    roles = sorted(access.user_roles(user))
    areas = [
        {"label": area.label, "read": access.scope_for(user, area), "write": access.scope_for(user, area, write=True)}
        for area in access.Area
        if access.can_read_area(user, area)
    ]
    return render(
        request,
        "anticor/home.html",
        {
            "roles": [access.Role(role).label for role in roles],
            "role_codes": roles,
            "areas": areas,
        },
    )


def _reference_lists() -> dict[str, ReferenceTable]:
    """Every registered reference table by the slug of its page, in load order."""
    return {table.slug: table for table in TABLES}


@require_GET
def reference_index(request):
    if not access.can_read_area(request.user, access.Area.REFERENCE):
        raise PermissionDenied
    return render(request, "anticor/reference_index.html", {"lists": _reference_lists()})


@require_GET
def reference_list(request, kind: str):
    spec = reference_table(kind)
    if spec is None:
        raise Http404
    queryset = access.visible(request.user, spec.model._default_manager.select_related(*spec.select_related))
    if not access.can_read_area(request.user, access.Area.REFERENCE):
        raise PermissionDenied
    filterset = spec.page_filterset()(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    # The columns name concrete fields, never reverse relations.
    fields = [cast("models.Field[Any, Any]", spec.model._meta.get_field(name)) for name in spec.columns]
    table = [{"object": obj, "cells": [_cell(obj, model_field) for model_field in fields]} for obj in page.object_list]
    return render(
        request,
        "anticor/reference_list.html",
        {
            "kind": kind,
            "spec": spec,
            "lists": _reference_lists(),
            "filterset": filterset,
            "headers": [f.verbose_name for f in fields],
            "table": table,
            "page": page,
            "meta": spec.model._meta,
            "can_edit": access.can_write_area(request.user, access.Area.REFERENCE) and request.user.is_staff,
        },
    )


def _cell(obj: models.Model, model_field: models.Field) -> Any:
    if model_field.choices:
        return getattr(obj, f"get_{model_field.name}_display")()
    value = getattr(obj, model_field.name)
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    return value if value not in (None, "") else "—"


@require_GET
def history(request, app_label: str, model_name: str, pk: str):
    model = selectors.audited_model(app_label, model_name)
    try:
        obj = selectors.object_for_history(request.user, model, pk)
    except Http404:
        if getattr(model, "log_reads", False):  # probing a staff record or a check through its History
            access_log_denied(user=request.user, model=model, value=pk, request=request)
        raise
    entries = selectors.history_for(request.user, obj)
    # The history of a staff record shows the record and the related ones it includes: a read of each.
    access_log_records(
        user=request.user, action=AccessAction.VIEW, objects=selectors.history_reads(obj, entries), request=request
    )
    return render(request, "anticor/history.html", {"object": obj, "meta": model._meta, "entries": entries})


@require_GET
def access_log(request):
    queryset = access.visible(request.user, AccessLog.objects.select_related("user", "content_type"))
    if not access.can_read_area(request.user, access.Area.AUDIT):
        raise PermissionDenied
    filterset = AccessLogFilterSet(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    return render(request, "anticor/access_log.html", {"filterset": filterset, "page": page})


def not_found(request, exception=None):
    """JSON for the API (a client parses it), the HTML page for people."""
    if request.path.startswith("/api/"):
        from anticor.api.errors import json_not_found

        return json_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        from anticor.api.errors import json_server_error

        return json_server_error(request)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
