"""Background tasks of the shared platform. Tasks only call a service; they are idempotent.

The indicator engine's task lives beside the engine, in :mod:`anticor.indicators.tasks`."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="anticor.tasks.clear_expired_sessions_task")
def clear_expired_sessions_task() -> None:
    call_command("clearsessions")


@shared_task(name="anticor.tasks.ping_task")
def ping_task(value: str) -> str:
    """A round trip through the broker and a worker; used by health checks and tests."""
    from anticor.models import Region

    return f"{value}:{Region.objects.count()}"
