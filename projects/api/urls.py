"""Routes of the projects resources, registered on the shared /api/v1/ router."""

from __future__ import annotations

from projects.api import views


def register(router) -> None:
    """``directions`` and ``projects`` by code; ``kpis``, ``kpi-measurements``, ``milestones``, ``risks`` and
    ``public-events`` by id."""
    router.register("directions", views.DirectionViewSet, basename="direction")
    router.register("projects", views.ProjectViewSet, basename="project")
    router.register("kpis", views.KPIViewSet, basename="kpi")
    router.register("kpi-measurements", views.KPIMeasurementViewSet, basename="kpi-measurement")
    router.register("milestones", views.MilestoneViewSet, basename="milestone")
    router.register("risks", views.RiskViewSet, basename="risk")
    router.register("public-events", views.PublicEventViewSet, basename="public-event")
