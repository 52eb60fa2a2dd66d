"""One FilterSet per model; the same classes serve the HTML lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor.filtersets import date_filter, yes_no_filter
from anticor.models import Article, Department, StateBody
from cases.choices import CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import Case, Recommendation, RootCause, RootCauseCategory, Sector
from cases.selectors import case_search


def overdue_recommendations(today=None) -> QuerySet[Recommendation]:
    """Recommendations past their due date without an answer ("overdue" is derived, never stored)."""
    today = today or timezone.localdate()
    return Recommendation.objects.filter(status=RecommendationStatus.ISSUED, due_on__lt=today)


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="search", max_length=200)
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=CaseStatus.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("Департамент"), queryset=Department.objects.all(), to_field_name="code"
    )
    article = django_filters.ModelChoiceFilter(
        label=_("Статья УК"), field_name="articles", queryset=Article.objects.all(), to_field_name="code"
    )
    sector = django_filters.ModelChoiceFilter(label=_("Сфера"), queryset=Sector.objects.all(), to_field_name="code")
    state_body = django_filters.ModelChoiceFilter(label=_("Госорган"), queryset=StateBody.objects.all())
    registered_from = date_filter(_("Зарегистрировано с"), field_name="registered_on", lookup_expr="gte")
    registered_to = date_filter(_("Зарегистрировано по"), field_name="registered_on", lookup_expr="lte")
    overdue = yes_no_filter(_("Есть просроченные представления"), method="filter_overdue")
    archived = yes_no_filter(_("В архиве"), field_name="is_archived")
    ordering = django_filters.OrderingFilter(
        label=_("Сортировка"),
        fields=(
            ("registered_on", "registered_on"),
            ("registration_number", "registration_number"),
            ("status", "status"),
            ("damage_amount", "damage_amount"),
        ),
        field_labels={
            "registered_on": _("Дата регистрации"),
            "registration_number": _("Номер ЕРДР"),
            "status": _("Статус"),
            "damage_amount": _("Ущерб"),
        },
    )

    class Meta:
        model = Case
        fields = ["q", "status", "department", "article", "sector", "state_body", "registered_from", "registered_to"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return case_search(queryset, value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = overdue_recommendations().filter(root_causes__cases=OuterRef("pk"))
        return queryset.filter(Exists(overdue)) if value else queryset.exclude(Exists(overdue))


class RootCauseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), field_name="description", lookup_expr="icontains", max_length=200)
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=RootCauseStatus.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Категория"), queryset=RootCauseCategory.objects.all(), to_field_name="code"
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Департамент"), queryset=Department.objects.all(), to_field_name="code"
    )
    state_body = django_filters.ModelChoiceFilter(label=_("Госорган"), queryset=StateBody.objects.all())
    identified_from = date_filter(_("Выявлена с"), field_name="identified_on", lookup_expr="gte")
    identified_to = date_filter(_("Выявлена по"), field_name="identified_on", lookup_expr="lte")

    class Meta:
        model = RootCause
        fields = ["q", "status", "category", "department", "state_body", "identified_from", "identified_to"]


class RecommendationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Номер"), field_name="number", lookup_expr="icontains", max_length=64)
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=RecommendationStatus.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("Департамент"), queryset=Department.objects.all(), to_field_name="code"
    )
    addressee = django_filters.ModelChoiceFilter(label=_("Адресат"), queryset=StateBody.objects.all())
    overdue = yes_no_filter(_("Просрочено"), method="filter_overdue")

    class Meta:
        model = Recommendation
        fields = ["q", "status", "department", "addressee"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        ids = overdue_recommendations().values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
