"""The integrity resources of /api/v1/: thin viewsets over ``integrity.services`` (DESIGN.md §5.2, §4.4, §7).

Only with the integrity scopes (``integrity:read`` / ``integrity:write``, never granted by default) or, for a
signed-in user, a role that reaches the area: staff and discipline for internal security and, read-only, the
department head of the employee's department; checks for internal security only, and never a check about the
user themselves. Conventions as in the platform (``anticor.api``): rows outside the caller's scope do not exist (404), a
missing scope is 403, a refusal of the service is 403, detail responses carry an ETag and writes honour
``If-Match`` (stale → 412, nothing changed). Every list and detail read is written to the access log (the user, or
the API client's name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from anticor import access
from anticor.api.conditional import ConditionalMixin
from anticor.api.errors import PreconditionFailed
from anticor.api.mixins import ValuesSerializer, WriteMixin, if_match_version, log_read
from anticor.api.schema import ETAG, IF_MATCH, IF_NONE_MATCH_GET, error_responses, etag_header
from anticor.api.views import ScopedViewSetMixin
from anticor.audit import Source
from anticor.models import AccessAction, User
from anticor.services import access_log_denied
from anticor.versioning import StaleVersion
from integrity import selectors, services
from integrity.api.serializers import (
    CheckFollowUpSerializer,
    CheckInformSerializer,
    CheckTransitionSerializer,
    ConvictionSerializer,
    DisciplinaryRecordSerializer,
    DisciplineTransitionSerializer,
    EmployeeSerializer,
    IntegrityCheckSerializer,
    changed_values,
)
from integrity.choices import CheckStatus
from integrity.filtersets import (
    ConvictionFilterSet,
    DisciplinaryRecordFilterSet,
    EmployeeFilterSet,
    IntegrityCheckFilterSet,
)
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck

ID_REGEX = r"[0-9]{1,18}"


@contextmanager
def service_errors() -> Iterator[None]:
    """A stale version is 412; a row that vanished (or is about the caller) meanwhile does not exist (404)."""
    try:
        yield
    except StaleVersion as conflict:
        raise PreconditionFailed(conflict.describe()) from None
    except ObjectDoesNotExist:
        raise NotFound() from None


def _schema(name: str, serializer: type, *, create: str | None = None, patch: str | None = None) -> Any:
    views: dict[str, Any] = {
        "list": extend_schema(
            summary=f"Список: {name}",
            description="Фильтры — те же, что в списке веб-интерфейса; постраничный вывод курсором (page_size ≤ 500). "
            "Каждое чтение записывается в журнал доступа.",
        ),
        "retrieve": extend_schema(
            summary=name,
            description="Чтение записывается в журнал доступа.",
            parameters=[IF_NONE_MATCH_GET, etag_header(200, 304)],
            responses={200: serializer, 304: OpenApiResponse(description="Не изменилось."), **error_responses(404)},
        ),
    }
    if create is not None:
        views["create"] = extend_schema(
            summary=f"Создать: {name}",
            description=create,
            parameters=[etag_header(201)],
            responses={201: serializer, **error_responses(400, 403)},
        )
    if patch is not None:
        views["partial_update"] = extend_schema(
            summary=f"Изменить: {name}",
            description=patch,
            parameters=[IF_MATCH, ETAG],
            responses={200: serializer, **error_responses(400, 403, 404, 412)},
        )
    return extend_schema_view(**views)


def _step(summary: str, description: str, request: type, response: type) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[IF_MATCH, ETAG],
        responses={200: response, **error_responses(400, 403, 404, 412)},
    )


class IntegrityViewSet(
    ScopedViewSetMixin,
    ConditionalMixin,
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reads through the app's selectors (need-to-know), each one in the access log; writes through its services."""

    access_area = access.Area.STAFF
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError("each resource reads through its selector")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["full_iin"] = selectors.can_see_personal_data(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_read(request, action=AccessAction.LIST, model=self.base_queryset.model)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:  # a 304 sends nothing the client does not already hold
            log_read(request, action=AccessAction.VIEW, obj=self._object)
        return response

    def get_object(self) -> Model:
        try:
            self._object = super().get_object()
        except Http404:
            self._log_denied(self.request)
            raise
        return self._object

    def permission_denied(self, request, message=None, code=None):
        if getattr(request.user, "is_authenticated", False):
            self._log_denied(request)
        super().permission_denied(request, message=message, code=code)

    def _log_denied(self, request) -> None:
        """A refused read or step (403, or 404 for a row outside the caller's scope): auditors see probing too."""
        user = request.user
        access_log_denied(
            user=user if isinstance(user, User) else None,
            client_label=user.client.name if isinstance(user, access.ApiPrincipal) else "",
            source=Source.API,
            model=self.base_queryset.model,
            value=self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""),
            lookup=self.lookup_field,
            request=request._request,
        )

    def created(self, obj: Model) -> Response:
        key = self.lookup_url_kwarg or self.lookup_field
        location = reverse(f"{self.basename}-detail", kwargs={key: getattr(obj, self.lookup_field)})
        return self.represent(obj, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def create_with(self, request, create: Callable[[dict[str, Any]], Model]) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            obj = create(cast(ValuesSerializer, serializer).values())
        return self.created(obj)

    def patch_with(self, request, update: Callable[[Model, dict[str, Any], int | None], Model]) -> Response:
        """Validate a PATCH body and hand what differs to ``update(instance, values, expected_version)``."""
        instance = self.get_object()
        self.check_if_match(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = changed_values(instance, cast(ValuesSerializer, serializer).values())
        if values:
            with service_errors():
                instance = update(instance, values, if_match_version(request, instance))
        return self.represent(instance)

    def step(
        self, request, serializer_class: type, run: Callable[[Model, dict[str, Any], int | None], Model]
    ) -> Response:
        """A POST action on one row: If-Match, the body, then ``run(instance, data, expected_version)``."""
        instance = self.get_object()
        self.check_if_match(request, instance)
        data = self.input_serializer(serializer_class, request)
        with service_errors():
            instance = run(instance, data, if_match_version(request, instance))
        return self.represent(instance)


# --- employees --------------------------------------------------------------------------------------------------------


@_schema(
    "Сотрудник",
    EmployeeSerializer,
    create="Табельный номер и ИИН уникальны; ИИН проверяется по контрольной цифре. Клиент, ограниченный "
    "департаментами, создаёт сотрудников только своих департаментов (иначе 403).",
    patch="Меняются только переданные поля; табельный номер не меняется. Увольнение: status=dismissed и dismissed_on.",
)
class EmployeeViewSet(IntegrityViewSet):
    """The agency's own staff, keyed by the personnel number. The IIN is masked for readers who do not keep the
    staff records."""

    base_queryset = Employee.objects.all()
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilterSet
    lookup_field = "personnel_number"
    lookup_value_regex = r"[0-9A-Z][0-9A-Z-]{0,19}"

    def get_queryset(self) -> QuerySet:
        return selectors.employees(self.request.user).select_related("user")

    def create(self, request, *args, **kwargs):
        return self.create_with(request, lambda values: services.employee_create(user=request.user, values=values))

    def partial_update(self, request, *args, **kwargs):
        def update(employee: Model, values: dict[str, Any], version: int | None) -> Model:
            return services.employee_update(
                user=request.user, employee_id=employee.pk, values=values, expected_version=version
            )

        return self.patch_with(request, update)


# --- discipline -------------------------------------------------------------------------------------------------------


@_schema(
    "Дисциплинарное взыскание",
    DisciplinaryRecordSerializer,
    create="Взыскание из перечня по приказу. expires_on по умолчанию — через двенадцать месяцев от imposed_on; "
    "negative_grounds — только при увольнении (dismissal), увольнение увольняет сотрудника. Пропуск сроков "
    "наложения не запрещает запись, а показывается в deadline_warnings.",
    patch="Исправление внесённых сведений (не статуса: он меняется через …/transitions/). Сотрудник не меняется.",
)
class DisciplinaryRecordViewSet(IntegrityViewSet):
    """Disciplinary sanctions of employees, by id. Never deleted: they expire, are lifted, appealed or overturned."""

    base_queryset = DisciplinaryRecord.objects.all()
    serializer_class = DisciplinaryRecordSerializer
    filterset_class = DisciplinaryRecordFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.disciplinary_records(self.request.user)

    def create(self, request, *args, **kwargs):
        return self.create_with(request, lambda values: services.discipline_create(user=request.user, values=values))

    def partial_update(self, request, *args, **kwargs):
        def update(record: Model, values: dict[str, Any], version: int | None) -> Model:
            return services.discipline_update(
                user=request.user, record_id=record.pk, values=values, expected_version=version
            )

        return self.patch_with(request, update)

    @_step(
        "Сменить статус взыскания",
        "active → lifted (снято досрочно) | appealed (обжалуется) | overturned (отменено); appealed → active "
        "(оставлено в силе) | overturned. Всегда с основанием (reason); on — дата, по умолчанию сегодня. expired "
        "ставится только ежедневной задачей. Недопустимый переход — 400 с ошибкой в errors.to.",
        DisciplineTransitionSerializer,
        DisciplinaryRecordSerializer,
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str | None = None) -> Response:
        def run(record: Model, data: dict[str, Any], version: int | None) -> Model:
            return services.discipline_transition(
                user=request.user,
                record_id=record.pk,
                to=data["to"],
                reason=data["reason"],
                on=data["on"],
                expected_version=version,
            )

        return self.step(request, DisciplineTransitionSerializer, run)


# --- convictions ------------------------------------------------------------------------------------------------------


@_schema("Судимость сотрудника", ConvictionSerializer, create="Приговор суда; дата приговора не может быть в будущем.")
class ConvictionViewSet(IntegrityViewSet):
    """Court verdicts against employees, by id. A verdict is not edited here."""

    base_queryset = Conviction.objects.all()
    serializer_class = ConvictionSerializer
    filterset_class = ConvictionFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.convictions(self.request.user)

    def create(self, request, *args, **kwargs):
        return self.create_with(request, lambda values: services.conviction_create(user=request.user, values=values))


# --- integrity checks -------------------------------------------------------------------------------------------------

_CHECK_STEPS = (
    "Шаги проверки — одна точка POST …/transitions/ с полем to и полями своего шага (лишние поля — 400):\n\n"
    "- `approved` — утверждение (`on`, по умолчанию сегодня). Утверждает только сотрудник собственной безопасности, "
    "который не является проверяющим и не работает в департаменте проверяемого, и только после подтверждения всех "
    "гарантий. **API-клиент утвердить проверку не может никогда (403).**\n"
    "- `conducted` — проведение после утверждения, в утверждённый период (`conducted_on`, `notes`).\n"
    "- `reviewed` — результат только после проведения (`outcome`, `summary`, `reviewed_on`).\n"
    "- `closed` — закрытие рассмотренной проверки (`on`): сотрудник ознакомлен (…/inform/), у непройденной — "
    "связанное взыскание (…/follow-up/).\n"
    "- `cancelled` — отмена проекта или утверждённой проверки (`reason`).\n\n"
    "Не меняют статус: POST …/follow-up/ `{follow_up_record}` и POST …/inform/ `{informed_on}`."
)


@_schema(
    "Проверка на добропорядочность",
    IntegrityCheckSerializer,
    create="Проект проверки (draft). tester — логин проверяющего (для API-клиента обязателен). Целевая проверка "
    "(targeted) — с основаниями (grounds).",
    patch="Изменяется только план проекта (draft): основание, сценарий, проверяющий, период и гарантии; "
    "утверждённый план неизменен (400).",
)
class IntegrityCheckViewSet(IntegrityViewSet):
    """Integrity Checks, by id: internal security only; a check about the caller does not exist for them.

    The workflow draft → approved → conducted → reviewed → closed | cancelled goes through the services, which
    enforce every safeguard.
    """

    access_area = access.Area.INTEGRITY_CHECKS
    base_queryset = IntegrityCheck.objects.all()
    serializer_class = IntegrityCheckSerializer
    filterset_class = IntegrityCheckFilterSet

    def get_queryset(self) -> QuerySet:
        return selectors.integrity_checks(self.request.user)

    def create(self, request, *args, **kwargs):
        return self.create_with(request, lambda values: services.check_create(user=request.user, values=values))

    def partial_update(self, request, *args, **kwargs):
        def update(check: Model, values: dict[str, Any], version: int | None) -> Model:
            return services.check_update(user=request.user, check_id=check.pk, values=values, expected_version=version)

        return self.patch_with(request, update)

    @_step("Шаг проверки: сменить статус", _CHECK_STEPS, CheckTransitionSerializer, IntegrityCheckSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str | None = None) -> Response:
        def run(check: Model, data: dict[str, Any], version: int | None) -> Model:
            user, target, row = request.user, data["to"], {"check_id": check.pk, "expected_version": version}
            if target == CheckStatus.APPROVED:
                return services.check_approve(user=user, on=data.get("on"), **row)
            if target == CheckStatus.CONDUCTED:
                return services.check_conduct(user=user, conducted_on=data["conducted_on"], notes=data["notes"], **row)
            if target == CheckStatus.REVIEWED:
                return services.check_review(
                    user=user,
                    outcome=data["outcome"],
                    summary=data["summary"],
                    reviewed_on=data.get("reviewed_on"),
                    **row,
                )
            if target == CheckStatus.CLOSED:
                return services.check_close(user=user, on=data.get("on"), **row)
            return services.check_cancel(user=user, reason=data["reason"], **row)

        return self.step(request, CheckTransitionSerializer, run)

    @_step(
        "Связать взыскание, последовавшее за проверкой",
        "Только для непройденной проверки (outcome=failed): взыскание того же сотрудника за проступок, обнаруженный "
        "не раньше проведения проверки. Статус не меняется.",
        CheckFollowUpSerializer,
        IntegrityCheckSerializer,
    )
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request, pk: str | None = None) -> Response:
        def run(check: Model, data: dict[str, Any], version: int | None) -> Model:
            return services.check_link_follow_up(
                user=request.user, check_id=check.pk, record_id=data["follow_up_record"].pk, expected_version=version
            )

        return self.step(request, CheckFollowUpSerializer, run)

    @_step(
        "Отметить ознакомление сотрудника",
        "Дата, когда сотрудник ознакомлен с проверкой и её результатом: после рассмотрения (reviewed). Статус не "
        "меняется; без этой даты проверку не закрыть.",
        CheckInformSerializer,
        IntegrityCheckSerializer,
    )
    @action(detail=True, methods=["post"])
    def inform(self, request, pk: str | None = None) -> Response:
        def run(check: Model, data: dict[str, Any], version: int | None) -> Model:
            return services.check_inform(
                user=request.user, check_id=check.pk, informed_on=data["informed_on"], expected_version=version
            )

        return self.step(request, CheckInformSerializer, run)
