"""Serializers of the cases resources (DESIGN.md §5.2).

References in writes use codes where the resource has one (department, article, sector, ground, category), ids
otherwise (state bodies, root causes) and registration numbers for cases. An unknown reference is a field error
naming the value (``{"articles.1": ["Неизвестные статьи УК: 999."]}``); unknown fields are refused.
Serializers only check the shape: the rules live in ``cases.services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anticor.api.fields import (
    CompleteItemMixin,
    IdField,
    KeyField,
    ReferenceListField,
    VisibleMixin,
    department_field,
    restatement_reason_field,
    state_body_field,
    unknown_id,
    version_field,
)
from anticor.api.serializers import StrictSerializerMixin
from anticor.identifiers import validate_registration_number
from anticor.models import Article, User
from cases.choices import CaseStatus, RecommendationStatus, RootCauseStatus
from cases.models import (
    Case,
    Recommendation,
    RecommendationMeasure,
    RootCause,
    RootCauseCategory,
    Sector,
    Subject,
    TerminationGround,
)
from cases.services import MeasureData, SubjectData


class VisibleCaseField(VisibleMixin, KeyField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Case.objects.all())
        kwargs.setdefault("slug_field", "registration_number")
        kwargs.setdefault(
            "unknown", lambda value: _("Дела не найдены или недоступны: %(numbers)s") % {"numbers": value}
        )
        super().__init__(**kwargs)


class VisibleRootCauseField(VisibleMixin, IdField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", RootCause.objects.all())
        super().__init__(**kwargs)


# --- cases -----------------------------------------------------------------------------------------------------------


class SubjectSerializer(CompleteItemMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """A person in a case; subjects are matched by IIN when a case is replaced."""

    state_body = state_body_field(allow_null=True, required=False, default=None)

    class Meta:
        model = Subject
        fields = ["full_name", "iin", "position", "post_category", "state_body", "role"]

    def to_service(self, data: dict[str, Any]) -> SubjectData:
        body = data.get("state_body")
        return SubjectData(
            full_name=data["full_name"],
            iin=data["iin"],
            role=data["role"],
            position=data.get("position", ""),
            post_category=data.get("post_category", "other"),
            state_body_id=body.pk if body is not None else None,
        )


class CaseSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A criminal case (ЕРДР record), keyed by its 15-digit registration number."""

    registration_number = serializers.CharField(
        required=False,
        validators=[validate_registration_number],
        help_text="Номер ЕРДР, 15 цифр. В теле PUT/PATCH необязателен; если указан — должен совпадать с номером в URL.",
    )
    department = department_field(help_text="Код департамента (две цифры), например «75».")
    articles = ReferenceListField(
        child=KeyField(
            queryset=Article.objects.all(),
            unknown=lambda value: _("Неизвестные статьи УК: %(codes)s.") % {"codes": value},
        ),
        allow_empty=False,
        max_length=50,
        help_text='Коды статей УК, например ["366", "367"].',
    )
    state_body = state_body_field(help_text="Id государственного органа (ресурс state-bodies).")
    sector = KeyField(
        queryset=Sector.objects.all(),
        unknown=lambda value: _("Неизвестная сфера: %(value)s.") % {"value": value},
        help_text="Код сферы (ресурс sectors).",
    )
    damage_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal(0), default=Decimal(0), help_text="Ущерб, тенге."
    )
    recovered_amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        default=Decimal(0),
        help_text="Возмещено, тенге (не больше ущерба).",
    )
    termination_ground: serializers.SlugRelatedField[TerminationGround] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    merged_into: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="registration_number", read_only=True, allow_null=True, help_text="Дело, с которым соединено."
    )
    subjects = SubjectSerializer(  # type: ignore[call-arg]  # many=True hands max_length to the ListSerializer
        many=True,
        default=list,
        max_length=500,
        help_text="Участники дела. При замене (PUT) сопоставляются по ИИН: не указанные отмечаются исключёнными.",
    )
    root_causes: serializers.PrimaryKeyRelatedField[RootCause] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Id причин и условий."
    )
    investigator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Логин назначенного следователя (назначает руководитель департамента).",
    )
    investigator_name = serializers.CharField(
        source="investigator.display_name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Полное имя назначенного следователя.",
    )
    version = version_field()
    restatement_reason = restatement_reason_field(record="дела")

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
            "investigator",
            "investigator_name",
            "status",
            "status_changed_on",
            "termination_ground",
            "merged_into",
            "subjects",
            "root_causes",
            "version",
            "restatement_reason",
        ]
        read_only_fields = ["status", "status_changed_on"]

    def service_arguments(self) -> dict[str, Any]:
        """The validated body as arguments of ``services.case_upsert`` (what is absent in a PATCH stays as is)."""
        data = dict(self.validated_data)
        values: dict[str, Any] = {}
        for name in ("registered_on", "summary", "damage_amount", "recovered_amount"):
            if name in data:
                values[name] = data[name]
        for name in ("department", "state_body", "sector"):
            if name in data:
                values[f"{name}_id"] = data[name].pk
        subjects = data.get("subjects")
        subjects_field = cast("serializers.ListSerializer[Any]", self.fields["subjects"])  # many=True
        child = cast(SubjectSerializer, subjects_field.child)
        return {
            "values": values,
            "article_ids": [article.pk for article in data["articles"]] if "articles" in data else None,
            "subjects": [child.to_service(item) for item in subjects] if subjects is not None else None,
            "restatement_reason": data.get("restatement_reason", ""),
        }


class CaseTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=CaseStatus.choices, help_text="Новый статус.")
    reason = serializers.CharField(max_length=5000, help_text="Основание смены статуса (обязательно).")
    termination_ground = KeyField(
        queryset=TerminationGround.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Код основания прекращения — только при переходе в terminated.",
    )
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Дата; по умолчанию сегодня.")
    merged_into = VisibleCaseField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Номер ЕРДР дела, с которым соединяется, — только при переходе в merged.",
    )
    restatement_reason = restatement_reason_field(record="дела")


class CaseTransitionsSerializer(serializers.Serializer):
    """What the caller may do with the case now."""

    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    allowed = serializers.ListField(
        child=serializers.ChoiceField(choices=CaseStatus.choices), read_only=True, help_text="Допустимые статусы."
    )


# --- root causes -----------------------------------------------------------------------------------------------------


class RootCauseSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A cause or condition of corruption behind one or more cases."""

    department = department_field(help_text="Код департамента.")
    category = KeyField(queryset=RootCauseCategory.objects.all(), help_text="Код категории (root-cause-categories).")
    state_body = state_body_field(help_text="Id ответственного госоргана.")
    cases = ReferenceListField(
        child=VisibleCaseField(),
        required=False,
        max_length=500,
        help_text="Номера ЕРДР связанных дел. Связи только добавляются: в PATCH перечислите и уже связанные дела.",
    )
    regressed_by: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="registration_number", read_only=True, allow_null=True
    )
    identified_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Кто выявил (пусто — API-клиент)."
    )
    verified_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Кто подтвердил устранение."
    )
    version = version_field()
    restatement_reason = restatement_reason_field(record="причины")

    class Meta:
        model = RootCause
        fields = [
            "id",
            "department",
            "category",
            "description",
            "state_body",
            "cases",
            "identified_on",
            "identified_by",
            "no_recommendation_reason",
            "status",
            "verified_on",
            "verified_by",
            "verification_evidence",
            "regressed_on",
            "regressed_by",
            "version",
            "restatement_reason",
        ]
        read_only_fields = ["status", "verified_on", "verification_evidence", "regressed_on"]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        values: dict[str, Any] = {
            name: data[name] for name in ("description", "identified_on", "no_recommendation_reason") if name in data
        }
        for name in ("department", "category", "state_body"):
            if name in data:
                values[f"{name}_id"] = data[name].pk
        return {
            "values": values,
            "case_ids": [case.pk for case in data["cases"]] if "cases" in data else None,
            "restatement_reason": data.get("restatement_reason", ""),
        }


class RootCauseTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=RootCauseStatus.choices, help_text="Новый статус.")
    on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Дата проверки устранения (для eliminated)."
    )
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Чем подтверждено устранение."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Основание (обязательно для rejected)."
    )
    approve_no_recommendation = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Для eliminated без ответа на представление: одобрить записанное другим сотрудником обоснование.",
    )
    restatement_reason = restatement_reason_field(record="причины")


# --- recommendations -------------------------------------------------------------------------------------------------


class MeasureSerializer(CompleteItemMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """A measure of a recommendation. Give its ``id`` to change it; one left out of the list is deleted."""

    id = serializers.IntegerField(required=False, min_value=1, help_text="Id меры; без него мера добавляется.")

    class Meta:
        model = RecommendationMeasure
        fields = ["id", "description", "responsible_person", "done_on"]


class RecommendationSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """Представление об устранении причин и условий."""

    department = department_field(help_text="Код департамента.")
    addressee = state_body_field(help_text="Id госоргана-адресата.")
    root_causes = ReferenceListField(
        child=VisibleRootCauseField(), required=False, max_length=500, help_text="Id причин и условий."
    )
    measures = MeasureSerializer(many=True, required=False, max_length=500)  # type: ignore[call-arg]  # as subjects
    overdue = serializers.SerializerMethodField(help_text="Просрочено: срок ответа прошёл, ответа нет.")
    version = version_field()
    restatement_reason = restatement_reason_field(record="представления")

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "number",
            "department",
            "addressee",
            "root_causes",
            "issued_on",
            "delivered_on",
            "due_on",
            "answered_on",
            "answer_summary",
            "verified_on",
            "verification_note",
            "status",
            "overdue",
            "measures",
            "version",
            "restatement_reason",
        ]
        read_only_fields = ["answered_on", "answer_summary", "verified_on", "verification_note", "status"]
        # The (department, number) uniqueness is the service's to check, with its own message.
        validators: list = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, rec: Recommendation) -> bool:
        return rec.is_overdue(timezone.localdate())

    def validate_measures(self, measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        known = set(self.instance.measures.values_list("pk", flat=True)) if self.instance is not None else set()
        errors: list[dict[str, list[str]]] = []
        for item in measures:
            measure_id = item.get("id")
            if measure_id is not None and measure_id not in known:
                errors.append({"id": [unknown_id(str(measure_id))]})
            else:
                errors.append({})
        if any(errors):
            raise serializers.ValidationError(errors)
        return measures

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        values: dict[str, Any] = {
            name: data[name] for name in ("number", "issued_on", "delivered_on", "due_on") if name in data
        }
        for name in ("department", "addressee"):
            if name in data:
                values[f"{name}_id"] = data[name].pk
        measures = data.get("measures")
        return {
            "values": values,
            "root_cause_ids": [cause.pk for cause in data["root_causes"]] if "root_causes" in data else None,
            "measures": [
                MeasureData(
                    id=item.get("id"),
                    description=item["description"],
                    responsible_person=item["responsible_person"],
                    done_on=item.get("done_on"),
                )
                for item in measures
            ]
            if measures is not None
            else None,
            "restatement_reason": data.get("restatement_reason", ""),
        }


class RecommendationTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=RecommendationStatus.choices, help_text="Новый статус.")
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Дата; по умолчанию сегодня.")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Содержание ответа (answered) или результат проверки исполнения (verified).",
    )
    restatement_reason = restatement_reason_field(record="представления")
