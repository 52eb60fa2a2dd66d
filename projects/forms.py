"""Forms of the projects app: they validate the shape of input; services decide, validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anticor.forms import DATE, ServiceValidated, VersionedForm
from anticor.models import Department, StateBody, User
from projects.choices import ProjectStatus, PublicEventKind
from projects.models import KPI, Direction, Milestone, Project, PublicEvent, Risk


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name")


class ProjectForm(ServiceValidated, VersionedForm):
    class Meta:
        model = Project
        fields = [
            "direction",
            "code",
            "title",
            "goal",
            "lead",
            "curator",
            "owner_department",
            "owner_state_body",
            "start_on",
            "end_on",
            "partners",
        ]
        widgets = {
            "start_on": DATE,
            "end_on": DATE,
            "goal": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["direction"].queryset = Direction.objects.filter(is_active=True)
        self.fields["lead"].queryset = _active_users()
        self.fields["curator"].queryset = _active_users()
        self.fields["owner_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["owner_state_body"].queryset = StateBody.objects.filter(is_active=True).select_related("region")
        if self.instance.pk:
            self.fields["code"].disabled = True
        elif not self.is_bound:
            self.initial.setdefault("lead", user.pk)
            if user.department_id:
                self.initial.setdefault("owner_department", user.department_id)

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.instance.pk:
            values.pop("code")
        return values


class ProjectTransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Новый статус"), choices=ProjectStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class KPIForm(ServiceValidated, VersionedForm):
    class Meta:
        model = KPI
        fields = [
            "name",
            "unit",
            "baseline",
            "target",
            "target_on",
            "better",
            "method",
            "responsible",
            "source",
            "indicator_code",
            "indicator_scope",
        ]
        widgets = {"target_on": DATE, "method": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = _active_users()

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Дата измерения"), widget=DATE)
    value = forms.DecimalField(label=_("Значение"), max_digits=18, decimal_places=4)
    period = forms.CharField(label=_("Период"), max_length=16, required=False, help_text=_("Например, 2026-Q1."))
    evidence = forms.CharField(
        label=_("Подтверждение"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Документ, отчёт или ссылка на источник значения."),
    )


class MilestoneForm(ServiceValidated, VersionedForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on"]
        widgets = {"due_on": DATE}


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Дата выполнения"), widget=DATE, required=False)
    evidence = forms.CharField(
        label=_("Подтверждение выполнения"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MilestoneStatusForm(forms.Form):
    """Cancel a milestone or plan it again: only the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RiskForm(ServiceValidated, VersionedForm):
    class Meta:
        model = Risk
        fields = ["description", "likelihood", "impact", "mitigation", "owner"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "likelihood": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_users()


class PublicEventForm(ServiceValidated, VersionedForm):
    class Meta:
        model = PublicEvent
        fields = ["held_on", "kind", "title", "participants", "outcome"]
        widgets = {"held_on": DATE, "outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PublicEventKind.choices


class RiskEditForm(RiskForm):
    """A risk as its owner updates it: the status too (mitigated, materialised, closed)."""

    class Meta(RiskForm.Meta):
        fields = [*RiskForm.Meta.fields, "status"]
