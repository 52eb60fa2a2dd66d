"""ETag / If-None-Match / If-Match for detail resources (DESIGN.md §5.2)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.response import Response

from anticor.api.errors import PreconditionFailed

# The base of a viewset mixin: to mypy the generic view it is always mixed into, at run time nothing.
if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView as ViewMixinBase
else:
    ViewMixinBase = object


def etag_for(data) -> str:
    raw = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class ConditionalMixin(ViewMixinBase):
    """Detail responses carry an ETag; GET honours If-None-Match (304); writes honour If-Match (412)."""

    def current_etag(self, instance) -> str:
        return etag_for(self.get_serializer(instance).data)

    def check_if_match(self, request, instance) -> None:
        """Raise 412 when the client's If-Match names another version (call before changing anything)."""
        header = request.headers.get("If-Match")
        if header is None:
            return
        if instance is None:
            raise PreconditionFailed()
        tags = _tags(header)
        if "*" not in tags and self.current_etag(instance) not in tags:
            raise PreconditionFailed()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        tag = etag_for(data)
        wanted = _tags(request.headers.get("If-None-Match", ""))
        if tag in wanted or "*" in wanted:  # "*": any current representation (RFC 9110 §13.1.2)
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        return Response(data, headers={"ETag": tag})

    def with_etag(self, response: Response) -> Response:
        if isinstance(response.data, dict) and response.status_code < 300:
            response["ETag"] = etag_for(response.data)
        return response
