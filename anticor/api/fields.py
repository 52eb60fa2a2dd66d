"""Serializer fields every app's API shares: references by a natural key or an id (an unknown one is a field
error naming the value), references only among the rows the caller may see, lists of references, the version
field of optimistic locking, and nested items given whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anticor import access
from anticor.models import Department, StateBody

# The base of a serializer mixin: to mypy the Serializer it is always mixed into, at run time nothing.
if TYPE_CHECKING:
    SerializerMixinBase = serializers.Serializer
else:
    SerializerMixinBase = object

_KEY_MAX_LENGTH = 64


def _unknown_code(value: str) -> str:
    return _("Неизвестный код: %(value)s.") % {"value": value}


class KeyField(serializers.SlugRelatedField):
    """A reference by a natural key (a code by default). An unknown key is reported with the value."""

    def __init__(self, *, unknown: Callable[[str], str] = _unknown_code, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "code")
        self.unknown = unknown
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        value = str(data)
        if "\x00" in value or len(value) > _KEY_MAX_LENGTH:
            self.fail("invalid")
        try:
            # A writable reference always has its queryset.
            return cast("QuerySet[Any]", self.get_queryset()).get(**{self.slug_field: value})
        except ObjectDoesNotExist:
            raise serializers.ValidationError(self.unknown(value), code="does_not_exist") from None


def unknown_id(value: str) -> str:
    return _("Неизвестный id: %(value)s.") % {"value": value}


class IdField(serializers.PrimaryKeyRelatedField):
    """A reference by id (an integer). An unknown id is reported with the value."""

    def __init__(self, *, unknown: Callable[[str], str] = unknown_id, **kwargs: Any) -> None:
        self.unknown = unknown
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data < 2**63:
            raise serializers.ValidationError(self.unknown(str(data)), code="does_not_exist")
        try:
            return cast("QuerySet[Any]", self.get_queryset()).get(pk=data)  # as above
        except ObjectDoesNotExist:
            raise serializers.ValidationError(self.unknown(str(data)), code="does_not_exist") from None


def restatement_reason_field(*, record: str) -> serializers.CharField:
    """The write-only reason of a change to the figures of an approved half-year (issue 11 item 4): without it the
    service refuses such a change (400, ``errors.restatement_reason``). ``record`` names the record in the help."""
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=(
            f"Основание изменения {record}, относящегося к утверждённому полугодию (не короче 10 символов); без него "
            "такое изменение отклоняется (400, errors.restatement_reason). Войдёт в пересмотр показателей."
        ),
    )


class VisibleMixin:
    """The reference resolves only among the rows the caller may see (anything else is unknown)."""

    def get_queryset(self):
        return access.visible(self.context["request"].user, super().get_queryset())


class ReferenceListField(serializers.ListField):
    """A list of references; errors are reported per item (``articles.1``); reads a related manager."""

    def to_representation(self, data: Any) -> list:
        if hasattr(data, "all"):
            data = data.all()
        return super().to_representation(data)


def _unknown_department(value: str) -> str:
    return _("Неизвестный департамент: %(value)s.") % {"value": value}


def _unknown_state_body(value: str) -> str:
    return _("Неизвестный госорган: %(value)s.") % {"value": value}


def department_field(**kwargs: Any) -> KeyField:
    return KeyField(queryset=Department.objects.all(), unknown=_unknown_department, **kwargs)


def state_body_field(**kwargs: Any) -> IdField:
    return IdField(queryset=StateBody.objects.all(), unknown=_unknown_state_body, **kwargs)


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        read_only=True,
        help_text="Номер версии записи; растёт с каждым изменением (оптимистическая блокировка). Передайте "
        "прочитанный обратно в теле (или ETag в If-Match): если запись изменилась — 412, ничего не меняется.",
    )


class CompleteItemMixin(SerializerMixinBase):
    """A nested item (a subject, a measure) is always given whole, even in a PATCH of its parent."""

    def to_internal_value(self, data: Any) -> Any:
        result = super().to_internal_value(data)
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if field.required and not field.read_only and name not in result
        }
        if missing:
            raise serializers.ValidationError(missing)
        return result
