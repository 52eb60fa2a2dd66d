"""FilterSets of the shared platform; the same classes serve the HTML lists and (later) the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anticor.models import AccessAction, AccessLog, Article, Department, Region, StateBody, StateBodyKind


def yes_no_filter(label, **kwargs) -> django_filters.BooleanFilter:
    """A boolean filter offered as «Все / Да / Нет» (the empty choice means "do not filter")."""
    choices = [("", _("Все")), ("true", _("Да")), ("false", _("Нет"))]
    return django_filters.BooleanFilter(label=label, widget=forms.Select(choices=choices), **kwargs)


def date_filter(label, **kwargs) -> django_filters.DateFilter:
    return django_filters.DateFilter(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class ReferenceFilterSet(django_filters.FilterSet):
    """Free-text search over code and names, and an "active" switch, for any reference table."""

    q = django_filters.CharFilter(label=_("Поиск"), method="search", max_length=200)
    is_active = yes_no_filter(_("Действует"))

    search_fields: tuple[str, ...] = ("name_ru", "name_kk")

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for field_name in self.search_fields:
            condition |= Q(**{f"{field_name}__icontains": value.strip()})
        return queryset.filter(condition)


class RegionFilterSet(ReferenceFilterSet):
    search_fields = ("code", "name_ru", "name_kk", "former_names")

    class Meta:
        model = Region
        fields = ["q", "kind", "is_active"]


class DepartmentFilterSet(ReferenceFilterSet):
    search_fields = ("code", "name_ru", "name_kk")

    class Meta:
        model = Department
        fields = ["q", "region", "is_active"]


class StateBodyFilterSet(ReferenceFilterSet):
    search_fields = ("name_ru", "name_kk", "bin")
    kind = django_filters.ChoiceFilter(label=_("Вид"), choices=StateBodyKind.choices)

    class Meta:
        model = StateBody
        fields = ["q", "kind", "region", "is_active"]


class ArticleFilterSet(ReferenceFilterSet):
    search_fields = ("code", "name_ru", "name_kk")

    class Meta:
        model = Article
        fields = ["q", "is_active"]


def coded_reference_filterset(model_class: type) -> type[ReferenceFilterSet]:
    """The FilterSet of a code + names reference table (sectors, grounds, categories, sanctions)."""
    meta = type("Meta", (), {"model": model_class, "fields": ["q", "is_active"]})
    return type(
        f"{model_class.__name__}FilterSet",
        (ReferenceFilterSet,),
        {"Meta": meta, "search_fields": ("code", "name_ru", "name_kk")},
    )


class AccessLogFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(label=_("Пользователь"), field_name="user__username", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("Действие"), choices=AccessAction.choices)
    at_from = date_filter(_("С даты"), field_name="at", lookup_expr="date__gte")
    at_to = date_filter(_("По дату"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AccessLog
        fields = ["user", "action", "at_from", "at_to"]
