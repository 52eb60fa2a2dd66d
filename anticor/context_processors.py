"""Template context shared by every page: the navigation the user's roles allow."""

from __future__ import annotations

from anticor import access
from anticor.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    return {
        "nav_items": menu_for(user, request.path),
        "user_roles": [access.Role(role).label for role in sorted(access.user_roles(user))],
    }
