"""API permission: the view's area, read or write, asked of the single permission point (anticor.access)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from anticor import access


class AreaPermission(BasePermission):
    """Allows a request when the user's roles (or the client's scopes) reach the view's ``access_area``.

    Row-level limits (departments) are applied by querysets through ``access.visible``, so a row outside them is 404.
    """

    message = _("Недостаточно прав (scope) для этого действия.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method the endpoint does not have: the view answers 405, not "missing scope"
        area = getattr(view, "access_area", None)
        if area is None:
            return False
        if request.method in SAFE_METHODS:
            return access.can_read_area(user, area)
        return access.can_write_area(user, area)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return access.can_view(request.user, obj)
        return access.can_change(request.user, obj)
