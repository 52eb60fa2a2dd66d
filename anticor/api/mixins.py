"""What every app's viewsets share for writes and reads of personal data: the version a write is based on
(optimistic locking through the body's ``version`` or If-Match), the fresh representation with its ETag after a
write, a side request's validated body, and the access-log record of an API read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anticor.access import ApiPrincipal
from anticor.api.conditional import ViewMixinBase
from anticor.audit import Source
from anticor.models import User
from anticor.services import access_log_record


def if_match_version(request, instance: Model | None) -> int | None:
    """The version a write is based on, for the service to refuse it if the row changed meanwhile: the ``version``
    the client sent back in the body (what it read), else — with If-Match — the version its check was made on."""
    if instance is None:
        return None
    body = request.data
    sent = body.get("version") if isinstance(body, dict) else None
    if sent is not None:
        if isinstance(sent, bool) or not isinstance(sent, int) or sent < 1:
            raise ValidationError({"version": [_("Номер версии — целое положительное число, полученное при чтении.")]})
        return sent
    return getattr(instance, "version", None) if "If-Match" in request.headers else None


def log_read(request, *, action: str, obj: Model | None = None, model: type[Model] | None = None) -> None:
    """An API read of personal data, in the access log (a user for session requests, else the client's name)."""
    user = request.user
    access_log_record(
        user=user if isinstance(user, User) else None,
        client_label=user.client.name if isinstance(user, ApiPrincipal) else "",
        source=Source.API,
        action=action,
        obj=obj,
        model=model,
        request=request._request,
    )


class ValuesSerializer(Protocol):
    """A validated write serializer that hands its body to a service as the ``values`` (model field names)."""

    def values(self) -> dict[str, Any]: ...


class WriteMixin(ViewMixinBase):
    """Shared steps of the writes: the body of a side request, and the fresh representation with its ETag.

    Mixed in after :class:`~anticor.api.conditional.ConditionalMixin`, which gives ``with_etag``.
    """

    if TYPE_CHECKING:

        def with_etag(self, response: Response) -> Response: ...

    def represent(self, obj: Model, *, status_code: int = status.HTTP_200_OK, headers: Any = None) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.with_etag(Response(self.get_serializer(fresh).data, status=status_code, headers=headers))

    def input_serializer(self, serializer_class, request):
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
