"""Admin pages for organisation data and users. Nothing is ever deleted here: rows are deactivated."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from anticor.models import AccessLog, Article, Department, Region, StateBody, User


class ArchiveOnlyAdmin(admin.ModelAdmin):
    """Base admin: no deletion (archive by clearing "active"), and a link to the record's audit trail."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("История"))
    def history_link(self, obj) -> str:
        url = reverse("history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("История"))


class ReferenceAdmin(ArchiveOnlyAdmin):
    list_display = ("code", "name_ru", "name_kk", "is_active", "history_link")
    list_filter = ("is_active",)
    search_fields = ("code", "name_ru", "name_kk")


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ("code", "name_ru", "name_kk", "kind", "former_names", "is_active", "history_link")
    list_filter = ("kind", "is_active")


@admin.register(Department)
class DepartmentAdmin(ReferenceAdmin):
    list_display = ("code", "name_ru", "region", "parent", "is_active", "history_link")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("region",)


@admin.register(StateBody)
class StateBodyAdmin(ArchiveOnlyAdmin):
    list_display = ("name_ru", "kind", "region", "bin", "is_active", "history_link")
    list_filter = ("kind", "region", "is_active")
    list_select_related = ("region",)
    search_fields = ("name_ru", "name_kk", "bin")


@admin.register(Article)
class ArticleAdmin(ReferenceAdmin):
    list_display = ("code", "name_ru", "note", "is_active", "history_link")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "department", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "department")
    list_select_related = ("department",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Служба"), {"fields": ("middle_name", "department", "position")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Служба"), {"fields": ("last_name", "first_name", "middle_name", "department", "position", "groups")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "client_label", "action", "content_type", "object_repr", "ip")
    list_filter = ("action", "source", "content_type")
    list_select_related = ("user", "content_type")
    search_fields = ("user__username", "object_repr", "client_label")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
