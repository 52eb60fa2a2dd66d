"""Serializers of the integrity resources (DESIGN.md §5.2, §4.4).

References in writes: department, sanction and article by code, employees by personnel number, people by username,
disciplinary records by id. The IIN is shown in full only to those who keep the staff records
(``selectors.can_see_personal_data``), masked to everyone else. Serializers only check the shape: every rule
(the check's safeguards, the discipline dates, who may write) lives in ``integrity.services``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anticor.api.fields import IdField, KeyField, SerializerMixinBase, VisibleMixin, department_field
from anticor.api.serializers import StrictSerializerMixin
from anticor.models import Article, User
from integrity import selectors, services
from integrity.choices import CheckOutcome, CheckStatus, DisciplineStatus
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    Employee,
    IntegrityCheck,
    Sanction,
    validate_personnel_number,
)

# Model values a client never writes directly (statuses move through the services' steps).
_VERSION_HELP = "Номер версии записи; растёт с каждым изменением (оптимистическая блокировка)."


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, help_text=_VERSION_HELP)


def _user_field(**kwargs: Any) -> KeyField:
    return KeyField(
        queryset=User.objects.filter(is_active=True),
        slug_field="username",
        unknown=lambda value: _("Неизвестный пользователь: %(value)s.") % {"value": value},
        **kwargs,
    )


class VisibleEmployeeField(VisibleMixin, KeyField):
    """An employee by personnel number, among those the caller may see (others are unknown)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Employee.objects.all())
        kwargs.setdefault("slug_field", "personnel_number")
        kwargs.setdefault(
            "unknown", lambda value: _("Сотрудник не найден или недоступен: %(value)s.") % {"value": value}
        )
        kwargs.setdefault("help_text", "Табельный номер сотрудника (ресурс employees).")
        super().__init__(**kwargs)


class VisibleDisciplinaryRecordField(VisibleMixin, IdField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", DisciplinaryRecord.objects.all())
        kwargs.setdefault(
            "unknown", lambda value: _("Взыскание не найдено или недоступно: %(value)s.") % {"value": value}
        )
        super().__init__(**kwargs)


def changed_values(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the row: an empty or identical PATCH changes nothing (no new version)."""
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


class ServiceValuesMixin(SerializerMixinBase):
    """The validated body as the ``values`` of a service (model field names, related rows as instances)."""

    def values(self) -> dict[str, Any]:
        return dict(self.validated_data)


# --- employees --------------------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "maxLength": 12, "example": "850101300017"})
class IinField(serializers.CharField):
    """The full IIN for those who keep the staff records; ``850101******`` for other readers."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        value = super().to_representation(value)
        return value if self.context.get("full_iin") else selectors.mask_iin(value)


class EmployeeSerializer(ServiceValuesMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """An employee of the agency, keyed by the personnel number."""

    personnel_number = serializers.CharField(
        max_length=20,
        validators=[validate_personnel_number],
        help_text="Табельный номер: до 20 знаков — цифры, заглавные латинские буквы и дефис. Не меняется.",
    )
    iin = IinField(
        help_text="ИИН (12 цифр). Полностью — только клиентам с правом записи; остальным маскируется: 850101******."
    )
    department = department_field(help_text="Код департамента (две цифры), например «75».")
    user = _user_field(
        required=False,
        allow_null=True,
        help_text="Логин учётной записи сотрудника: по этой связи он не видит проверок в отношении себя.",
    )
    full_name = serializers.CharField(read_only=True, help_text="Фамилия, имя, отчество.")
    version = version_field()

    class Meta:
        model = Employee
        fields = [
            "personnel_number",
            "last_name",
            "first_name",
            "middle_name",
            "full_name",
            "iin",
            "department",
            "position",
            "special_rank",
            "hired_on",
            "status",
            "dismissed_on",
            "user",
            "version",
        ]
        validators: list = []  # uniqueness (personnel number, IIN, account) is the service's, with its messages

    def validate_personnel_number(self, value: str) -> str:
        if self.instance is not None and value != self.instance.personnel_number:
            raise serializers.ValidationError(_("Табельный номер не меняется."))
        return value


# --- discipline -------------------------------------------------------------------------------------------------------


class DisciplinaryRecordSerializer(ServiceValuesMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """A sanction imposed on an employee by order, with the warnings about missed legal deadlines."""

    employee = VisibleEmployeeField()
    sanction = KeyField(
        queryset=Sanction.objects.all(),
        unknown=lambda value: _("Неизвестное взыскание: %(value)s.") % {"value": value},
        help_text="Код взыскания из перечня, например «reprimand», «dismissal».",
    )
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Срок действия; по умолчанию — двенадцать месяцев от даты приказа. У увольнения срока нет.",
    )
    deadline_warnings = serializers.SerializerMethodField(
        help_text="Пропущенные сроки наложения: позднее месяца со дня обнаружения или шести месяцев со дня проступка."
    )
    version = version_field()

    class Meta:
        model = DisciplinaryRecord
        fields = [
            "id",
            "employee",
            "offence",
            "committed_on",
            "discovered_on",
            "corruption_related",
            "sanction",
            "negative_grounds",
            "order_number",
            "imposed_on",
            "expires_on",
            "status",
            "status_changed_on",
            "status_reason",
            "deadline_warnings",
            "version",
        ]
        read_only_fields = ["status", "status_changed_on", "status_reason"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_deadline_warnings(self, record: DisciplinaryRecord) -> list[str]:
        return [str(warning) for warning in services.discipline_deadline_warnings(record)]


class DisciplineTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(
        choices=DisciplineStatus.choices,
        help_text="lifted (снято), appealed (обжалуется), overturned (отменено), active (оставлено в силе после "
        "обжалования). expired устанавливается только ежедневной задачей.",
    )
    reason = serializers.CharField(max_length=5000, allow_blank=True, help_text="Основание (обязательно).")
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Дата; по умолчанию сегодня.")


# --- convictions ------------------------------------------------------------------------------------------------------


class ConvictionSerializer(ServiceValuesMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """A court verdict against an employee."""

    employee = VisibleEmployeeField()
    article = KeyField(
        queryset=Article.objects.all(),
        unknown=lambda value: _("Неизвестная статья УК: %(value)s.") % {"value": value},
        help_text="Код статьи УК (ресурс articles), например «366».",
    )
    version = version_field()

    class Meta:
        model = Conviction
        fields = ["id", "employee", "article", "verdict_on", "court", "sentence", "version"]


# --- integrity checks -------------------------------------------------------------------------------------------------


class IntegrityCheckSerializer(ServiceValuesMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """An Integrity Check. Written directly: the plan of a draft only; everything after moves through the steps."""

    employee = VisibleEmployeeField(help_text="Табельный номер проверяемого сотрудника. После создания не меняется.")
    tester = _user_field(
        required=False,
        help_text="Логин проверяющего (сотрудник собственной безопасности, проводящий проверку). Для API-клиента "
        "обязателен; пользователю по умолчанию — он сам.",
    )
    approver: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Логин утвердившего."
    )
    follow_up_record: serializers.PrimaryKeyRelatedField[DisciplinaryRecord] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Id взыскания, наложенного по результатам (disciplinary-records)."
    )
    outcome = serializers.ChoiceField(
        choices=CheckOutcome.choices,
        read_only=True,
        allow_blank=True,
        help_text="Результат; пусто — ещё не рассмотрена.",
    )
    safeguards_confirmed = serializers.BooleanField(read_only=True, help_text="Все три гарантии подтверждены.")
    next_step = serializers.SerializerMethodField(help_text="Что нужно сделать дальше.")
    version = version_field()

    class Meta:
        model = IntegrityCheck
        fields = [
            "id",
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
            "safeguards_confirmed",
            "status",
            "approver",
            "approved_on",
            "conducted_on",
            "conduct_notes",
            "outcome",
            "outcome_summary",
            "reviewed_on",
            "follow_up_record",
            "employee_informed_on",
            "closed_on",
            "cancel_reason",
            "next_step",
            "version",
        ]
        read_only_fields = [
            "status",
            "approved_on",
            "conducted_on",
            "conduct_notes",
            "outcome_summary",
            "reviewed_on",
            "employee_informed_on",
            "closed_on",
            "cancel_reason",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_next_step(self, check: IntegrityCheck) -> str:
        return str(services.check_next_step(check))


# Which body fields each step takes (the rest of the body must be absent): required, optional.
CHECK_STEP_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    CheckStatus.APPROVED: (frozenset(), frozenset({"on"})),
    CheckStatus.CONDUCTED: (frozenset({"conducted_on", "notes"}), frozenset()),
    CheckStatus.REVIEWED: (frozenset({"outcome", "summary"}), frozenset({"reviewed_on"})),
    CheckStatus.CLOSED: (frozenset(), frozenset({"on"})),
    CheckStatus.CANCELLED: (frozenset({"reason"}), frozenset()),
}


class CheckTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    """One step of the check; each target takes its own fields and refuses the others."""

    to = serializers.ChoiceField(choices=CheckStatus.choices, help_text="Новый статус.")
    on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="approved, closed: дата утверждения / закрытия (по умолчанию сегодня).",
    )
    conducted_on = serializers.DateField(required=False, help_text="conducted: дата проведения (обязательно).")
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="conducted: ход проведения (обязательно)."
    )
    outcome = serializers.ChoiceField(
        choices=CheckOutcome.choices, required=False, help_text="reviewed: результат (обязательно)."
    )
    summary = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="reviewed: заключение (обязательно)."
    )
    reviewed_on = serializers.DateField(
        required=False, allow_null=True, help_text="reviewed: дата рассмотрения (по умолчанию сегодня)."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="cancelled: причина отмены (обязательно)."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        target = data["to"]
        if target not in CHECK_STEP_FIELDS:
            raise serializers.ValidationError({"to": [_("В этот статус проверку перевести нельзя.")]})
        required, optional = CHECK_STEP_FIELDS[target]
        errors: dict[str, list[Any]] = {}
        for name in sorted(required - set(data)):
            errors[name] = [_("Обязательное поле для перехода в «%(to)s».") % {"to": CheckStatus(target).label}]
        for name in sorted(set(data) - required - optional - {"to"}):
            errors[name] = [_("Поле не используется при переходе в «%(to)s».") % {"to": CheckStatus(target).label}]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class CheckFollowUpSerializer(StrictSerializerMixin, serializers.Serializer):
    follow_up_record = VisibleDisciplinaryRecordField(
        help_text="Id взыскания того же сотрудника, наложенного по результатам проверки (disciplinary-records)."
    )


class CheckInformSerializer(StrictSerializerMixin, serializers.Serializer):
    informed_on = serializers.DateField(help_text="Дата ознакомления сотрудника с проверкой и её результатом.")
