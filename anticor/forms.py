"""Forms of the shared platform, and the bases every app's forms build on (version carried for optimistic
locking, service errors shown at their fields, the date widget, the departments a user may record work for)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anticor import access
from anticor.indicators import restatements
from anticor.models import Department


class IdentifierInput(forms.TextInput):
    """A text input without ``maxlength``: a browser silently cuts a pasted identifier there (a 16-digit ЕРДР
    number became another case's 15-digit one); too long is refused by the field's validators, with an error."""

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("maxlength", None)
        return attrs


class LoginForm(AuthenticationForm):
    """Django's login form with our wording; throttling is done by django-axes in the auth backend."""

    error_messages = {
        "invalid_login": _(
            "Неверное имя пользователя или пароль. Обратите внимание: оба поля чувствительны к регистру."
        ),
        "inactive": _("Учётная запись отключена. Обратитесь к администратору."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Имя пользователя")
        self.fields["password"].label = _("Пароль")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the fields it names (others at the top of the form).

    ``field_map`` renames the service's field names to the form's (``verified_on`` → ``on``).
    """
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def clear_errors(*forms_and_formsets: Any) -> None:
    """Forget validation errors of bound forms: adding a formset row is not a save attempt."""
    from django.forms.utils import ErrorDict, ErrorList

    for item in forms_and_formsets:
        if isinstance(item, forms.BaseFormSet):
            item.full_clean()
            item._non_form_errors = ErrorList()  # type: ignore[attr-defined]  # set by full_clean; not in the stubs
            for form in item.forms:
                form._errors = ErrorDict()
            item._errors = [ErrorDict() for _form in item.forms]  # type: ignore[attr-defined]  # as above
        else:
            item.full_clean()
            item._errors = ErrorDict()


def departments_for(user: access.Principal, area: str = access.Area.CASES) -> Any:
    """Departments the user may record work for: their own, or any with agency-wide write scope."""
    scope = access.scope_for(user, area, write=True)
    if scope == access.Scope.ALL:
        return Department.objects.filter(is_active=True)
    department_id = getattr(user, "department_id", None)  # an anonymous visitor has none (and no scope)
    if scope == access.Scope.DEPARTMENT and department_id:
        return Department.objects.filter(pk=department_id)
    return Department.objects.none()


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from, so a concurrent change is detected on save."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class LockedChangeForm(forms.Form):
    """A form whose save may change the figures of an approved half-year (issue 11 item 4): it names the approved
    periods the record belongs to (``locked_periods``, ``locked_warning``) and takes the reason the service asks
    for then (``restatement_reason``). The record is the ModelForm's instance, or ``record`` for other forms."""

    restatement_reason = forms.CharField(
        label=_("Основание изменения утверждённого отчёта"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Нужно, когда запись относится к периоду утверждённого отчёта коллегии; войдёт в пересмотр показателей."
        ),
    )

    def __init__(self, *args: Any, record: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locked_periods = restatements.locked_periods_for(
            record if record is not None else getattr(self, "instance", None)
        )

    @property
    def locked_warning(self) -> str:
        return restatements.locked_change_message(self.locked_periods) if self.locked_periods else ""


class ServiceValidated:
    """The model's rules are checked once, by the service (its errors go next to the fields via run_service),
    not a second time by the ModelForm with less helpful constraint messages."""

    def _post_clean(self) -> None:
        pass
