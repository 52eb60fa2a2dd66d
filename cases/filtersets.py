"""One FilterSet per model; the same classes serve the HTML lists and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor import access
from anticor.access import Role
from anticor.filtersets import date_filter, yes_no_filter
from anticor.indicators.periods import parse_period
from anticor.models import Article, Department, StateBody, User
from cases.choices import CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import Case, Recommendation, RootCause, RootCauseCategory, Sector
from cases.selectors import case_search


def validate_period(value: str) -> None:
    parse_period(value)  # a ValidationError with the engine's message when malformed


class PeriodFilter(django_filters.CharFilter):
    """A calendar period (2022, 2022-H1, 2022-Q3, 2022-07) on a date field; the links from indicator figures use
    it. A malformed period is a field error (no rows and a message), never a 500."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("validators", [validate_period])
        kwargs.setdefault("help_text", _("Например: 2022, 2022-H1, 2022-Q3, 2022-07"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        period = parse_period(value)
        return qs.filter(**{f"{self.field_name}__range": (period.starts_on, period.ends_on)})


def period_filter(label, date_field: str) -> PeriodFilter:
    return PeriodFilter(label=label, field_name=date_field)


# Backdated entry (DESIGN.md §4.5 backdated_entries): entered into the system more than 30 days after registration.
BACKDATED_AFTER_DAYS = 30


def overdue_recommendations(today=None) -> QuerySet[Recommendation]:
    """Recommendations past their due date without an answer ("overdue" is derived, never stored)."""
    today = today or timezone.localdate()
    return Recommendation.objects.filter(status=RecommendationStatus.ISSUED, due_on__lt=today)


ASSIGNED_CHOICES = (("mine", _("Мои дела")), ("unassigned", _("Не назначены")))


class InvestigatorChoiceField(django_filters.fields.ModelChoiceField):
    """Investigators by full name, never by login name (the value stays the username)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def investigators_for(request) -> QuerySet[User]:
    """The investigators a reader may filter by: those of the departments whose cases they see."""
    user = getattr(request, "user", None)
    queryset = User.objects.filter(groups__name=Role.INVESTIGATOR).order_by("last_name", "first_name", "pk")
    if access.scope_for(user, access.Area.CASES) == access.Scope.ALL:
        return queryset
    departments = getattr(user, "department_ids", None) or {getattr(user, "department_id", None)}
    return queryset.filter(department_id__in=[pk for pk in departments if pk])


class InvestigatorFilter(django_filters.ModelChoiceFilter):
    field_class = InvestigatorChoiceField


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
    investigator = InvestigatorFilter(
        label=_("Следователь"),
        queryset=investigators_for,
        to_field_name="username",
        method="filter_investigator",
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Назначение"), choices=ASSIGNED_CHOICES, method="filter_assigned", empty_label=_("Все")
    )
    # The records behind indicator figures (DESIGN.md §4.5).
    registered_in = period_filter(_("Зарегистрировано в периоде"), "registered_on")
    completed_in = period_filter(_("Завершено в периоде"), "completed_on")
    sent_to_court_in = period_filter(_("Направлено в суд в периоде"), "sent_to_court_on")
    decided_in = period_filter(_("Окончательное решение в периоде"), "closed_on")
    entered_in = period_filter(_("Внесено в систему в периоде"), "entered_on")
    has_root_cause = yes_no_filter(_("Выявлены причины и условия"), method="filter_has_root_cause")
    rehabilitating = yes_no_filter(_("Оправдание или реабилитирующее прекращение"), method="filter_rehabilitating")
    backdated = yes_no_filter(_("Внесено позднее 30 дней после регистрации"), method="filter_backdated")
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

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # "Completed" is reaching sent_to_court or a final status: the first of the two dates.
        queryset = queryset.annotate(
            completed_on=Coalesce("sent_to_court_on", "closed_on"),
            entered_on=TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
        )
        return super().filter_queryset(queryset)

    def filter_investigator(self, queryset: QuerySet, name: str, value: User | None) -> QuerySet:
        return queryset.filter(investigator=value) if value else queryset

    def filter_assigned(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "unassigned":
            return queryset.filter(investigator__isnull=True)
        if value == "mine":
            user = getattr(self.request, "user", None)
            return queryset.filter(investigator_id=getattr(user, "pk", None) or 0)
        return queryset

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return case_search(queryset, value, user=getattr(self.request, "user", None))

    def filter_has_root_cause(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        # A rejected cause was found not to be a cause: it does not count (as in root_cause_coverage).
        linked = RootCause.cases.through.objects.filter(case_id=OuterRef("pk")).exclude(
            rootcause__status=RootCauseStatus.REJECTED
        )
        return queryset.filter(Exists(linked)) if value else queryset.exclude(Exists(linked))

    def filter_rehabilitating(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        rehabilitated = Q(status=CaseStatus.ACQUITTED) | Q(
            status__in=[CaseStatus.TERMINATED, CaseStatus.TERMINATED_BY_COURT], termination_ground__rehabilitating=True
        )
        return queryset.filter(rehabilitated) if value else queryset.exclude(rehabilitated)

    def filter_backdated(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(entered_on__gt=F("registered_on") + dt.timedelta(days=BACKDATED_AFTER_DAYS))
        return queryset.filter(late) if value else queryset.exclude(late)

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
    verified_in = period_filter(_("Устранение подтверждено в периоде"), "verified_on")
    verified_from = date_filter(_("Устранение подтверждено с"), field_name="verified_on", lookup_expr="gte")
    verified_to = date_filter(_("Устранение подтверждено по"), field_name="verified_on", lookup_expr="lte")

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
    due_in = period_filter(_("Срок ответа в периоде"), "due_on")
    answered_on_time = yes_no_filter(_("Ответ получен в срок"), method="filter_answered_on_time")

    class Meta:
        model = Recommendation
        fields = ["q", "status", "department", "addressee"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        ids = overdue_recommendations().values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)

    def filter_answered_on_time(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        on_time = Q(answered_on__isnull=False, due_on__isnull=False, answered_on__lte=F("due_on"))
        return queryset.filter(on_time) if value else queryset.exclude(on_time)
