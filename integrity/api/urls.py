"""Routes of the integrity resources, registered on the shared /api/v1/ router."""

from __future__ import annotations

from integrity.api import views


def register(router) -> None:
    """``employees`` by personnel number; ``disciplinary-records``, ``convictions`` and ``integrity-checks`` by id."""
    router.register("employees", views.EmployeeViewSet, basename="employee")
    router.register("disciplinary-records", views.DisciplinaryRecordViewSet, basename="disciplinary-record")
    router.register("convictions", views.ConvictionViewSet, basename="conviction")
    router.register("integrity-checks", views.IntegrityCheckViewSet, basename="integrity-check")
