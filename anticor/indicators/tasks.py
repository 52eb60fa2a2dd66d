"""The indicator engine's task. It keeps the name it had under ``anticor.tasks`` so that the beat schedule and
queued messages do not change; the service sends it by that name (no import of this module, no cycle)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from anticor.indicators.models import RunTrigger
from anticor.indicators.services import INDICATORS_RECOMPUTE_TASK, indicator_run_execute, indicators_recompute


@shared_task(
    name=INDICATORS_RECOMPUTE_TASK,
    autoretry_for=(OperationalError,),  # a dropped connection, a failover, a serialization failure: try again
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def indicators_recompute_task(run_id: int | None = None) -> int:
    """The nightly recompute (beat, no run yet) or a queued "recompute now" run. Returns the run's id.

    Idempotent and retry-safe: a rerun on unchanged data writes nothing, a finished run is not executed again, and
    a second run during the first is recorded as skipped.
    """
    if run_id is None:
        return indicators_recompute(trigger=RunTrigger.SCHEDULE).pk
    return indicator_run_execute(run_id=run_id).pk
