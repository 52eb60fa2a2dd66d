"""What changed an approved half-year: the guard on writes and the account in restatements (issue 11 item 4).

A record falls into a period by its dates (a case by registration, court and final dates); each app names those
dates for its models with :func:`register_period_record` in its ``indicators`` module, so the engine still knows
nothing about cases. A write whose record falls — before or after it — into a locked period needs a reason
(:func:`locked_change_check` before the save, :func:`locked_change_record` after it, in the same transaction);
the recompute carries the reasons into the restatements it writes (``engine._RESTATE``).

A restatement then names the records that changed since the approval, who changed them and when. That account is
read from the audit trail (the ``…Audit`` event tables), not from what the writers declared, so a change made
around the services is named too; each record passes the permission point like on its own page, and the records
a reader may not see are only counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import ngettext

from anticor import access
from anticor.indicators.models import (
    AGENCY,
    RESTATEMENT_REASON_MIN_LENGTH,
    IndicatorRestatement,
    LockedPeriod,
    LockedPeriodChange,
)
from anticor.indicators.periods import parse_period

REASON_FIELD = "restatement_reason"


@dataclass(frozen=True)
class PeriodRecord:
    """How rows of one model fall into periods: the date fields that place a row, its department, its label."""

    model: str  # "cases.Case"
    dates: tuple[str, ...]
    department: str  # attname of the department column: "department_id"
    label: str  # the field that names a row: "registration_number"

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def audit_model(self) -> type[models.Model]:
        app_label, name = self.model.split(".")
        return apps.get_model(app_label, f"{name}Audit")


_records: dict[str, PeriodRecord] = {}


def register_period_record(record: PeriodRecord) -> PeriodRecord:
    _records[record.model.lower()] = record
    return record


def _spec(model: type[models.Model]) -> PeriodRecord:
    return _records[model._meta.label_lower]


def _key(model: type[models.Model]) -> str:
    return model._meta.label_lower


def record_dates(instance: models.Model | None) -> list[dt.date]:
    """The dates that place the row in periods (empty for no row)."""
    if instance is None:
        return []
    return [value for name in _spec(type(instance)).dates if (value := getattr(instance, name, None)) is not None]


def locked_periods_of(dates: Iterable[dt.date]) -> list[str]:
    """The approved half-years holding any of ``dates``, in order (one query)."""
    dates = set(dates)
    if not dates:
        return []
    found = []
    for code in LockedPeriod.objects.order_by("period").values_list("period", flat=True):
        period = parse_period(code)
        if any(period.starts_on <= day <= period.ends_on for day in dates):
            found.append(code)
    return found


def locked_change_message(periods: Sequence[str]) -> str:
    return ngettext(
        "Сохранение изменит утверждённый отчёт %(periods)s: укажите основание изменения (не короче %(min)s "
        "символов) — оно войдёт в пересмотр показателей.",
        "Сохранение изменит утверждённые отчёты %(periods)s: укажите основание изменения (не короче %(min)s "
        "символов) — оно войдёт в пересмотр показателей.",
        len(periods),
    ) % {"periods": ", ".join(periods), "min": RESTATEMENT_REASON_MIN_LENGTH}


def locked_periods_for(instance: models.Model | None) -> list[str]:
    """The approved half-years a saved record belongs to now (what its form warns about); none for a new one."""
    if instance is None or instance.pk is None:
        return []
    return locked_periods_of(record_dates(instance))


def locked_dates_check(*, dates: Iterable[dt.date | None], reason: str) -> list[str]:
    """The locked periods holding ``dates`` (the days whose figures a write changes); raises a field error on
    ``restatement_reason`` when there are some and the reason is missing or too short. Call before saving."""
    periods = locked_periods_of(day for day in dates if day is not None)
    if periods and len((reason or "").strip()) < RESTATEMENT_REASON_MIN_LENGTH:
        raise ValidationError({REASON_FIELD: [locked_change_message(periods)]}, code="restatement_reason_required")
    return periods


def locked_change_check(*, before: Sequence[dt.date], after: models.Model, reason: str) -> list[str]:
    """:func:`locked_dates_check` for an edit: the record's dates before and after it."""
    return locked_dates_check(dates=[*before, *record_dates(after)], reason=reason)


def locked_change_record(*, user: access.Principal, record: models.Model, periods: Sequence[str], reason: str) -> None:
    """Keep the reason of a write that touched ``periods`` (from :func:`locked_change_check`), one row a period."""
    if not periods:
        return
    spec = _spec(type(record))
    changed_by = user if isinstance(user, get_user_model()) else None
    actor = str(getattr(user, "display_name", "") or "—")
    LockedPeriodChange.objects.bulk_create(
        LockedPeriodChange(
            period=period,
            record_model=_key(type(record)),
            record_id=record.pk,
            record_label=str(getattr(record, spec.label))[:255],
            department_id=getattr(record, spec.department, None),
            reason=reason.strip(),
            changed_by=changed_by,
            actor=actor[:255],
        )
        for period in periods
    )


# --- the account in restatements ---------------------------------------------------------------------------------


@dataclass
class Edit:
    actor: str
    at: dt.datetime


@dataclass
class ChangedRecord:
    """A record the reader may see that changed after the approval: who changed it and when, and the reasons."""

    kind: str
    label: str
    url: str
    edits: list[Edit] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class RestatementChanges:
    records: list[ChangedRecord] = field(default_factory=list)
    hidden: int = 0  # changed records the reader may not see: counted, never named


@dataclass
class _Touched:
    model: type[models.Model]
    pk: int
    departments: set[int | None]
    edits: list[tuple[dt.datetime, dict]]  # (when, audit context metadata)


def _touched(period: str, since: dt.datetime, until: dt.datetime) -> list[_Touched]:
    """Rows of registered models with an audit event in (since, until] that fall into ``period`` by any of their
    recorded states: two queries per model."""
    bounds = parse_period(period)
    found: list[_Touched] = []
    for spec in _records.values():
        audit: Any = spec.audit_model  # a pghistory event model: its manager is not on type[Model]
        in_period = models.Q()
        for name in spec.dates:
            in_period |= models.Q(**{f"{name}__range": (bounds.starts_on, bounds.ends_on)})
        placed = audit.objects.filter(in_period, pgh_created_at__lte=until)
        departments: dict[int, set[int | None]] = defaultdict(set)
        for pk, department in placed.order_by().values_list("pgh_obj_id", spec.department).distinct():
            departments[pk].add(department)
        if not departments:
            continue
        events = (
            audit.objects.filter(pgh_created_at__gt=since, pgh_created_at__lte=until, pgh_obj_id__in=list(departments))
            .select_related("pgh_context")
            .order_by("pgh_created_at", "pgh_id")
        )
        edits: dict[int, list[tuple[dt.datetime, dict]]] = defaultdict(list)
        for event in events:
            context = event.pgh_context.metadata if event.pgh_context_id else {}
            edits[event.pgh_obj_id].append((event.pgh_created_at, context or {}))
        found += [_Touched(spec.model_class, pk, departments[pk], rows) for pk, rows in edits.items()]
    return found


def _actor(context: dict, names: dict[int, str]) -> str:
    user = context.get("user")
    if isinstance(user, int) and user in names:
        return names[user]
    if context.get("api_client"):
        return f"API: {context['api_client']}"
    return str(context.get("actor") or context.get("os_user") or context.get("task") or "—")


def restatement_changes(
    *, user: access.Principal, restatements: Sequence[IndicatorRestatement]
) -> dict[int, RestatementChanges]:
    """For each restatement (by id): the records that changed after its period was approved and up to the
    restatement, in its scope. A fixed number of queries per period shown, whatever the number of records."""
    result: dict[int, RestatementChanges] = {}
    by_period: dict[str, list[IndicatorRestatement]] = defaultdict(list)
    for item in restatements:
        by_period[item.period].append(item)
    if not by_period:
        return result
    locks = {lock.period: lock for lock in LockedPeriod.objects.filter(period__in=list(by_period))}
    for period, items in by_period.items():
        lock = locks.get(period)
        if lock is None:
            result.update({item.pk: RestatementChanges() for item in items})
            continue
        touched = _touched(period, lock.approved_at, max(item.at for item in items))
        visible: dict[tuple[type, int], models.Model] = {}
        for model in {row.model for row in touched}:
            ids = [row.pk for row in touched if row.model is model]
            rows = access.visible(user, model._default_manager.filter(pk__in=ids)).in_bulk()
            visible.update(((model, pk), obj) for pk, obj in rows.items())
        user_ids: set[int] = {
            ctx["user"] for row in touched for _at, ctx in row.edits if isinstance(ctx.get("user"), int)
        }
        names = {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
        reasons: dict[tuple[str, int], list[tuple[dt.datetime, str]]] = defaultdict(list)
        shown_keys = [(_key(model), pk) for model, pk in visible]
        if shown_keys:
            declared = LockedPeriodChange.objects.filter(period=period, at__gt=lock.approved_at).filter(
                record_id__in=[pk for _m, pk in shown_keys]
            )
            for change in declared.order_by("at", "id"):
                reasons[(change.record_model, change.record_id)].append((change.at, change.reason))
        for item in items:
            summary = RestatementChanges()
            for row in touched:
                edits = [(at, ctx) for at, ctx in row.edits if at <= item.at]
                if not edits or (item.scope != AGENCY and item.department_id not in row.departments):
                    continue
                obj = visible.get((row.model, row.pk))
                if obj is None:
                    summary.hidden += 1
                    continue
                spec = _spec(row.model)
                summary.records.append(
                    ChangedRecord(
                        kind=str(row.model._meta.verbose_name),
                        label=str(getattr(obj, spec.label)),
                        url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
                        edits=[Edit(actor=_actor(ctx, names), at=at) for at, ctx in edits],
                        reasons=[text for at, text in reasons[(_key(row.model), row.pk)] if at <= item.at],
                    )
                )
            result[item.pk] = summary
    return result
