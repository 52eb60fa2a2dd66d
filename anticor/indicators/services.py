"""Writes of the indicator engine: the recompute (now, or through Celery), period locks, the catalogue mirror.

Concurrency: a recompute takes a PostgreSQL advisory lock for its transaction (``pg_try_advisory_xact_lock``). A
second run that starts while one holds it does not wait: it is recorded as ``skipped`` and changes nothing — the
run in progress computes from the same data, and a waiting run would only hold a connection and a worker for
minutes to write the same figures again. A run started after the first one commits proceeds normally.

Atomicity: everything a run writes (values, restatements, regressed causes, KPI measurements) is one transaction;
readers see the old figures until it commits. A failure rolls it all back and the run is recorded as ``failed``
with the error (the run row itself lives outside that transaction, so it survives to tell the story).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import AccessDenied, Area, Capability
from anticor.cache import cache_set
from anticor.indicators import engine
from anticor.indicators.models import (
    AGENCY,
    Indicator,
    IndicatorRun,
    IndicatorValue,
    LockedPeriod,
    RunStatus,
    RunTrigger,
)
from anticor.indicators.periods import Period, PeriodKind, parse_period
from anticor.indicators.registry import registry

# The registered name of the recompute task (anticor.indicators.tasks), kept from before it moved there.
INDICATORS_RECOMPUTE_TASK = "anticor.tasks.indicators_recompute_task"

logger = logging.getLogger(__name__)

# pg_advisory locks take a bigint; this one is "anticor indicators recompute", the same in every process.
RECOMPUTE_LOCK_KEY = 0x616E_7469_636F_7201
PROGRESS_TIMEOUT = 6 * 3600


class RunSkipped(Exception):
    """Another recompute holds the lock (raised inside the run's transaction so that it rolls back)."""


def _reason(trigger: str) -> str:
    reasons: dict[str, str] = {
        RunTrigger.SCHEDULE: _("Плановый ночной пересчёт показателей"),
        RunTrigger.MANUAL: _("Пересчёт показателей по запросу пользователя"),
        RunTrigger.COMMAND: _("Пересчёт показателей командой recompute_indicators"),
    }
    return reasons[trigger]


def indicator_scope_validate(scope: str | None) -> str | None:
    """``agency`` or the code of an existing department; anything else is refused with a clear message."""
    if scope is None:
        return None
    from anticor.models import Department

    scope = scope.strip()
    if scope == AGENCY or Department.objects.filter(code=scope).exists():
        return scope
    raise ValidationError(
        _("Неизвестный охват «%(scope)s»: укажите agency или код департамента (например, 75)."),
        code="invalid_scope",
        params={"scope": scope[:40]},
    )


def _validated(*, trigger: str, period: str | None, scope: str | None) -> tuple[Period | None, str | None]:
    if trigger not in RunTrigger.values:
        raise ValidationError(_("Неизвестный способ запуска расчёта."), code="invalid_trigger")
    return (parse_period(period) if period is not None else None), indicator_scope_validate(scope)


def _require_recompute(user: access.Principal) -> None:
    if not access.can_write_area(user, Area.INDICATORS):
        raise AccessDenied(_("Пересчёт показателей запускают аналитики."))


def _run_create(*, trigger: str, period: Period | None, scope: str | None, user: access.Principal) -> IndicatorRun:
    return IndicatorRun.objects.create(
        trigger=trigger,
        reason=_reason(trigger),
        requested_by=access.signed_in_user(user),
        periods=[period.code] if period else [],
        scope=scope or "",
        status=RunStatus.QUEUED,
    )


def progress_key(run_id: int) -> str:
    return f"indicators:run:{run_id}:progress"


def indicators_recompute(
    *,
    trigger: str,
    period: str | None = None,
    scope: str | None = None,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> IndicatorRun:
    """Recompute every indicator now (all periods from the earliest data to today, or ``period``; every scope, or
    ``scope``) and return the finished run: ``succeeded``, ``skipped`` (another run holds the lock) or, when the
    error is raised to the caller, ``failed``.

    A malformed period or unknown scope raises ``ValidationError`` before anything is written. With a ``user``
    (a manual run) the user must be allowed to write indicators.
    """
    period_obj, scope = _validated(trigger=trigger, period=period, scope=scope)
    if user is not None:
        _require_recompute(user)
    run = _run_create(trigger=trigger, period=period_obj, scope=scope, user=user)
    return indicator_run_execute(run_id=run.pk, progress=progress)


def indicator_run_execute(*, run_id: int, progress: Callable[[int, int], None] | None = None) -> IndicatorRun:
    """Execute a created run (the Celery task's entry point). A finished run is returned as it is (retry-safe)."""
    run = IndicatorRun.objects.get(pk=run_id)
    if run.status in {RunStatus.SUCCEEDED, RunStatus.SKIPPED}:
        return run
    period = parse_period(run.periods[0]) if run.periods else None
    scope = run.scope or None
    started = timezone.now()
    IndicatorRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, started_at=started, error="")

    reached = [0, 0]  # the last (done, total), kept here: the cache copy (for run pages) is best-effort

    def report(done: int, total: int) -> None:
        reached[:] = done, total
        cache_set(progress_key(run_id), (done, total), PROGRESS_TIMEOUT)
        if progress is not None:
            progress(done, total)

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    raise RunSkipped
            indicator_catalogue_sync()
            outcome = engine.recompute(
                registry=registry,
                run_id=run_id,
                period=period,
                scope=scope,
                today=timezone.localdate(),
                progress=report,
            )
    except RunSkipped:
        IndicatorRun.objects.filter(pk=run_id).update(status=RunStatus.SKIPPED, finished_at=timezone.now())
        logger.info("indicator run %s skipped: another run holds the lock", run_id)
    except Exception as exc:
        IndicatorRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error="".join(traceback.format_exception_only(exc)).strip()[:4000],
        )
        raise
    else:
        done, total = reached
        IndicatorRun.objects.filter(pk=run_id).update(
            status=RunStatus.SUCCEEDED,
            finished_at=timezone.now(),
            periods=list(outcome.periods) if period is None else [period.code],
            progress_done=done,
            progress_total=total,
            rows_written=outcome.rows_written,
            restatements_written=outcome.restatements_written,
            causes_regressed=outcome.causes_regressed,
            measurements_written=outcome.measurements_written,
        )
    return IndicatorRun.objects.get(pk=run_id)


def indicators_recompute_async(*, user, period: str | None = None, scope: str | None = None) -> IndicatorRun:
    """ "Recompute now": record a queued run and hand it to a Celery worker once this transaction commits.

    The caller shows the run's progress (``anticor.indicators.selectors.indicator_run_progress``). When the task
    cannot be sent (Redis down) the run is marked ``failed`` at once with a message saying so — it never stays
    ``queued`` — and the returned run says it (the broker timeouts in settings keep that within seconds).
    """
    _require_recompute(user)
    period_obj, scope = _validated(trigger=RunTrigger.MANUAL, period=period, scope=scope)
    with transaction.atomic():
        run = _run_create(trigger=RunTrigger.MANUAL, period=period_obj, scope=scope, user=user)
        transaction.on_commit(lambda: _run_send(run_id=run.pk))
    run.refresh_from_db()
    return run


def _run_send(*, run_id: int) -> None:
    try:
        current_app.tasks[INDICATORS_RECOMPUTE_TASK].delay(run_id=run_id)
    except Exception:  # whatever stops the task from being queued (broker down, result store down), say so now
        logger.exception("indicator run %s could not be queued", run_id)
        IndicatorRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=_("Пересчёт не поставлен в очередь: сервер очереди задач (Redis) недоступен. Повторите позже."),
        )


# --- locked periods -------------------------------------------------------------------------------------------------


def indicator_period_lock(*, user, period: str, note: str = "") -> LockedPeriod:
    """Approve the collegium report of a finished half-year: its stored values are locked from now on.

    Only the half-year itself is locked — the report is made of half-year figures; quarters and months inside it
    stay operational figures that follow corrections of the data. Later recomputes keep the locked values and
    record differing figures as restatements. A second approval is refused, and so is an approval while a
    recompute is running.
    """
    if not access.has_capability(user, Capability.APPROVE_COLLEGIUM_REPORTS):
        raise AccessDenied(_("Отчёт коллегии утверждают аналитики центрального аппарата."))
    parsed = parse_period(period)
    if parsed.kind != PeriodKind.HALF:
        raise ValidationError(
            {"period": [_("Утверждается отчёт за полугодие: укажите период вида 2022-H1 или 2022-H2.")]}
        )
    if parsed.ends_on >= timezone.localdate():
        raise ValidationError({"period": [_("Полугодие %(period)s ещё не закончилось.") % {"period": parsed.code}]})
    with transaction.atomic():
        # The recompute holds this lock for its whole transaction: an approval between its reading of the locks
        # and its writing of the values would let an approved figure change silently. Refuse rather than wait.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise ValidationError(
                    {"period": [_("Идёт пересчёт показателей: утвердите отчёт после его завершения.")]},
                    code="recompute_running",
                )
        existing = LockedPeriod.objects.select_related("approved_by").filter(period=parsed.code).first()
        if existing is not None:
            raise _already_locked(existing)
        if not IndicatorValue.objects.filter(period=parsed.code).exists():
            raise ValidationError(
                {
                    "period": [
                        _("Показатели за %(period)s ещё не рассчитаны: сначала выполните пересчёт.")
                        % {"period": parsed.code}
                    ]
                }
            )
        locked = LockedPeriod(period=parsed.code, approved_by=user, note=note.strip())
        locked.full_clean(exclude=["period"])
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:  # approved by someone else a moment ago
            raise _already_locked(LockedPeriod.objects.select_related("approved_by").get(period=parsed.code)) from None
    return locked


def _already_locked(existing: LockedPeriod) -> ValidationError:
    return ValidationError(
        {
            "period": [
                _("Отчёт за %(period)s уже утверждён %(date)s (%(who)s); показатели периода закреплены.")
                % {
                    "period": existing.period,
                    "date": timezone.localtime(existing.approved_at).strftime("%d.%m.%Y"),
                    "who": existing.approved_by.display_name,
                }
            ]
        },
        code="already_locked",
    )


# --- the catalogue ------------------------------------------------------------------------------------------------


def indicator_catalogue_sync(*, using: str = "default") -> int:
    """Mirror the code registry into the ``Indicator`` table; retired codes stay, marked inactive.

    Writes only what differs, so a nightly run on an unchanged registry touches no catalogue row. Returns how many
    rows it wrote.
    """
    wanted = {
        d.code: {
            "app_label": d.app_label,
            "group": d.group,
            "unit": d.unit,
            "better": d.better,
            "legacy": d.legacy,
            "version": d.version,
            "threshold": d.threshold,
            "order": d.order,
            "is_active": True,
        }
        for d in registry.all()
    }
    written = 0
    with transaction.atomic(using=using):
        rows = Indicator.objects.using(using).select_for_update()
        existing = {row.code: row for row in rows}
        for code, values in wanted.items():
            row = existing.get(code)
            if row is None:
                Indicator.objects.using(using).create(code=code, **values)
                written += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                Indicator.objects.using(using).filter(pk=row.pk).update(**values)
                written += 1
        retired = [row.pk for code, row in existing.items() if code not in wanted and row.is_active]
        written += Indicator.objects.using(using).filter(pk__in=retired).update(is_active=False)
    return written
