"""Background tasks of the integrity app. Tasks only call a service; they are idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="integrity.tasks.discipline_expire_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def discipline_expire_task() -> int:
    """Daily: sanctions whose term has run out become expired. A rerun the same day changes nothing."""
    from integrity.services import discipline_expire_due

    return discipline_expire_due()
