"""Plausible bounds of the data, set once and used by models, forms and the API alike (issue 11 item 5).

- Dates: none before ``settings.EARLIEST_RECORD_DATE`` (default 2000-01-01); facts (registration, offence,
  verdict, measurement...) not in the future; plans (deadlines, project ends, events) at most
  :data:`PLAN_YEARS_AHEAD` years ahead. The validators read the setting when they run, so migrations do not
  freeze it.
- Text: every free text has a maximum length, refused with an error instead of truncated (:func:`bounded_text`).
- Percent: a KPI whose unit is ``%`` takes values 0–100 (:func:`percent_errors`).
- Substance: what must prove a fact (the evidence that a root cause is gone) is a statement of what was checked,
  not a formula such as «со слов госоргана» (:func:`is_substantial`).
- Constraints: every database constraint of the project carries a translated message and names the field it is
  shown at (:class:`CheckConstraint`, :class:`UniqueConstraint`); a violation that reaches the database anyway
  (a race) is mapped to the same message by :func:`constraint_violation`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from anticor.dates import add_months

#: Plans (deadlines, project ends, public events) lie at most this many years ahead.
PLAN_YEARS_AHEAD = 10
#: Service started at the earliest on this day: staff records reach further back than the system's records.
EARLIEST_SERVICE_DATE = dt.date(1950, 1, 1)

#: Maximum lengths of free text: a note or reason, a description, a long document such as the fabula.
TEXT_NOTE = 5_000
TEXT_DESCRIPTION = 10_000
TEXT_DOCUMENT = 20_000

PERCENT = "%"
_PERCENT_SPELLINGS = {"%", "процент", "проценты", "процентов", "проц.", "percent", "pct"}
PERCENT_MIN, PERCENT_MAX = Decimal(0), Decimal(100)
PERCENT_MESSAGE = _("Значение в процентах должно быть от 0 до 100.")


#: Evidence that proves a fact has at least this many meaningful words (three letters or more, not a formula)...
SUBSTANTIAL_MIN_WORDS = 6
#: ...and at least this many letters and digits.
SUBSTANTIAL_MIN_CHARS = 40
#: Words that say where a claim came from or that it is true, not what was checked: they do not count.
BOILERPLATE_WORDS = frozenset(
    {
        "со", "слов", "словам", "госоргана", "госорган", "госорганом", "органа", "орган", "согласно", "ответу",
        "ответа", "ответ", "письму", "письма", "информации", "информация", "данным", "сведениям", "устранено",
        "устранена", "устранены", "исполнено", "исполнена", "выполнено", "выполнена", "приняты", "принято", "меры",
        "мер", "подтверждено", "подтверждается", "проверено", "нарушений", "нет", "выявлено", "не", "все", "всё",
    }
)  # fmt: skip
SUBSTANTIAL_MESSAGE = _(
    "Опишите, что именно проверено и чем это подтверждено (документ, дата, результат): не менее %(words)d "
    "содержательных слов. Формулы вроде «со слов госоргана» подтверждением не являются."
)


def is_substantial(text: str) -> bool:
    """Whether ``text`` states something checkable: enough meaningful words and characters beyond boilerplate."""
    words = re.findall(r"\w+", (text or "").lower())
    meaningful = [word for word in words if len(word) >= 3 and word not in BOILERPLATE_WORDS]
    chars = sum(len(word) for word in meaningful)
    return len(set(meaningful)) >= SUBSTANTIAL_MIN_WORDS and chars >= SUBSTANTIAL_MIN_CHARS


def substance_error() -> ValidationError:
    return ValidationError(SUBSTANTIAL_MESSAGE, code="not_substantial", params={"words": SUBSTANTIAL_MIN_WORDS})


def earliest_record_date() -> dt.date:
    return settings.EARLIEST_RECORD_DATE


def _shown(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


@deconstructible
class DateBounds:
    """A date no earlier than the earliest record date and, for facts, not in the future.

    ``years_ahead=None`` — a fact (it has happened: not after today); a number — a plan, at most that many years
    after today. ``since_service=True`` — the floor is :data:`EARLIEST_SERVICE_DATE` (a hire date of a veteran).
    """

    def __init__(
        self, *, years_ahead: int | None = None, since_service: bool = False, future_message: Any = None
    ) -> None:
        self.years_ahead = years_ahead
        self.since_service = since_service
        self.future_message = future_message  # a fact's own wording ("Дата регистрации не может быть в будущем.")

    def __call__(self, value: dt.date | None) -> None:
        if value is None:
            return
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        earliest = EARLIEST_SERVICE_DATE if self.since_service else earliest_record_date()
        if value < earliest:
            raise ValidationError(
                _("Дата не может быть раньше %(date)s."), code="date_too_early", params={"date": _shown(earliest)}
            )
        today = timezone.localdate()
        if self.years_ahead is None:
            if value > today:
                message = self.future_message or _("Дата не может быть в будущем.")
                raise ValidationError(message, code="date_in_future")
        else:
            latest = add_months(today, 12 * self.years_ahead)
            if value > latest:
                raise ValidationError(
                    _("Дата не может быть позже %(date)s."), code="date_too_late", params={"date": _shown(latest)}
                )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DateBounds)
            and self.years_ahead == other.years_ahead
            and self.since_service == other.since_service
            and self.future_message == other.future_message
        )


#: A fact: registration, offence, verdict, measurement, answer — not before the earliest record date, not future.
past_date = DateBounds()
#: A plan: a deadline, a project's end, a planned event — at most PLAN_YEARS_AHEAD years ahead.
planned_date = DateBounds(years_ahead=PLAN_YEARS_AHEAD)
#: A hire date: facts of a career that may begin before the system's records do.
service_date = DateBounds(since_service=True)


def text_max_length(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(
        limit, _("Текст слишком длинный: не более %(limit_value)d знаков (сейчас %(show_value)d).")
    )


def bounded_text(verbose_name: Any, *, max_length: int = TEXT_DESCRIPTION, **kwargs: Any) -> models.TextField:
    """A TextField with a maximum length that models, forms and serializers refuse beyond.

    The limit is a validator, not the form field's ``max_length``: a browser silently cuts pasted text at
    ``maxlength``, and the user must see that the text is too long rather than lose its end.
    """
    kwargs["validators"] = [*kwargs.get("validators", []), text_max_length(max_length)]
    return models.TextField(verbose_name, **kwargs)


def is_percent(unit: str) -> bool:
    return (unit or "").strip().lower() in _PERCENT_SPELLINGS


def normalize_unit(unit: str) -> str:
    """Every spelling of percent is stored as ``%``, so the 0–100 bound holds whatever the user typed."""
    return PERCENT if is_percent(unit) else (unit or "").strip()


def percent_errors(unit: str, **values: Decimal | None) -> dict[str, list[Any]]:
    """``{field: [message]}`` for every value outside 0–100 when ``unit`` is percent."""
    if not is_percent(unit):
        return {}
    return {
        name: [ValidationError(PERCENT_MESSAGE, code="percent_range")]
        for name, value in values.items()
        if value is not None and not PERCENT_MIN <= value <= PERCENT_MAX
    }


# --- constraints ------------------------------------------------------------------------------------------------------


class FieldConstraintMixin:
    """A constraint whose violation is shown at one field (``violation_error_field``), not above the form.

    Django (5.2) reports a CheckConstraint or a multi-field UniqueConstraint as a non-field error; the field named
    here is where a user can fix it. ``None`` keeps it a non-field error (a rule about the whole record).
    """

    def __init__(self, *args: Any, violation_error_field: str | None = None, **kwargs: Any) -> None:
        self.violation_error_field = violation_error_field
        super().__init__(*args, **kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            if self.violation_error_field is None or hasattr(error, "error_dict"):
                raise
            raise ValidationError({self.violation_error_field: error.error_list}) from None

    def clone(self):  # Django clones every Meta constraint (Options._format_names) through deconstruct()
        copy = super().clone()
        copy.violation_error_field = self.violation_error_field
        return copy

    def deconstruct(self):
        """Migrations see Django's own constraint: where a violation is shown is not a database matter, so
        giving a constraint its message and field alters no table (``AlterConstraint``, no SQL)."""
        _path, args, kwargs = super().deconstruct()
        django_class = next(c for c in type(self).__mro__ if c.__module__ == "django.db.models.constraints")
        return f"django.db.models.{django_class.__name__}", args, kwargs


class CheckConstraint(FieldConstraintMixin, models.CheckConstraint):
    pass


class UniqueConstraint(FieldConstraintMixin, models.UniqueConstraint):
    pass


def choice_check(name: str, field: str, choices: type[models.TextChoices], **kwargs: Any) -> CheckConstraint:
    """The database keeps a status/kind column within its choices; the message is Django's own for a bad choice."""
    return CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}),
        name=name,
        violation_error_code="invalid_choice",
        violation_error_message=_("Недопустимое значение."),
        violation_error_field=field,
        **kwargs,
    )


def constraint_violation(error: IntegrityError) -> ValidationError | None:
    """The translated field error of a project constraint a database write violated, or None if not ours."""
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if not name:
        return None
    from django.apps import apps

    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                message = ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code or "constraint"
                )
                field = getattr(constraint, "violation_error_field", None)
                return ValidationError({field: [message]}) if field else message
    return None
