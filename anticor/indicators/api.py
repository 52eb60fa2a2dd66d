"""The indicator resources of /api/v1/ (read-only): ``indicators``, ``indicator-values``, ``indicator-runs``.

Scope ``indicators:read``. Clients limited to departments see those departments' values only (no agency totals,
see :mod:`anticor.indicators.selectors`); lists run a fixed number of queries whatever the page size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from anticor import access
from anticor.api.conditional import ConditionalMixin
from anticor.api.views import ScopedViewSetMixin
from anticor.indicators import selectors
from anticor.indicators.filtersets import IndicatorRunFilterSet, IndicatorValueFilterSet
from anticor.indicators.models import Indicator, IndicatorRun, IndicatorValue
from anticor.indicators.restatements import RestatementChanges

if TYPE_CHECKING:
    from anticor.models import Department, User

# --- serializers -----------------------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    """Names, formulas and threshold notes come from the code registry, in the reader's language."""

    name = serializers.SerializerMethodField()
    formula = serializers.SerializerMethodField()
    threshold_note = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "group",
            "unit",
            "better",
            "legacy",
            "formula",
            "version",
            "threshold",
            "threshold_note",
            "is_active",
        ]

    def _text(self, obj: Indicator, attribute: str) -> str:
        definition = obj.definition
        return str(getattr(definition, attribute)) if definition is not None else ""

    def get_name(self, obj: Indicator) -> str:
        return self._text(obj, "name") or obj.code

    def get_formula(self, obj: Indicator) -> str:
        return self._text(obj, "formula")

    def get_threshold_note(self, obj: Indicator) -> str:
        return self._text(obj, "threshold_note")


class EditSerializer(serializers.Serializer):
    actor = serializers.CharField(help_text="Кто изменил (пользователь или API-клиент).")
    at = serializers.DateTimeField()


class ChangedRecordSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Вид записи, например «уголовное дело».")
    label = serializers.CharField(help_text="Номер записи, например номер ЕРДР.")  # type: ignore[assignment]  # a field named like Field.label
    url = serializers.CharField(help_text="Страница записи.")
    edits = EditSerializer(many=True, help_text="Изменения после утверждения отчёта, по журналу аудита.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Основания, указанные при изменении.")


class RestatementSummarySerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    numerator = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    changed_records = ChangedRecordSerializer(
        many=True, help_text="Записи периода, изменённые после утверждения отчёта и видимые клиенту."
    )
    hidden_changed_records = serializers.IntegerField(
        help_text="Сколько ещё изменённых записей периода клиенту не видно (без подробностей)."
    )


class IndicatorValueSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    is_locked = serializers.BooleanField(read_only=True)
    restatement = serializers.SerializerMethodField(
        help_text="Последний пересмотр утверждённого значения (значение по текущим данным) или null."
    )
    run: serializers.PrimaryKeyRelatedField[IndicatorRun] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "code",
            "scope",
            "department",
            "period",
            "value",
            "numerator",
            "denominator",
            "formula_version",
            "is_locked",
            "restatement",
            "run",
            "computed_at",
        ]

    @extend_schema_field(RestatementSummarySerializer(allow_null=True))
    def get_restatement(self, obj: IndicatorValue):
        row: Any = obj  # with the viewset's restated_* annotations
        if getattr(row, "restated_at", None) is None:
            return None
        changes = self.context.get("restatement_changes", {}).get(row.restated_id) or RestatementChanges()
        return RestatementSummarySerializer(
            {
                "value": row.restated_value,
                "numerator": row.restated_numerator,
                "denominator": row.restated_denominator,
                "reason": row.restated_reason,
                "at": row.restated_at,
                "changed_records": changes.records,
                "hidden_changed_records": changes.hidden,
            }
        ).data


class IndicatorRunSerializer(serializers.ModelSerializer):
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorRun
        fields = [
            "id",
            "trigger",
            "reason",
            "requested_by",
            "periods",
            "scope",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "rows_written",
            "restatements_written",
            "causes_regressed",
            "measurements_written",
            "error",
        ]

    @extend_schema_field({"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}})
    def get_progress(self, obj: IndicatorRun) -> dict[str, int]:
        done, total = selectors.indicator_run_progress(run=obj)
        return {"done": done, "total": total}


# --- viewsets --------------------------------------------------------------------------------------------------------


class IndicatorsViewSet(ScopedViewSetMixin, ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    access_area = access.Area.INDICATORS


@extend_schema_view(list=extend_schema(summary="Показатели"), retrieve=extend_schema(summary="Показатель"))
class IndicatorViewSet(IndicatorsViewSet):
    """The registered indicators: meaning, unit, better direction, formula, version; legacy ones flagged."""

    base_queryset = Indicator.objects.order_by("id")
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z][a-z0-9_]{0,63}"


@extend_schema_view(
    list=extend_schema(
        summary="Значения показателей",
        description="Фильтры: code, scope (agency или код департамента), period (2022, 2022-H1, 2022-Q3, 2022-07).",
    ),
    retrieve=extend_schema(summary="Значение показателя"),
)
class IndicatorValueViewSet(IndicatorsViewSet):
    """Computed values per indicator × scope × period, with the lock and the latest restatement."""

    base_queryset = IndicatorValue.objects.order_by("id")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.indicator_values(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        """The changed records behind the restatements of the values shown, read once for the whole page."""
        if args and "data" not in kwargs:
            values = args[0] if isinstance(args[0], list | tuple) else [args[0]]
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["restatement_changes"] = selectors.value_restatement_changes(user=self.request.user, values=values)
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(list=extend_schema(summary="Расчёты показателей"), retrieve=extend_schema(summary="Расчёт"))
class IndicatorRunViewSet(IndicatorsViewSet):
    """Every recompute: trigger, status, progress, what it wrote, the error if it failed."""

    base_queryset = IndicatorRun.objects.order_by("id")
    serializer_class = IndicatorRunSerializer
    filterset_class = IndicatorRunFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.indicator_runs(user=self.request.user)


def register(router) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
    router.register("indicator-runs", IndicatorRunViewSet, basename="indicator-run")
