"""Forms of the shared platform."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
