"""The role-change log's filters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anticor.access import Role
from anticor.filtersets import date_filter
from anticor.models import RoleChange
from anticor.roles.models import RoleChangeAction, RoleChangeStatus


class RoleChangeFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(
        label=_("Пользователь"), field_name="user__username", lookup_expr="iexact", max_length=150
    )
    role = django_filters.ChoiceFilter(label=_("Роль"), choices=Role.choices)
    action = django_filters.ChoiceFilter(label=_("Действие"), choices=RoleChangeAction.choices)
    status = django_filters.ChoiceFilter(label=_("Статус"), choices=RoleChangeStatus.choices)
    proposed_by = django_filters.CharFilter(
        label=_("Предложил"), field_name="proposed_by__username", lookup_expr="iexact", max_length=150
    )
    proposed_from = date_filter(_("С даты"), field_name="proposed_at", lookup_expr="date__gte")
    proposed_to = date_filter(_("По дату"), field_name="proposed_at", lookup_expr="date__lte")

    class Meta:
        model = RoleChange
        fields = ["user", "role", "action", "status", "proposed_by", "proposed_from", "proposed_to"]
