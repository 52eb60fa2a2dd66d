"""The cases resources of /api/v1/: thin viewsets over ``cases.services`` (DESIGN.md §5.2).

Rows outside the caller's scope do not exist (404); a missing scope is 403. Detail responses carry an ETag;
``If-Match`` on a write names the representation it is based on (stale → 412, nothing changed). Reads of cases
(subjects carry IINs) are recorded in the access log.
"""

from __future__ import annotations

from typing import cast

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from anticor import access
from anticor.api.conditional import ConditionalMixin
from anticor.api.errors import PreconditionFailed
from anticor.api.mixins import WriteMixin, if_match_version, log_read
from anticor.api.pagination import StableCursorPagination
from anticor.api.schema import ETAG, IF_MATCH, IF_NONE_MATCH_GET, error_responses, etag_header
from anticor.api.views import ScopedViewSetMixin
from anticor.models import AccessAction, Article
from anticor.versioning import StaleVersion
from cases import services
from cases.api.serializers import (
    CaseSerializer,
    CaseTransitionSerializer,
    CaseTransitionsSerializer,
    RecommendationSerializer,
    RecommendationTransitionSerializer,
    RootCauseSerializer,
    RootCauseTransitionSerializer,
)
from cases.filtersets import CaseFilterSet, RecommendationFilterSet, RootCauseFilterSet
from cases.models import Case, Recommendation, RecommendationMeasure, RootCause, Subject

# --- shared pieces ---------------------------------------------------------------------------------------------------

IF_NONE_MATCH_PUT = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="«*» — только создать: если дело с этим номером уже есть — 412.",
)


class CaseCursorPagination(StableCursorPagination):
    """Cursor pagination in the order the FilterSet's ``ordering`` names (ties broken by id), else newest first."""

    orderings = frozenset({"registered_on", "registration_number", "status", "damage_amount"})

    def get_ordering(self, request, queryset, view):
        first = request.query_params.get("ordering", "").split(",")[0].strip()
        if first.removeprefix("-") in self.orderings:
            return (first, "-id" if first.startswith("-") else "id")
        return super().get_ordering(request, queryset, view)


# --- cases -----------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Список дел",
        description="Фильтры — те же, что в списке дел веб-интерфейса; постраничный вывод курсором (page_size ≤ 500).",
    ),
    retrieve=extend_schema(
        summary="Дело по номеру ЕРДР",
        parameters=[IF_NONE_MATCH_GET, etag_header(200, 304)],
        responses={200: CaseSerializer, 304: OpenApiResponse(description="Не изменилось."), **error_responses(404)},
    ),
    update=extend_schema(
        summary="Создать или заменить дело (идемпотентно)",
        description=(
            "Создаёт дело с номером из URL (201) или заменяет существующее (200). Повтор того же тела ничего не "
            "меняет: версия не растёт, событий не появляется, дубликата не будет. Участники сопоставляются по ИИН: "
            "известные обновляются, новые добавляются, не указанные отмечаются исключёнными. Поля только для чтения "
            "(status, version, root_causes…) в теле не передаются; статус меняется через …/transitions/. "
            "If-Match — заменить только эту версию; If-None-Match: * — только создать. Создать дело департамента "
            "вне прав клиента нельзя (403)."
        ),
        parameters=[IF_MATCH, IF_NONE_MATCH_PUT, etag_header(200, 201)],
        responses={
            200: OpenApiResponse(CaseSerializer, description="Заменено (или уже было таким)."),
            201: OpenApiResponse(CaseSerializer, description="Создано."),
            **error_responses(400, 403, 404, 412),
        },
    ),
    partial_update=extend_schema(
        summary="Изменить часть сведений дела",
        description="Меняются только переданные поля; articles и subjects, если переданы, заменяются целиком.",
        parameters=[IF_MATCH, ETAG],
        responses={200: CaseSerializer, **error_responses(400, 403, 404, 412)},
    ),
)
class CaseViewSet(
    ScopedViewSetMixin,
    ConditionalMixin,
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Criminal cases (ЕРДР records), keyed by the 15-digit registration number."""

    access_area = access.Area.CASES
    base_queryset = Case.objects.select_related(
        "department", "sector", "termination_ground", "merged_into", "investigator"
    )
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    pagination_class = CaseCursorPagination
    lookup_field = "registration_number"
    lookup_value_regex = r"[0-9]{15}"

    def get_queryset(self):
        causes = access.visible(self.request.user, RootCause.objects.only("id").order_by("id"))
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("articles", queryset=Article.objects.only("id", "code")),
                Prefetch("subjects", queryset=Subject.objects.filter(is_removed=False).order_by("id")),
                Prefetch("root_causes", queryset=causes),
            )
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_read(request, action=AccessAction.LIST, model=Case)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:  # a 304 sends nothing the client does not already hold
            log_read(request, action=AccessAction.VIEW, obj=self._object)
        return response

    def get_object(self):
        self._object = super().get_object()
        return self._object

    def update(self, request, *args, **kwargs):
        return self._upsert(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._upsert(request, partial=True)

    def _upsert(self, request, *, partial: bool) -> Response:
        number = self.kwargs["registration_number"]
        instance = self.get_queryset().filter(registration_number=number).first()
        if instance is None and (partial or Case.objects.filter(registration_number=number).exists()):
            raise NotFound()  # another department's case does not exist for this caller
        if instance is not None and request.headers.get("If-None-Match", "").strip() == "*":
            raise PreconditionFailed(_("Дело с этим номером уже есть (If-None-Match: *). Ничего не изменено."))
        self.check_if_match(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data.get("registration_number")
        if given is not None and given != number:
            raise ValidationError({"registration_number": [_("Номер ЕРДР в теле не совпадает с номером в адресе.")]})
        try:
            case, created, _changed = services.case_upsert(
                user=request.user,
                registration_number=number,
                expected_version=if_match_version(request, instance),
                **cast(CaseSerializer, serializer).service_arguments(),
            )
        except Case.DoesNotExist:
            raise NotFound() from None
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        if created:
            return self.represent(case, status_code=status.HTTP_201_CREATED, headers={"Location": request.path})
        return self.represent(case)

    @extend_schema(
        methods=["GET"],
        summary="Допустимые смены статуса",
        description="Статусы, в которые клиент может перевести дело сейчас.",
        responses={200: CaseTransitionsSerializer, **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Сменить статус дела",
        description=(
            "Переход по таблице статусов (DESIGN.md §4.2) через тот же сервис, что и веб-интерфейс. "
            "termination_ground обязателен для terminated, merged_into — для merged. Недопустимый переход — 400 "
            "с ошибкой в errors.to."
        ),
        request=CaseTransitionSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: CaseSerializer, **error_responses(400, 403, 404, 412)},
    )
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, registration_number: str | None = None) -> Response:
        case = self.get_object()
        if request.method == "GET":
            allowed = services.case_allowed_transitions(user=request.user, case=case)
            return Response(CaseTransitionsSerializer({"status": case.status, "allowed": allowed}).data)
        self.check_if_match(request, case)
        data = self.input_serializer(CaseTransitionSerializer, request)
        ground, target = data["termination_ground"], data["merged_into"]
        try:
            case = services.case_transition(
                user=request.user,
                case_id=case.pk,
                to=data["to"],
                reason=data["reason"],
                on=data["on"],
                termination_ground_id=ground.pk if ground is not None else None,
                merged_into_id=target.pk if target is not None else None,
                expected_version=if_match_version(request, case),
                restatement_reason=data.get("restatement_reason", ""),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(case)


# --- root causes -----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Список причин и условий"),
    retrieve=extend_schema(
        summary="Причина и условие",
        parameters=[IF_NONE_MATCH_GET, etag_header(200, 304)],
        responses={
            200: RootCauseSerializer,
            304: OpenApiResponse(description="Не изменилось."),
            **error_responses(404),
        },
    ),
    create=extend_schema(
        summary="Записать причину и условие",
        parameters=[etag_header(201)],
        responses={201: RootCauseSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Изменить причину и условие",
        description="Меняются только переданные поля. Связи с делами только добавляются.",
        parameters=[IF_MATCH, ETAG],
        responses={200: RootCauseSerializer, **error_responses(400, 403, 404, 412)},
    ),
)
class RootCauseViewSet(
    ScopedViewSetMixin,
    ConditionalMixin,
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Causes and conditions of corruption; one systemic cause may stand behind several cases."""

    access_area = access.Area.CASES
    base_queryset = RootCause.objects.select_related(
        "department", "category", "regressed_by", "identified_by", "verified_by"
    ).order_by("-id")
    serializer_class = RootCauseSerializer
    filterset_class = RootCauseFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        cases = access.visible(self.request.user, Case.objects.only("id", "registration_number")).order_by(
            "registration_number"
        )
        return super().get_queryset().prefetch_related(Prefetch("cases", queryset=cases))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = serializer.service_arguments()
        cause = services.root_cause_create(
            user=request.user,
            values=arguments["values"],
            case_ids=arguments["case_ids"] or (),
            restatement_reason=arguments["restatement_reason"],
        )
        location = reverse("root-cause-detail", kwargs={"pk": cause.pk})
        return self.represent(cause, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        cause = self.get_object()
        self.check_if_match(request, cause)
        serializer = self.get_serializer(cause, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            cause, _changed = services.root_cause_patch(
                user=request.user,
                root_cause_id=cause.pk,
                expected_version=if_match_version(request, cause),
                **serializer.service_arguments(),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(cause)

    @extend_schema(
        summary="Сменить статус причины",
        description=(
            "eliminated подтверждает сотрудник с правом verify_causes (руководитель), не выявивший причину, после "
            "ответа на представление (или с approve_no_recommendation), с датой проверки (on) и содержательным "
            "подтверждением (evidence); rejected требует reason и того же права; regressed ставится автоматически."
        ),
        request=RootCauseTransitionSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: RootCauseSerializer, **error_responses(400, 403, 404, 412)},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str | None = None) -> Response:
        cause = self.get_object()
        self.check_if_match(request, cause)
        data = self.input_serializer(RootCauseTransitionSerializer, request)
        try:
            cause = services.root_cause_transition(
                user=request.user,
                root_cause_id=cause.pk,
                to=data["to"],
                on=data["on"],
                evidence=data["evidence"],
                reason=data["reason"],
                approve_no_recommendation=data["approve_no_recommendation"],
                expected_version=if_match_version(request, cause),
                restatement_reason=data.get("restatement_reason", ""),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(cause)


# --- recommendations -------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Список представлений"),
    retrieve=extend_schema(
        summary="Представление",
        parameters=[IF_NONE_MATCH_GET, etag_header(200, 304)],
        responses={
            200: RecommendationSerializer,
            304: OpenApiResponse(description="Не изменилось."),
            **error_responses(404),
        },
    ),
    create=extend_schema(
        summary="Записать представление (проект)",
        parameters=[etag_header(201)],
        responses={201: RecommendationSerializer, **error_responses(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Изменить представление",
        description=(
            "Меняются только переданные поля. measures, если переданы, заменяют список мер: мера с id изменяется, "
            "без id — добавляется, не указанная — удаляется."
        ),
        parameters=[IF_MATCH, ETAG],
        responses={200: RecommendationSerializer, **error_responses(400, 403, 404, 412)},
    ),
)
class RecommendationViewSet(
    ScopedViewSetMixin,
    ConditionalMixin,
    WriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Представления об устранении причин и условий, with their measures."""

    access_area = access.Area.CASES
    base_queryset = Recommendation.objects.select_related("department").order_by("-id")
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        causes = access.visible(self.request.user, RootCause.objects.only("id").order_by("id"))
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("root_causes", queryset=causes),
                Prefetch("measures", queryset=RecommendationMeasure.objects.order_by("id")),
            )
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = serializer.service_arguments()
        rec = services.recommendation_create(
            user=request.user,
            values=arguments["values"],
            root_cause_ids=arguments["root_cause_ids"] or (),
            measures=arguments["measures"] or (),
            restatement_reason=arguments["restatement_reason"],
        )
        location = reverse("recommendation-detail", kwargs={"pk": rec.pk})
        return self.represent(rec, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        rec = self.get_object()
        self.check_if_match(request, rec)
        serializer = self.get_serializer(rec, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            rec, _changed = services.recommendation_patch(
                user=request.user,
                recommendation_id=rec.pk,
                expected_version=if_match_version(request, rec),
                **serializer.service_arguments(),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(rec)

    @extend_schema(
        summary="Сменить статус представления",
        description="draft → issued → answered (note — содержание ответа) → verified (note — результат проверки).",
        request=RecommendationTransitionSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: RecommendationSerializer, **error_responses(400, 403, 404, 412)},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str | None = None) -> Response:
        rec = self.get_object()
        self.check_if_match(request, rec)
        data = self.input_serializer(RecommendationTransitionSerializer, request)
        try:
            rec = services.recommendation_transition(
                user=request.user,
                recommendation_id=rec.pk,
                to=data["to"],
                on=data["on"],
                note=data["note"],
                expected_version=if_match_version(request, rec),
                restatement_reason=data.get("restatement_reason", ""),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(rec)
