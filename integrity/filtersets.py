"""FilterSets of the integrity app; the same classes serve the HTML lists and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor.filtersets import date_filter, yes_no_filter
from anticor.models import Department
from integrity.choices import CheckOutcome, CheckStatus, CheckTrigger, DisciplineStatus, EmployeeStatus
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck, Sanction
from integrity.selectors import can_see_personal_data


def _department_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("Департамент"),
        field_name="employee__department",
        queryset=Department.objects.all(),
        to_field_name="code",
    )


def _employee_filter() -> django_filters.CharFilter:
    return django_filters.CharFilter(label=_("Табельный номер"), field_name="employee__personnel_number", max_length=20)


class EmployeeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="search", max_length=200)
    department = django_filters.ModelChoiceFilter(
        label=_("Департамент"), queryset=Department.objects.all(), to_field_name="code"
    )
    status = django_filters.ChoiceFilter(label=_("Статус"), choices=EmployeeStatus.choices)
    active_sanction = yes_no_filter(_("Есть действующее взыскание"), method="filter_active_sanction")

    class Meta:
        model = Employee
        fields = ["q", "department", "status"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """By surname, name or personnel number; the IIN, as a whole, only for readers who see it unmasked."""
        value = value.strip()
        if not value:
            return queryset
        condition = Q(personnel_number__iexact=value)
        if can_see_personal_data(getattr(self.request, "user", None)):
            condition |= Q(iin=value)  # others see IINs masked: no probing whether a guessed IIN is on the staff
        for word in value.split():
            condition |= Q(last_name__icontains=word) | Q(first_name__icontains=word)
        return queryset.filter(condition)

    def filter_active_sanction(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        active = DisciplinaryRecord.objects.filter(employee=OuterRef("pk"), status=DisciplineStatus.ACTIVE)
        return queryset.filter(Exists(active)) if value else queryset.exclude(Exists(active))


class DisciplinaryRecordFilterSet(django_filters.FilterSet):
    employee = _employee_filter()
    department = _department_filter()
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=DisciplineStatus.choices)
    sanction = django_filters.ModelChoiceFilter(
        label=_("Взыскание"), queryset=Sanction.objects.all(), to_field_name="code"
    )
    corruption_related = yes_no_filter(_("Коррупционный проступок"), field_name="corruption_related")
    negative_grounds = yes_no_filter(_("Увольнение по отрицательным мотивам"), field_name="negative_grounds")
    imposed_from = date_filter(_("Наложено с"), field_name="imposed_on", lookup_expr="gte")
    imposed_to = date_filter(_("Наложено по"), field_name="imposed_on", lookup_expr="lte")
    expiring = yes_no_filter(_("Истекает в ближайшие 30 дней"), method="filter_expiring")

    class Meta:
        model = DisciplinaryRecord
        fields = ["employee", "department", "status", "sanction", "imposed_from", "imposed_to"]

    def filter_expiring(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        today = timezone.localdate()
        soon = Q(status=DisciplineStatus.ACTIVE, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=30))
        return queryset.filter(soon) if value else queryset.exclude(soon)


class ConvictionFilterSet(django_filters.FilterSet):
    employee = _employee_filter()
    department = _department_filter()
    verdict_from = date_filter(_("Приговор с"), field_name="verdict_on", lookup_expr="gte")
    verdict_to = date_filter(_("Приговор по"), field_name="verdict_on", lookup_expr="lte")

    class Meta:
        model = Conviction
        fields = ["employee", "department", "verdict_from", "verdict_to"]


class IntegrityCheckFilterSet(django_filters.FilterSet):
    employee = _employee_filter()
    department = _department_filter()
    status = django_filters.MultipleChoiceFilter(label=_("Статус"), choices=CheckStatus.choices)
    trigger = django_filters.ChoiceFilter(label=_("Основание"), choices=CheckTrigger.choices)
    outcome = django_filters.ChoiceFilter(label=_("Результат"), choices=CheckOutcome.choices)
    planned_from = date_filter(_("Период проведения с"), field_name="planned_to", lookup_expr="gte")
    planned_to = date_filter(_("Период проведения по"), field_name="planned_from", lookup_expr="lte")

    class Meta:
        model = IntegrityCheck
        fields = ["employee", "department", "status", "trigger", "outcome", "planned_from", "planned_to"]
