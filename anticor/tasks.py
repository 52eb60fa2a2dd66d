"""Background tasks of the shared platform. Tasks only call a service; they are idempotent."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command
from django.db import OperationalError


@shared_task(name="anticor.tasks.clear_expired_sessions_task")
def clear_expired_sessions_task() -> None:
    call_command("clearsessions")


@shared_task(name="anticor.tasks.ping_task")
def ping_task(value: str) -> str:
    """A round trip through the broker and a worker; used by health checks and tests."""
    from anticor.models import Region

    return f"{value}:{Region.objects.count()}"


@shared_task(
    name="anticor.tasks.indicators_recompute_task",
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
    from anticor.indicators.models import RunTrigger
    from anticor.indicators.services import indicator_run_execute, indicators_recompute

    if run_id is None:
        return indicators_recompute(trigger=RunTrigger.SCHEDULE).pk
    return indicator_run_execute(run_id=run_id).pk
