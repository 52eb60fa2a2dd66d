"""One JSON error format for the whole API.

    {"status": 400, "code": "invalid", "detail": "…", "errors": {"subjects.1.iin": ["…"]}}

``errors`` is present for validation errors, keyed by the field path (list items by index, nested objects by
name, ``non_field_errors`` for the whole body). Messages follow ``Accept-Language``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from anticor.access import AccessDenied
from anticor.bounds import constraint_violation


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure → {"a.b.0.c": [messages]}."""
    result: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            result.update(flatten(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            result[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    result.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        result[prefix or "non_field_errors"] = [str(detail)]
    return result


def error_body(status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"status": status_code, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        # A write that passed validation but lost a race to another: the constraint's own field message.
        exc = constraint_violation(exc) or exc
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if NON_FIELD_ERRORS in errors:
            errors = {("non_field_errors" if k == NON_FIELD_ERRORS else k): v for k, v in errors.items()}
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, AccessDenied | DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(response.status_code, "invalid", _("Ошибка в данных запроса."), flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = error_body(response.status_code, code if isinstance(code, str) else "error", str(detail))
    response.data = body
    return response


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Запись изменилась с тех пор, как вы её получили (ETag не совпадает). Ничего не изменено.")
    default_code = "precondition_failed"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Тело запроса слишком велико.")
    default_code = "too_large"


def json_not_found(request, exception=None):
    return JsonResponse(error_body(404, "not_found", _("Не найдено.")), status=404)


def json_server_error(request):
    return JsonResponse(error_body(500, "server_error", _("Внутренняя ошибка сервера.")), status=500)


def error_response(status_code: int, code: str, detail: str) -> Response:
    return Response(error_body(status_code, code, detail), status=status_code)
