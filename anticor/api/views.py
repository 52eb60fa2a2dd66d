"""Reference resources (read-only), the API root, schema and docs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from anticor import access
from anticor.api import serializers
from anticor.api.conditional import ConditionalMixin
from anticor.api.filters import check_query_params
from anticor.filtersets import (
    ArticleFilterSet,
    DepartmentFilterSet,
    RegionFilterSet,
    StateBodyFilterSet,
)
from anticor.models import Article, Department, Region, StateBody
from anticor.reference import ReferenceTable


class ScopedViewSetMixin:
    """Querysets always pass through the permission point: rows outside the caller's scope do not exist (404).
    Query parameters the resource does not know, or with malformed values, are a 400 (anticor.api.filters)."""

    access_area: str
    base_queryset: QuerySet[Any]  # every viewset names its rows

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling first
        check_query_params(self, request)

    def get_queryset(self):
        return access.visible(self.request.user, self.base_queryset.all())


class ReferenceViewSet(ScopedViewSetMixin, ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    access_area = access.Area.REFERENCE
    lookup_field = "code"


class RegionViewSet(ReferenceViewSet):
    """Regions and cities of republican significance (two-digit KATO codes)."""

    base_queryset = Region.objects.order_by("id")
    serializer_class = serializers.RegionSerializer
    lookup_value_regex = r"[0-9]{2}"
    filterset_class = RegionFilterSet


class DepartmentViewSet(ReferenceViewSet):
    """The agency's central office (00) and territorial departments (code = region code)."""

    base_queryset = Department.objects.select_related("region", "parent").order_by("id")
    serializer_class = serializers.DepartmentSerializer
    lookup_value_regex = r"[0-9]{2}"
    filterset_class = DepartmentFilterSet


class StateBodyViewSet(ReferenceViewSet):
    """State bodies and quasi-public organisations; referenced by id."""

    base_queryset = StateBody.objects.select_related("region").order_by("id")
    serializer_class = serializers.StateBodySerializer
    filterset_class = StateBodyFilterSet
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"


class ArticleViewSet(ReferenceViewSet):
    """Criminal Code articles with corruption crimes."""

    base_queryset = Article.objects.order_by("id")
    serializer_class = serializers.ArticleSerializer
    filterset_class = ArticleFilterSet
    lookup_value_regex = r"[0-9]{1,3}(-[0-9]{1,2})?"


def reference_viewset(table: ReferenceTable) -> type[ReferenceViewSet]:
    """The read-only resource of an app's registered reference table, looked up by its natural key."""
    meta = type("Meta", (), {"model": table.model, "fields": list(table.api_fields)})
    serializer = type(f"{table.model.__name__}Serializer", (drf_serializers.ModelSerializer,), {"Meta": meta})
    return type(
        f"{table.model.__name__}ViewSet",
        (ReferenceViewSet,),
        {
            "base_queryset": table.model._default_manager.order_by("id"),
            "serializer_class": serializer,
            "filterset_class": table.page_filterset(),
            "lookup_field": table.key,
            "lookup_value_regex": table.lookup_value_regex,
        },
    )


class JsonErrorsMixin:
    """The document's renderers (YAML, HTML) are for the document; errors use the API's one JSON format."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI 3 document (requires a token or a session, like every endpoint)."""

    permission_classes = [IsAuthenticated]


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI with its assets and init script served by the application (no CDN, no inline script)."""

    permission_classes = [IsAuthenticated]
