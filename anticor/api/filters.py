"""Query parameters of the API, refused rather than ignored (DESIGN.md §10: unknown query parameters → 400).

django-filter and DRF drop what they do not know: ``?registration_number=…`` (a field, not a filter) returned every
case, ``?is_active=-1`` or an empty date filtered nothing, and ``?page_size=null`` gave the default page. A client
cannot tell such a typo from an empty answer, so every view of the API answers 400 instead, naming the parameter;
for an unknown one the message lists the parameters the resource accepts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

BOOLEAN_VALUES = ("true", "false")


def check_query_params(view, request) -> None:
    """The FilterSet's filters, the paginator's parameters, ``format`` and what the view names in
    ``extra_query_params`` are accepted; anything else, an empty value, or a yes/no filter given neither ``true`` nor
    ``false`` is a 400 before the query runs. The FilterSet itself stays lenient: the HTML lists send empty fields.

    Called by every viewset of the API (ScopedViewSetMixin.initial), for every action: a typo in the query of a read
    or a write must not pass unnoticed either.
    """
    queryset = view.get_queryset()
    filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
    fields = filterset_class(queryset=queryset, request=request).form.fields if filterset_class else {}
    _refuse_bad(request, accepted_query_params(view, fields), fields)


def accepted_query_params(view, fields: dict[str, forms.Field]) -> list[str]:
    names: list[str] = []
    for name, field in fields.items():
        suffixes = getattr(field.widget, "suffixes", None) or [""]  # range filters: name_after / name_before …
        names.extend(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    paginator = getattr(view, "paginator", None)
    for attribute in ("cursor_query_param", "page_query_param", "page_size_query_param"):
        if (param := getattr(paginator, attribute, None)) is not None:
            names.append(param)
    names.extend(getattr(view, "extra_query_params", ()))
    names.append(api_settings.URL_FORMAT_OVERRIDE)
    return list(dict.fromkeys(name for name in names if name))


def _refuse_bad(request, accepted: list[str], fields: dict[str, forms.Field]) -> None:
    errors: dict[str, list[Any]] = {}
    for name in request.query_params:
        values = request.query_params.getlist(name)
        message: Any
        if name not in accepted:
            message = _("Неизвестный параметр. Допустимые параметры: %(names)s.") % {"names": ", ".join(accepted)}
        elif any(not value.strip() for value in values):
            message = _("Пустое значение: укажите значение или не передавайте параметр.")
        elif isinstance(fields.get(name), forms.NullBooleanField | forms.BooleanField) and any(
            value.lower() not in BOOLEAN_VALUES for value in values
        ):
            message = _("Ожидается true или false.")
        else:
            continue
        errors[name] = [str(message)]
    if errors:
        raise ValidationError(errors)
