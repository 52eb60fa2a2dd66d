"""OpenAPI description of what every endpoint shares: the token scheme, the one error format and its status codes,
and the conditional-request headers (ETag / If-None-Match / If-Match), so that a client can be written from the
document alone and a schema-driven fuzzer can hold every response to it."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "anticor.api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` — issued once by `manage.py create_api_client`.",
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (anticor.api.errors)."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `invalid`, `not_found`, `throttled`.")
    detail = serializers.CharField(help_text="Human-readable message in the language of `Accept-Language`.")
    # A declared field: DRF's metaclass takes it out of the class, so Serializer.errors (the stubs' clash) stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors (400 only): field path such as `subjects.1.iin` → messages.",
    )

    class Meta:
        ref_name = "Error"


_ERRORS = {
    "400": "Invalid input (see `errors`, keyed by the parameter or field): an unknown query parameter (its message "
    "lists the accepted ones), a malformed or empty parameter value, or an invalid body.",
    "401": "No token, or an invalid, expired or revoked one.",
    "403": "The token lacks the scope, or is used from an address outside its allow-list.",
    "404": "No such resource, or outside the client's departments (existence is not disclosed).",
    "409": "Conflicts with the current state of the resource.",
    "412": "`If-Match` (or the `version` sent back in the body) names another version: the resource changed since "
    "it was read; `detail` says what changed. Nothing was changed.",
    "413": "The request body is too large.",
    "415": "Unsupported media type (send `application/json`).",
    "429": "Over the client's request limit; retry after `Retry-After` seconds.",
}
_ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Token`"}},
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "Version tag of the resource, for `If-Match`."}}


def _header(name: str, description: str) -> dict:
    return {"in": "header", "name": name, "required": False, "schema": {"type": "string"}, "description": description}


class ApiAutoSchema(AutoSchema):
    """Adds the shared error responses and conditional headers to every operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        parameters = operation.setdefault("parameters", [])
        conditional = self._is_conditional()
        retrieve = conditional and getattr(self.view, "action", None) == "retrieve"
        write = self.method not in ("GET", "HEAD", "OPTIONS")

        if retrieve:
            self._add_parameter(
                parameters, _header("If-None-Match", "An `ETag` from an earlier read: 304 if unchanged.")
            )
            responses.setdefault("304", {"description": "Not modified since the `ETag` given in `If-None-Match`."})
            responses["304"].setdefault("headers", {}).update(_ETAG)
        if conditional and self.method in ("PUT", "PATCH"):
            self._add_parameter(
                parameters, _header("If-Match", "The `ETag` last read: the write fails with 412 if stale.")
            )
        if retrieve or (conditional and write):
            for code, response in responses.items():
                if code.startswith("2") and "content" in response:
                    response.setdefault("headers", {}).update(_ETAG)

        # 400 everywhere: every view refuses unknown query parameters (anticor.api.filters)
        codes = ["400", "401", "403", "404", "429"]
        if write:
            codes += ["409", "413", "415"]
        if conditional and self.method in ("PUT", "PATCH"):
            codes.append("412")
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in sorted(codes):
            response = {"content": {"application/json": {"schema": error}}, "description": _ERRORS[code]}
            if code in _ERROR_HEADERS:
                response["headers"] = _ERROR_HEADERS[code]
            responses.setdefault(code, response)
        if not parameters:
            del operation["parameters"]
        return operation

    def _is_conditional(self) -> bool:
        from anticor.api.conditional import ConditionalMixin

        return isinstance(self.view, ConditionalMixin)

    @staticmethod
    def _add_parameter(parameters: list[dict], parameter: dict) -> None:
        if not any(p.get("in") == parameter["in"] and p.get("name") == parameter["name"] for p in parameters):
            parameters.append(parameter)


# --- the pieces an app's viewsets put in their extend_schema ----------------------------------------------------

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="ETag полученного представления: если запись с тех пор изменилась — 412, ничего не меняется.",
)
IF_NONE_MATCH_GET = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="ETag имеющегося представления: если запись не изменилась — 304 без тела.",
)


def etag_header(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(codes),
        description="Версия представления; передайте её в If-Match при изменении или в If-None-Match при чтении.",
    )


ETAG = etag_header(200)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Ошибка в данных: errors — сообщения по путям полей (например subjects.1.iin).",
        403: "Нет нужного права (scope) или действие запрещено.",
        404: "Не найдено или вне департаментов клиента.",
        412: "If-Match не совпадает с текущим ETag, version в теле устарел (в detail — что изменилось) или "
        "If-None-Match: * для существующего дела; ничего не изменено.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}
