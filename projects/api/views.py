"""The projects resources of /api/v1/: thin viewsets over ``projects.services`` (DESIGN.md §5.2).

Conventions as in the platform (``anticor.api``): rows outside the caller's departments do not exist (404), a
missing scope is 403, detail responses carry an ETag and writes honour ``If-Match`` (stale → 412, nothing changed).
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anticor import access
from anticor.api.conditional import ConditionalMixin
from anticor.api.errors import PreconditionFailed
from anticor.api.mixins import ValuesSerializer, WriteMixin, if_match_version
from anticor.api.schema import ETAG, IF_MATCH, IF_NONE_MATCH_GET, error_responses, etag_header
from anticor.api.views import ScopedViewSetMixin
from anticor.versioning import StaleVersion
from projects import services
from projects.api.serializers import (
    DirectionSerializer,
    KPIMeasurementSerializer,
    KPISerializer,
    MilestoneSerializer,
    MilestoneTransitionSerializer,
    ProjectSerializer,
    ProjectTransitionSerializer,
    PublicEventSerializer,
    RiskSerializer,
    changed_values,
)
from projects.filtersets import ProjectFilterSet
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

# --- filters: projects use the HTML list's FilterSet; minimal ones for the rows that have no HTML list yet ----------


class DirectionFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    is_example = django_filters.BooleanFilter()

    class Meta:
        model = Direction
        fields = ["is_active", "is_example"]


def _project_rows_filterset(model_class: type, *extra: str) -> type[django_filters.FilterSet]:
    attrs: dict[str, Any] = {"project": django_filters.CharFilter(field_name="project__code")}
    meta = type("Meta", (), {"model": model_class, "fields": ["project", *extra]})
    return type(f"{model_class.__name__}FilterSet", (django_filters.FilterSet,), {**attrs, "Meta": meta})


KPIFilterSet = _project_rows_filterset(KPI, "better", "source", "is_archived")
MilestoneFilterSet = _project_rows_filterset(Milestone, "status")
RiskFilterSet = _project_rows_filterset(Risk, "status")
PublicEventFilterSet = _project_rows_filterset(PublicEvent, "kind")


class KPIMeasurementFilterSet(django_filters.FilterSet):
    kpi = django_filters.NumberFilter(field_name="kpi_id")
    project = django_filters.CharFilter(field_name="kpi__project__code")

    class Meta:
        model = KPIMeasurement
        fields = ["kpi", "project"]


# --- shared -----------------------------------------------------------------------------------------------------------


def _schema(name: str, serializer: type, *, create: bool = True, patch: bool = True) -> Any:
    views: dict[str, Any] = {
        "list": extend_schema(summary=f"Список: {name}"),
        "retrieve": extend_schema(
            summary=name,
            parameters=[IF_NONE_MATCH_GET, etag_header(200, 304)],
            responses={200: serializer, 304: OpenApiResponse(description="Не изменилось."), **error_responses(404)},
        ),
    }
    if create:
        views["create"] = extend_schema(
            summary=f"Создать: {name}",
            parameters=[etag_header(201)],
            responses={201: serializer, **error_responses(400, 403)},
        )
    if patch:
        views["partial_update"] = extend_schema(
            summary=f"Изменить: {name}",
            description="Меняются только переданные поля.",
            parameters=[IF_MATCH, ETAG],
            responses={200: serializer, **error_responses(400, 403, 404, 412)},
        )
    return extend_schema_view(**views)


class ProjectsViewSet(ScopedViewSetMixin, ConditionalMixin, WriteMixin, viewsets.GenericViewSet):
    access_area = access.Area.PROJECTS
    lookup_value_regex = r"[0-9]{1,18}"

    def created(self, obj: Any) -> Response:
        location = reverse(f"{self.basename}-detail", kwargs={self.lookup_field: getattr(obj, self.lookup_field)})
        return self.represent(obj, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def patch_with(self, request, update) -> Response:
        """Validate a PATCH body and hand what differs to ``update(instance, values, expected_version)``."""
        instance = self.get_object()
        self.check_if_match(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = changed_values(instance, cast(ValuesSerializer, serializer).values())
        if values:
            try:
                instance = update(instance, values, if_match_version(request, instance))
            except StaleVersion as conflict:
                raise PreconditionFailed(conflict.describe()) from None
        return self.represent(instance)


# --- directions -------------------------------------------------------------------------------------------------------


@_schema("Направление", DirectionSerializer, create=False, patch=False)
class DirectionViewSet(ScopedViewSetMixin, ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """The mandatory project directions (reference data kept by administrators)."""

    access_area = access.Area.REFERENCE
    base_queryset = Direction.objects.order_by("id")
    serializer_class = DirectionSerializer
    filterset_class = DirectionFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,64}"


# --- projects ---------------------------------------------------------------------------------------------------------


@_schema("Проект", ProjectSerializer)
class ProjectViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Projects, keyed by their code."""

    base_queryset = Project.objects.select_related(
        "direction", "lead", "curator", "owner_department", "owner_state_body"
    ).order_by("-id")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[\w-]{1,32}"  # letters (Cyrillic too), digits, "_" and "-"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.created(services.project_create(user=request.user, values=serializer.values()))

    def partial_update(self, request, *args, **kwargs):
        def update(project: Project, values: dict[str, Any], version: int | None) -> Project:
            return services.project_update(
                user=request.user, project_id=project.pk, expected_version=version, values=values
            )

        return self.patch_with(request, update)

    @extend_schema(
        summary="Сменить статус проекта",
        description="draft → approved → active → completed; из любого незавершённого — cancelled.",
        request=ProjectTransitionSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: ProjectSerializer, **error_responses(400, 403, 404, 412)},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, code: str | None = None) -> Response:
        project = self.get_object()
        self.check_if_match(request, project)
        data = self.input_serializer(ProjectTransitionSerializer, request)
        try:
            project = services.project_transition(
                user=request.user,
                project_id=project.pk,
                to=data["to"],
                expected_version=if_match_version(request, project),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(project)


# --- KPIs and measurements --------------------------------------------------------------------------------------------


@_schema("KPI", KPISerializer)
class KPIViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Project KPIs with their status against the trajectory (latest value, expected value, on track, gap)."""

    base_queryset = KPI.objects.select_related("project__owner_department", "responsible").order_by("-id")
    serializer_class = KPISerializer
    filterset_class = KPIFilterSet

    def get_queryset(self):
        latest = KPIMeasurement.objects.filter(kpi=OuterRef("pk")).order_by("-measured_on", "-id")
        return (
            super()
            .get_queryset()
            .annotate(
                latest_value=Subquery(latest.values("value")[:1]),
                latest_measured_on=Subquery(latest.values("measured_on")[:1]),
            )
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {**serializer.values(), "project": serializer.validated_data["project"]}
        return self.created(services.kpi_create(user=request.user, values=values))

    def partial_update(self, request, *args, **kwargs):
        return self.patch_with(
            request,
            lambda kpi, values, version: services.kpi_update(
                user=request.user, kpi_id=kpi.pk, values=values, expected_version=version
            ),
        )


@_schema("Измерение KPI", KPIMeasurementSerializer, patch=False)
class KPIMeasurementViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Measurements of KPIs. History is never edited: a correction is a new measurement."""

    base_queryset = KPIMeasurement.objects.select_related("kpi__project__owner_department", "entered_by").order_by(
        "-id"
    )
    serializer_class = KPIMeasurementSerializer
    filterset_class = KPIMeasurementFilterSet

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        measurement = services.kpi_measure(
            user=request.user,
            kpi_id=data["kpi"].pk,
            measured_on=data["measured_on"],
            value=data["value"],
            evidence=data.get("evidence", ""),
            period=data.get("period", ""),
        )
        return self.created(measurement)


# --- milestones, risks, public events ---------------------------------------------------------------------------------


@_schema("Контрольная точка", MilestoneSerializer)
class MilestoneViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    base_queryset = Milestone.objects.select_related("project__owner_department").order_by("-id")
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        milestone = services.milestone_create(
            user=request.user, project=data["project"], title=data["title"], due_on=data["due_on"]
        )
        return self.created(milestone)

    def partial_update(self, request, *args, **kwargs):
        return self.patch_with(
            request,
            lambda row, values, version: services.milestone_patch(
                user=request.user, milestone_id=row.pk, values=values, expected_version=version
            ),
        )

    @extend_schema(
        summary="Сменить статус контрольной точки",
        description="done требует даты выполнения (done_on) и подтверждения (evidence).",
        request=MilestoneTransitionSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: MilestoneSerializer, **error_responses(400, 403, 404, 412)},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        self.check_if_match(request, milestone)
        data = self.input_serializer(MilestoneTransitionSerializer, request)
        try:
            milestone = services.milestone_transition(
                user=request.user,
                milestone_id=milestone.pk,
                to=data["to"],
                done_on=data["done_on"],
                evidence=data["evidence"],
                expected_version=if_match_version(request, milestone),
            )
        except StaleVersion as conflict:
            raise PreconditionFailed(conflict.describe()) from None
        return self.represent(milestone)


@_schema("Риск", RiskSerializer)
class RiskViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    base_queryset = Risk.objects.select_related("project__owner_department", "owner").order_by("-id")
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        wanted_status = data.pop("status", None)
        risk = services.risk_create(user=request.user, **data)
        if wanted_status is not None and wanted_status != risk.status:
            risk = services.risk_patch(user=request.user, risk_id=risk.pk, values={"status": wanted_status})
        return self.created(risk)

    def partial_update(self, request, *args, **kwargs):
        return self.patch_with(
            request,
            lambda row, values, version: services.risk_patch(
                user=request.user, risk_id=row.pk, values=values, expected_version=version
            ),
        )


@_schema("Мероприятие с общественностью", PublicEventSerializer)
class PublicEventViewSet(ProjectsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    base_queryset = PublicEvent.objects.select_related("project__owner_department").order_by("-id")
    serializer_class = PublicEventSerializer
    filterset_class = PublicEventFilterSet

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.created(services.public_event_create(user=request.user, **serializer.validated_data))

    def partial_update(self, request, *args, **kwargs):
        return self.patch_with(
            request,
            lambda row, values, version: services.public_event_patch(
                user=request.user, public_event_id=row.pk, values=values, expected_version=version
            ),
        )
