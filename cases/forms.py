"""Forms of the cases app: they validate the shape of input; services decide and save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor import access
from anticor.forms import DATE, IdentifierInput, LockedChangeForm, VersionedForm, departments_for
from anticor.models import Article, StateBody, User
from cases.choices import CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import Case, Recommendation, RecommendationMeasure, RootCause, Subject, TerminationGround
from cases.services import MeasureData, SubjectData


class CaseForm(LockedChangeForm, VersionedForm):
    class Meta:
        model = Case
        fields = [
            "registration_number",
            "registered_on",
            "department",
            "articles",
            "state_body",
            "sector",
            "summary",
            "damage_amount",
            "recovered_amount",
        ]
        widgets = {
            "registered_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "articles": forms.SelectMultiple(attrs={"size": 6}),
            "registration_number": IdentifierInput(attrs={"inputmode": "numeric", "autofocus": True}),
        }
        help_texts = {"registration_number": _("15 цифр, как в ЕРДР.")}
        error_messages = {"registration_number": {"unique": _("Дело с таким номером ЕРДР уже зарегистрировано.")}}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(user)
        self.fields["articles"].queryset = Article.objects.filter(is_active=True)
        self.fields["state_body"].queryset = StateBody.objects.filter(is_active=True).select_related("region")
        self.fields["sector"].queryset = self.fields["sector"].queryset.filter(is_active=True)
        if self.instance.pk:
            self.fields["registration_number"].disabled = True
        elif user.department_id and not self.is_bound and not self.initial.get("department"):
            self.initial["department"] = user.department_id

    def clean_registered_on(self):
        value = self.cleaned_data["registered_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("Дата регистрации не может быть в будущем."))
        return value

    def clean(self):
        cleaned = super().clean()
        damage, recovered = cleaned.get("damage_amount"), cleaned.get("recovered_amount")
        if damage is not None and recovered is not None and recovered > damage:
            self.add_error("recovered_amount", _("Возмещённая сумма не может превышать сумму ущерба."))
        return cleaned

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name not in {"articles", "registration_number"}}
        if not self.instance.pk:
            values["registration_number"] = data["registration_number"]
        return values


class SubjectForm(forms.ModelForm):
    class Meta:
        model = Subject
        fields = ["full_name", "iin", "position", "post_category", "state_body", "role"]
        widgets = {"iin": IdentifierInput(attrs={"inputmode": "numeric"})}


class BaseSubjectFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.filter(is_removed=False)
        state_bodies = list(StateBody.objects.filter(is_active=True))  # one query for every row's select
        for form in [*self.forms, self.empty_form]:
            form.fields["state_body"].queryset = StateBody.objects.filter(is_active=True)
            form.fields["state_body"].choices = [("", "---------")] + [(b.pk, str(b)) for b in state_bodies]

    def subject_data(self) -> list[SubjectData]:
        result = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            state_body = data.get("state_body")
            result.append(
                SubjectData(
                    id=form.instance.pk,
                    full_name=data["full_name"],
                    iin=data["iin"],
                    role=data["role"],
                    position=data.get("position", ""),
                    post_category=data.get("post_category") or "other",
                    state_body_id=state_body.pk if state_body else None,
                )
            )
        return result


SubjectFormSet = inlineformset_factory(
    Case, Subject, form=SubjectForm, formset=BaseSubjectFormSet, extra=1, can_delete=True, max_num=200
)


class TransitionForm(LockedChangeForm):
    to = forms.ChoiceField(label=_("Новый статус"), choices=CaseStatus.choices)
    reason = forms.CharField(label=_("Основание"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    on = forms.DateField(label=_("Дата"), widget=DATE, required=False)
    termination_ground = forms.ModelChoiceField(
        label=_("Основание прекращения"), queryset=TerminationGround.objects.filter(is_active=True), required=False
    )
    merged_into = forms.CharField(
        label=_("Номер ЕРДР дела, с которым соединяется"), max_length=15, required=False, widget=IdentifierInput
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(value, label) for value, label in CaseStatus.choices if value in allowed]


class RootCauseForm(LockedChangeForm, VersionedForm):
    class Meta:
        model = RootCause
        fields = ["department", "category", "description", "state_body", "identified_on", "no_recommendation_reason"]
        widgets = {
            "identified_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "no_recommendation_reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "no_recommendation_reason": _(
                "Только если представление не требуется (например, госорган уже устранил условие сам). "
                "Обоснование одобряет другой сотрудник — тот, кто подтверждает устранение."
            )
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(user)
        self.fields["category"].queryset = self.fields["category"].queryset.filter(is_active=True)
        self.fields["state_body"].queryset = StateBody.objects.filter(is_active=True)
        if user.department_id and not self.is_bound and not self.instance.pk and not self.initial.get("department"):
            self.initial["department"] = user.department_id

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RootCauseTransitionForm(LockedChangeForm):
    to = forms.ChoiceField(label=_("Новый статус"), choices=RootCauseStatus.choices)
    on = forms.DateField(label=_("Дата проверки устранения"), widget=DATE, required=False)
    evidence = forms.CharField(
        label=_("Чем подтверждено устранение"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    approve_no_recommendation = forms.BooleanField(
        label=_("Одобряю обоснование: представление не требовалось"), required=False
    )
    reason = forms.CharField(
        label=_("Основание / комментарий"),
        help_text=_("Обязательно при отклонении причины."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LinkCasesForm(forms.Form):
    numbers = forms.CharField(
        label=_("Номера ЕРДР"),
        help_text=_("Один или несколько номеров через запятую или пробел."),
        max_length=2000,
    )

    def clean_numbers(self) -> list[str]:
        raw = self.cleaned_data["numbers"].replace(",", " ").split()
        bad = [n for n in raw if not (len(n) == 15 and n.isdigit())]
        if bad:
            raise ValidationError(
                _("Номер ЕРДР должен состоять ровно из 15 цифр: %(numbers)s"), params={"numbers": ", ".join(bad)}
            )
        return raw


class RecommendationForm(LockedChangeForm, VersionedForm):
    class Meta:
        model = Recommendation
        fields = ["number", "department", "addressee", "root_causes", "issued_on", "delivered_on", "due_on"]
        widgets = {
            "issued_on": DATE,
            "delivered_on": DATE,
            "due_on": DATE,
            "root_causes": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"due_on": _("Если не указан — один месяц со дня вручения.")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(user)
        self.fields["addressee"].queryset = StateBody.objects.filter(is_active=True)
        self.fields["root_causes"].queryset = access.visible(user, RootCause.objects.select_related("category"))
        if user.department_id and not self.is_bound and not self.instance.pk and not self.initial.get("department"):
            self.initial["department"] = user.department_id

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "root_causes"}


class MeasureForm(forms.ModelForm):
    class Meta:
        model = RecommendationMeasure
        fields = ["description", "responsible_person", "done_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "done_on": DATE}


class BaseMeasureFormSet(forms.BaseInlineFormSet):
    def measure_data(self) -> list[MeasureData]:
        result = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            result.append(
                MeasureData(
                    id=form.instance.pk,
                    description=data["description"],
                    responsible_person=data["responsible_person"],
                    done_on=data.get("done_on"),
                )
            )
        return result


MeasureFormSet = inlineformset_factory(
    Recommendation, RecommendationMeasure, form=MeasureForm, formset=BaseMeasureFormSet, extra=1, can_delete=True
)


class RecommendationTransitionForm(LockedChangeForm):
    to = forms.ChoiceField(label=_("Новый статус"), choices=RecommendationStatus.choices)
    on = forms.DateField(label=_("Дата"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("Содержание ответа / результат проверки"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Файл XLSX или CSV"))
    dry_run = forms.BooleanField(label=_("Только проверить, не сохранять"), required=False)


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина архивирования"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class InvestigatorField(forms.ModelChoiceField):
    """An investigator, shown by full name (never the login name)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


def assignable_investigators(user: User) -> Any:
    """The investigators a head may choose: active holders of the role in the departments they write for."""
    return User.objects.filter(
        is_active=True, groups__name=access.Role.INVESTIGATOR, department__in=departments_for(user)
    ).order_by("last_name", "first_name", "pk")


class IdListField(forms.Field):
    """Ids of ticked rows (checkboxes of one name); which of them the user may touch is the service's question."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Неверный список дел.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AssignForm(forms.Form):
    """The head assigns a case to an investigator (issue 13); the service decides who may be chosen."""

    investigator = InvestigatorField(label=_("Следователь"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        investigator = cast(InvestigatorField, self.fields["investigator"])
        investigator.queryset = assignable_investigators(user)


class BulkAssignForm(AssignForm):
    """Many cases of the list at once: the ticked rows (their ids) and the list's filters to return to."""

    cases = IdListField(error_messages={"required": _("Выберите хотя бы одно дело.")})
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields.pop("version")
