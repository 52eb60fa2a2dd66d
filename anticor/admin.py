"""Admin pages for organisation data and users. Nothing is ever deleted here: rows are deactivated."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from anticor.access import ApiScope
from anticor.api.clients import api_client_create, api_client_revoke, api_client_rotate, api_client_validate
from anticor.models import AccessLog, ApiClient, Article, Department, Region, StateBody, User


class ArchiveOnlyAdmin(admin.ModelAdmin):
    """Base admin: no deletion (archive by clearing "active"), and a link to the record's audit trail."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("История"))
    def history_link(self, obj) -> str:
        url = reverse("history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("История"))


class ReferenceAdmin(ArchiveOnlyAdmin):
    list_display: tuple[str, ...] = ("code", "name_ru", "name_kk", "is_active", "history_link")
    list_filter: ClassVar[tuple[str, ...]] = ("is_active",)
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
        *(DjangoUserAdmin.fieldsets or ()),  # Django's own, always set
        (_("Служба"), {"fields": ("middle_name", "department", "position")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Служба"), {"fields": ("last_name", "first_name", "middle_name", "department", "position")}),
    )
    # Roles are granted and revoked only through the role services (a recorded, two-person procedure for the
    # sensitive ones, on the "Роли" pages); here they are read-only, as are Django's own permission switches.
    readonly_fields = ("groups", "user_permissions", "is_superuser", "role_changes_link")
    filter_horizontal = ()

    @admin.display(description=_("Изменение ролей"))
    def role_changes_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = f"{reverse('roles:log')}?user={obj.username}"
        return format_html('<a href="{}">{}</a>', url, _("Журнал изменений ролей"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Роли"), {"fields": ("role_changes_link",)}))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class GroupAdmin(DjangoGroupAdmin):
    """Role groups are defined by the role table (``access.sync_roles``): shown, never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


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


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("права (scopes)"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    allowed_networks = SimpleArrayField(
        forms.CharField(max_length=64), label=_("разрешённые адреса"), required=False, delimiter=","
    )

    class Meta:
        model = ApiClient
        fields = [
            "name",
            "description",
            "scopes",
            "departments",
            "allowed_networks",
            "rate_limit_per_minute",
            "expires_on",
        ]

    def clean(self):
        """The service's rules as form errors (a bad network or a past expiry must not reach the service as a 500).

        An existing client may keep an expiry that has since passed; a newly entered one must be in the future.
        """
        cleaned = super().clean()
        try:
            api_client_validate(
                scopes=cleaned.get("scopes") or [],
                networks=cleaned.get("allowed_networks") or [],
                expires_on=cleaned.get("expires_on"),
                check_expiry=self.instance.pk is None or "expires_on" in self.changed_data,
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, messages_)
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Create, rotate and revoke API clients. A token is shown once, in the message after the action."""

    form = ApiClientForm
    list_display = ("name", "token_prefix", "scope_list", "is_active", "expires_on", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "token_prefix")
    filter_horizontal = ("departments",)
    readonly_fields = ("token_prefix", "created_at", "last_used_at", "revoked_at", "revoke_reason", "is_active")
    actions = ["rotate_tokens", "revoke_clients"]

    @admin.display(description=_("права"))
    def scope_list(self, obj) -> str:
        return ", ".join(obj.scopes)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, token = api_client_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            department_codes=[d.code for d in form.cleaned_data["departments"]],
            expires_on=form.cleaned_data["expires_on"],
            allowed_networks=form.cleaned_data["allowed_networks"] or [],
            description=form.cleaned_data["description"],
            rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
        )
        obj.pk = client.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("Токен клиента «%(name)s» (показывается один раз): %(token)s") % {"name": client.name, "token": token},
        )

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description=_("Выпустить новый токен (старый перестанет действовать)"))
    def rotate_tokens(self, request, queryset):
        for client in queryset:
            _client, token = api_client_rotate(client_id=client.pk)
            messages.warning(
                request,
                _("Новый токен клиента «%(name)s» (показывается один раз): %(token)s")
                % {"name": client.name, "token": token},
            )

    @admin.action(description=_("Отозвать доступ"))
    def revoke_clients(self, request, queryset):
        for client in queryset:
            api_client_revoke(
                client_id=client.pk, reason=_("Отозван администратором %(user)s") % {"user": request.user.username}
            )
        messages.success(request, _("Доступ отозван: %(count)s") % {"count": queryset.count()})
