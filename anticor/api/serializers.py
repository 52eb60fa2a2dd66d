"""Serializers of the reference resources (read-only) and the shared strictness rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anticor.models import Article, Department, Region, StateBody


class StrictSerializerMixin:
    """Unknown fields in a write are an error (a typo must not be silently ignored). Read-only fields (status…)
    are accepted and ignored, so a client may send back what it read; a ``version`` sent back is the version the
    write is based on (a stale one is refused, see ``cases.api.views._if_match_version``)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Неизвестное поле.")] for name in unknown})
        return super().to_internal_value(data)

    def get_unique_together_validators(self):
        """A unique constraint over several fields is checked by the service's ``full_clean``, which shows the
        constraint's own message at its field (anticor.bounds); DRF's check would put a generic one above the body."""
        return []


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "kind", "name_ru", "name_kk", "former_names", "is_active"]


class DepartmentSerializer(serializers.ModelSerializer):
    # null for the central office (00), which has neither region nor parent
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    # A declared field: DRF's metaclass takes it out of the class, so Field.parent (the stubs' clash) stays.
    parent: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Department
        fields = ["code", "name_ru", "name_kk", "region", "parent", "is_active"]


class StateBodySerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,  # null: central bodies
    )

    class Meta:
        model = StateBody
        fields = ["id", "name_ru", "name_kk", "kind", "region", "bin", "is_active"]


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["code", "name_ru", "name_kk", "note", "is_active"]
