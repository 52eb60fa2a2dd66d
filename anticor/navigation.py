"""The main menu. Each entry is shown only when the permission point lets the user in; no entry leads nowhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anticor import access


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    allowed: Callable[[access.Principal], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[NavItem] = [
    NavItem(_("Главная"), "home", lambda user: True),
    NavItem(_("Дела"), "cases:case-list", lambda user: access.can_read_area(user, access.Area.CASES)),
    NavItem(_("Причины"), "cases:root-cause-list", lambda user: access.can_read_area(user, access.Area.CASES)),
    NavItem(
        _("Представления"), "cases:recommendation-list", lambda user: access.can_read_area(user, access.Area.CASES)
    ),
    NavItem(_("Проекты"), "projects:overview", lambda user: access.can_read_area(user, access.Area.PROJECTS)),
    NavItem(_("Показатели"), "indicators:dashboard", lambda user: access.can_read_area(user, access.Area.INDICATORS)),
    NavItem(_("Личный состав"), "integrity:employee-list", lambda user: access.can_read_area(user, access.Area.STAFF)),
    NavItem(
        _("Проверки"),
        "integrity:check-list",
        lambda user: access.can_read_area(user, access.Area.INTEGRITY_CHECKS),
    ),
    NavItem(_("Справочники"), "reference-index", lambda user: access.can_read_area(user, access.Area.REFERENCE)),
    NavItem(_("Журнал доступа"), "access-log", lambda user: access.can_read_area(user, access.Area.AUDIT)),
    NavItem(_("Журнал ролей"), "roles:log", lambda user: access.can_read_area(user, access.Area.AUDIT)),
    NavItem(_("Заявки на роли"), "roles:requests", access.can_open_role_requests),
    NavItem(_("Администрирование"), "admin:index", lambda user: user.is_staff),
]


def menu_for(user: access.Principal, path: str = "") -> list[dict[str, Any]]:
    """The entries the user may open; the one whose URL is the longest prefix of ``path`` is marked active."""
    items: list[dict[str, Any]] = [
        {"label": item.label, "url": item.url, "active": False} for item in MENU if item.allowed(user)
    ]
    matches = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
