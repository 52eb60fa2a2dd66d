"""Forms of the integrity app: they validate the shape of input; the services enforce every rule and safeguard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor import access
from anticor.access import Area, Role
from anticor.forms import DATE, IdentifierInput, ServiceValidated, VersionedForm, departments_for
from anticor.models import Article, User
from integrity.choices import CheckOutcome, DisciplineStatus
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck, Sanction

_TEXT = forms.Textarea(attrs={"rows": 3})


class ServiceValues:
    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class EmployeeForm(ServiceValidated, ServiceValues, VersionedForm):
    class Meta:
        model = Employee
        fields = [
            "personnel_number",
            "last_name",
            "first_name",
            "middle_name",
            "iin",
            "department",
            "position",
            "special_rank",
            "hired_on",
            "status",
            "dismissed_on",
            "user",
        ]
        widgets = {"hired_on": DATE, "dismissed_on": DATE, "personnel_number": IdentifierInput, "iin": IdentifierInput}

    def __init__(self, *args: Any, user: access.Principal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(user, Area.STAFF)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        self.fields["user"].label_from_instance = lambda account: f"{account.display_name} ({account.username})"
        self.fields["iin"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if self.instance.pk:
            self.fields["personnel_number"].disabled = True  # the natural key never changes


class DisciplinaryRecordForm(ServiceValidated, ServiceValues, VersionedForm):
    class Meta:
        model = DisciplinaryRecord
        fields = [
            "offence",
            "committed_on",
            "discovered_on",
            "corruption_related",
            "sanction",
            "negative_grounds",
            "order_number",
            "imposed_on",
            "expires_on",
        ]
        widgets = {
            "offence": _TEXT,
            "committed_on": DATE,
            "discovered_on": DATE,
            "imposed_on": DATE,
            "expires_on": DATE,
        }
        help_texts = {"expires_on": _("Пусто — 12 месяцев с даты приказа; при увольнении не указывается.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sanctions = Sanction.objects.all() if self.instance.pk else Sanction.objects.filter(is_active=True)
        self.fields["sanction"].queryset = sanctions


class StepForm(forms.Form):
    """A step on a record (a status change, a date): carries the version the page showed, so a step taken on a
    record that changed meanwhile is refused with what changed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DisciplineTransitionForm(StepForm):
    to = forms.ChoiceField(label=_("Новый статус"), choices=DisciplineStatus.choices)
    on = forms.DateField(label=_("Дата"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Основание"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ConvictionForm(ServiceValidated, ServiceValues, forms.ModelForm):
    class Meta:
        model = Conviction
        fields = ["article", "verdict_on", "court", "sentence"]
        widgets = {"verdict_on": DATE, "sentence": _TEXT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = Article.objects.filter(is_active=True)


def _testers() -> Any:
    return User.objects.filter(is_active=True, groups__name=Role.INTERNAL_SECURITY).order_by("last_name", "first_name")


class IntegrityCheckForm(ServiceValidated, ServiceValues, VersionedForm):
    """The plan of a check: who is tested, why, how, when, and the safeguards checklist."""

    class Meta:
        model = IntegrityCheck
        fields = [
            "employee",
            "trigger",
            "grounds",
            "scenario",
            "tester",
            "planned_from",
            "planned_to",
            "safeguard_realistic",
            "safeguard_no_excess_inducement",
            "safeguard_no_provocation",
        ]
        widgets = {"grounds": _TEXT, "scenario": _TEXT, "planned_from": DATE, "planned_to": DATE}

    def __init__(self, *args: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees
        self.fields["tester"].queryset = _testers()
        self.fields["tester"].required = False
        self.fields["tester"].help_text = _("Пусто — вы.")
        self.fields["tester"].label_from_instance = lambda account: account.display_name
        if self.instance.pk:
            self.fields["employee"].disabled = True

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        if self.instance.pk:
            values.pop("employee", None)
        return values


class CheckApproveForm(StepForm):
    on = forms.DateField(label=_("Дата утверждения"), widget=DATE, required=False)


class CheckConductForm(StepForm):
    conducted_on = forms.DateField(label=_("Дата проведения"), widget=DATE)
    notes = forms.CharField(label=_("Ход проведения"), widget=_TEXT, required=False)


class CheckReviewForm(StepForm):
    outcome = forms.ChoiceField(label=_("Результат"), choices=[("", "—"), *CheckOutcome.choices], required=False)
    summary = forms.CharField(label=_("Заключение"), widget=_TEXT, required=False)
    reviewed_on = forms.DateField(label=_("Дата рассмотрения"), widget=DATE, required=False)


class CheckInformForm(StepForm):
    informed_on = forms.DateField(label=_("Дата ознакомления"), widget=DATE)


class CheckFollowUpForm(StepForm):
    follow_up_record = forms.ModelChoiceField(label=_("Взыскание"), queryset=DisciplinaryRecord.objects.none())

    def __init__(self, *args: Any, records: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_record"].queryset = records
        self.fields["follow_up_record"].label_from_instance = lambda record: (
            f"№ {record.order_number} {record.imposed_on:%d.%m.%Y} — {record.sanction}"
        )


class CheckCancelForm(StepForm):
    reason = forms.CharField(label=_("Причина отмены"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CheckCloseForm(StepForm):
    on = forms.DateField(label=_("Дата закрытия"), widget=DATE, required=False, initial=timezone.localdate)


class SummaryPeriodForm(forms.Form):
    period = forms.CharField(label=_("Полугодие"), max_length=7, help_text=_("Например, 2022-H1."))
