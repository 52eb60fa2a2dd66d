"""Writes of the indicator engine: the recompute, period locks, and the catalogue mirror of the registry."""

from __future__ import annotations

from django.db import transaction

from anticor.indicators.models import Indicator
from anticor.indicators.registry import registry


def indicator_catalogue_sync(*, using: str = "default") -> int:
    """Mirror the code registry into the ``Indicator`` table; retired codes stay, marked inactive. Safe to re-run."""
    definitions = registry.all()
    with transaction.atomic(using=using):
        for definition in definitions:
            Indicator.objects.using(using).update_or_create(
                code=definition.code,
                defaults={
                    "app_label": definition.app_label,
                    "group": definition.group,
                    "unit": definition.unit,
                    "better": definition.better,
                    "legacy": definition.legacy,
                    "version": definition.version,
                    "threshold": definition.threshold,
                    "order": definition.order,
                    "is_active": True,
                },
            )
        Indicator.objects.using(using).exclude(code__in=[d.code for d in definitions]).update(is_active=False)
    return len(definitions)
