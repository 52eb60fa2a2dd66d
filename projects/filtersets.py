"""FilterSets of the projects app; the same classes serve the HTML list and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from anticor.models import Department, User
from projects.choices import ProjectStatus
from projects.models import Direction, Project
from projects.selectors import project_filter_q


def _leads(request: object = None) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name="project_lead").order_by("last_name", "first_name")


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="search", max_length=200)
    direction = django_filters.ModelChoiceFilter(
        label=_("Направление"), queryset=Direction.objects.all(), to_field_name="code"
    )
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=ProjectStatus.choices)
    owner_department = django_filters.ModelChoiceFilter(
        label=_("Департамент-владелец"), queryset=Department.objects.all(), to_field_name="code"
    )
    lead = django_filters.ModelChoiceFilter(label=_("Руководитель проекта"), queryset=_leads)

    class Meta:
        model = Project
        fields = ["q", "direction", "status", "owner_department", "lead"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(project_filter_q(value.strip())) if value.strip() else queryset
