"""Cursor pagination: stable and cheap on large tables (no COUNT, no OFFSET scans)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def get_page_size(self, request):
        # DRF falls back to the default page size on ``page_size=null``: a 400 instead (anticor.api.filters)
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not (value.isascii() and value.isdigit() and int(value) > 0):
            message = _("Ожидается целое число больше нуля (не больше %(max)s).") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [str(message)]})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        # The cursor is opaque but comes from the client: a forged position must be a 404, never a database error.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not self._position_valid(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _position_valid(self, position: str) -> bool:
        if "\x00" in position:
            return False
        model = self._model
        field: Any = None  # the loop's first step sets it (or raises FieldDoesNotExist)
        try:
            for part in self.ordering[0].lstrip("-").split("__"):
                field = model._meta.get_field(part)
                model = field.related_model or model
        except FieldDoesNotExist:
            return True  # an annotation: nothing to check it against
        if field.is_relation:
            field = field.target_field
        try:
            field.get_prep_value(field.to_python(position))
        except (ValueError, TypeError, ValidationError):
            return False
        return True
