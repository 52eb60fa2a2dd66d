"""JSON parser with limits of its own: body size (a clear 413, before anything is read into memory) and nesting
depth (a 400: a body nested 1,000 deep made the decoder raise RecursionError, a 500)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from anticor.api.errors import RequestTooLarge

MAX_DEPTH = 32  # objects and lists inside one another; the deepest body of the API (a case's subjects) has 3


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                raise RequestTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_too_deep()) from error
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return _("Ошибка разбора JSON: вложенность глубже %(max)s уровней.") % {"max": MAX_DEPTH}


def _deeper_than(data: Any, limit: int) -> bool:
    """Without recursion: the walk itself must not be what a deep body breaks."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
