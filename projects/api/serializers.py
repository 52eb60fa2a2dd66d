"""Serializers of the projects resources (DESIGN.md §5.2).

References in writes: direction and owner department by code, people by username, projects by code, KPIs and
state bodies by id. Serializers only check the shape: the rules (target ≠ baseline, measurement within the
project, evidence for a done milestone, who may write) live in ``projects.services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anticor.api.fields import (
    IdField,
    KeyField,
    SerializerMixinBase,
    VisibleMixin,
    department_field,
    state_body_field,
    version_field,
)
from anticor.api.serializers import StrictSerializerMixin
from anticor.models import User
from projects import kpis
from projects.choices import MilestoneStatus, ProjectStatus
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

_PLACES = Decimal("0.0001")
_NULLABLE_DECIMAL = serializers.DecimalField(max_digits=40, decimal_places=4, allow_null=True)


def _user_field(**kwargs: Any) -> KeyField:
    return KeyField(
        queryset=User.objects.filter(is_active=True),
        slug_field="username",
        unknown=lambda value: _("Неизвестный пользователь: %(value)s.") % {"value": value},
        **kwargs,
    )


class VisibleProjectField(VisibleMixin, KeyField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Project.objects.all())
        kwargs.setdefault("unknown", lambda value: _("Проект не найден или недоступен: %(value)s.") % {"value": value})
        super().__init__(**kwargs)


class VisibleKPIField(VisibleMixin, IdField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", KPI.objects.all())
        super().__init__(**kwargs)


def _project_field() -> VisibleProjectField:
    return VisibleProjectField(help_text="Шифр проекта (ресурс projects).")


class ProjectRowMixin(SerializerMixinBase):
    """A row of a project (KPI, milestone, risk, event) never moves to another project."""

    def validate_project(self, project: Project) -> Project:
        if self.instance is not None and project.pk != self.instance.project_id:
            raise serializers.ValidationError(_("Запись нельзя перенести в другой проект."))
        return project

    def values(self) -> dict[str, Any]:
        """The validated body as model values (references as ``<name>_id``); the project is not among them."""
        result: dict[str, Any] = {}
        for name, value in self.validated_data.items():
            if name == "project":
                continue
            result[name] = value
        return result


def changed_values(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the row: an empty or identical PATCH changes nothing (no new version)."""
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


# --- directions and projects ------------------------------------------------------------------------------------------


class DirectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Direction
        fields = ["code", "name_ru", "name_kk", "is_mandatory", "is_example", "order", "is_active"]


class ProjectSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A project under one of the mandatory directions, keyed by its code."""

    direction = KeyField(
        queryset=Direction.objects.all(),
        unknown=lambda value: _("Неизвестное направление: %(value)s.") % {"value": value},
        help_text="Код направления (ресурс directions).",
    )
    lead = _user_field(help_text="Логин руководителя проекта.")
    curator = _user_field(required=False, allow_null=True, help_text="Логин куратора.")
    owner_department = department_field(required=False, allow_null=True, help_text="Код департамента-владельца.")
    owner_state_body = state_body_field(required=False, allow_null=True, help_text="Id госоргана-владельца.")
    version = version_field()

    class Meta:
        model = Project
        fields = [
            "code",
            "direction",
            "title",
            "goal",
            "lead",
            "curator",
            "owner_department",
            "owner_state_body",
            "start_on",
            "end_on",
            "status",
            "partners",
            "version",
        ]
        read_only_fields = ["status"]
        validators: list = []  # the project's own rules are the service's

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in self.validated_data.items():
            if name in ("direction", "lead", "curator", "owner_department", "owner_state_body"):
                result[f"{name}_id"] = value.pk if value is not None else None
            else:
                result[name] = value
        return result

    def validate_code(self, code: str) -> str:
        others = Project.objects.filter(code=code)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("Проект с таким шифром уже есть."))
        return code


class ProjectTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=ProjectStatus.choices, help_text="Новый статус.")


# --- KPIs and measurements --------------------------------------------------------------------------------------------


def _decimal(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(value.quantize(_PLACES))


class KPISerializer(ProjectRowMixin, StrictSerializerMixin, serializers.ModelSerializer):
    """A KPI with its status: the latest value against the straight line from the baseline to the target."""

    project = _project_field()
    responsible = _user_field(required=False, allow_null=True, help_text="Логин ответственного.")
    latest_value = serializers.SerializerMethodField(help_text="Последнее измеренное значение.")
    latest_measured_on = serializers.SerializerMethodField(help_text="Дата последнего измерения.")
    expected_value = serializers.SerializerMethodField(help_text="Значение траектории на дату последнего измерения.")
    on_track = serializers.SerializerMethodField(help_text="Не хуже траектории; null — измерений ещё нет.")
    gap = serializers.SerializerMethodField(help_text="Отрыв от траектории в лучшую сторону (минус — отставание).")
    version = version_field()

    class Meta:
        model = KPI
        fields = [
            "id",
            "project",
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
            "is_archived",
            "latest_value",
            "latest_measured_on",
            "expected_value",
            "on_track",
            "gap",
            "version",
        ]

    def _status(self, kpi: KPI) -> kpis.KPIStatus:
        row: Any = kpi  # with the viewset's latest_* annotations, and the status once worked out here
        status = getattr(row, "_api_status", None)
        if status is None:
            latest = None
            if getattr(row, "latest_value", None) is not None:
                latest = KPIMeasurement(kpi=kpi, value=row.latest_value, measured_on=row.latest_measured_on)
            status = kpis.kpi_status(kpi, latest)
            row._api_status = status
        return status

    @extend_schema_field(_NULLABLE_DECIMAL)
    def get_latest_value(self, kpi: KPI) -> str | None:
        latest = self._status(kpi).latest
        return _decimal(latest.value) if latest is not None else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_latest_measured_on(self, kpi: KPI) -> str | None:
        latest = self._status(kpi).latest
        return latest.measured_on.isoformat() if latest is not None else None

    @extend_schema_field(_NULLABLE_DECIMAL)
    def get_expected_value(self, kpi: KPI) -> str | None:
        return _decimal(self._status(kpi).expected)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_on_track(self, kpi: KPI) -> bool | None:
        return self._status(kpi).on_track

    @extend_schema_field(_NULLABLE_DECIMAL)
    def get_gap(self, kpi: KPI) -> str | None:
        return _decimal(self._status(kpi).gap)

    def values(self) -> dict[str, Any]:
        result = super().values()
        if "responsible" in result:
            responsible = result.pop("responsible")
            result["responsible_id"] = responsible.pk if responsible is not None else None
        return result


class KPIMeasurementSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """One value of a KPI; history is kept, a correction is a new measurement."""

    kpi = VisibleKPIField(help_text="Id KPI (ресурс kpis).")
    entered_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = KPIMeasurement
        fields = ["id", "kpi", "measured_on", "period", "value", "source", "evidence", "entered_by", "entered_at"]
        read_only_fields = ["source", "entered_at"]


# --- milestones, risks, public events ---------------------------------------------------------------------------------


class MilestoneSerializer(ProjectRowMixin, StrictSerializerMixin, serializers.ModelSerializer):
    project = _project_field()
    overdue = serializers.SerializerMethodField(help_text="Срок прошёл, а точка не выполнена.")
    version = version_field()

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "due_on", "done_on", "evidence", "status", "overdue", "version"]
        read_only_fields = ["done_on", "evidence", "status"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, milestone: Milestone) -> bool:
        return milestone.is_overdue(timezone.localdate())


class MilestoneTransitionSerializer(StrictSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=MilestoneStatus.choices, help_text="Новый статус.")
    done_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Дата выполнения (done).")
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Подтверждение выполнения (done)."
    )


class RiskSerializer(ProjectRowMixin, StrictSerializerMixin, serializers.ModelSerializer):
    project = _project_field()
    owner = _user_field(required=False, allow_null=True, help_text="Логин владельца риска.")
    score = serializers.IntegerField(read_only=True, help_text="Вероятность × влияние (1–25).")
    version = version_field()

    class Meta:
        model = Risk
        fields = [
            "id",
            "project",
            "description",
            "likelihood",
            "impact",
            "score",
            "mitigation",
            "owner",
            "status",
            "version",
        ]


class PublicEventSerializer(ProjectRowMixin, StrictSerializerMixin, serializers.ModelSerializer):
    project = _project_field()
    version = version_field()

    class Meta:
        model = PublicEvent
        fields = ["id", "project", "held_on", "kind", "title", "participants", "outcome", "version"]
