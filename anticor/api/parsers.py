"""JSON parser with a body size limit of its own (a clear 413, before anything is read into memory)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.parsers import JSONParser

from anticor.api.errors import RequestTooLarge


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
        return super().parse(stream, media_type, parser_context)
