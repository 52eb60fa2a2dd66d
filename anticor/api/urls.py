"""/api/v1/: one router for every app's resources, the schema and the docs."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from anticor.api import views
from anticor.reference import TABLES


class ApiRootView(APIRootView):
    """Anticor REST API v1: the list of resources. See /api/v1/docs/ for the full description."""

    permission_classes = [IsAuthenticated]


class ApiRouter(DefaultRouter):
    APIRootView = ApiRootView
    include_format_suffixes = False


router = ApiRouter(trailing_slash=True)
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("state-bodies", views.StateBodyViewSet, basename="state-body")
router.register("articles", views.ArticleViewSet, basename="article")


def _register_app_routes() -> None:
    for table in TABLES:  # the apps' reference tables that name their API fields
        if table.api_fields:
            router.register(table.slug, views.reference_viewset(table), basename=table.api_basename)
    from cases.api.urls import register as register_cases

    register_cases(router)
    from projects.api.urls import register as register_projects

    register_projects(router)
    from integrity.api.urls import register as register_integrity

    register_integrity(router)
    from anticor.indicators.api import register as register_indicators

    register_indicators(router)


_register_app_routes()

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]


def _token_or_session_only(patterns):
    """DRF authenticates API requests itself (401/403 JSON), so the login redirect middleware steps aside."""
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            _token_or_session_only(entry.url_patterns)
        elif hasattr(entry, "callback"):
            entry.callback.login_required = False


_token_or_session_only(urlpatterns)
