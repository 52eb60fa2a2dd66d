"""Routes of the cases resources, registered on the shared /api/v1/ router."""

from __future__ import annotations

from cases.api import views


def register(router) -> None:
    """``cases`` (keyed by the 15-digit registration number), ``root-causes`` and ``recommendations`` (by id)."""
    router.register("cases", views.CaseViewSet, basename="case")
    router.register("root-causes", views.RootCauseViewSet, basename="root-cause")
    router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
