"""The Celery application. Configuration comes from Django settings (``CELERY_*``), the beat schedule included.

Imported by ``AnticorConfig.ready`` so that every Django process sends tasks through this app, and by the worker
(``celery -A anticor.celery worker``), where Celery's Django fix-up sets Django up.
"""

import os

from celery import Celery, signals

from anticor import requestid  # noqa: F401 - its signal receivers carry the request id into tasks
from anticor.entrypoint import guarded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")


def _configure() -> Celery:
    from django.conf import settings

    settings.CELERY_BROKER_URL  # noqa: B018 - evaluate settings now so a bad variable fails in one line
    celery_app = Celery("anticor")
    celery_app.config_from_object("django.conf:settings", namespace="CELERY")
    celery_app.autodiscover_tasks()
    return celery_app


app = guarded(_configure)


@signals.setup_logging.connect
def _log_like_the_web_processes(loglevel=None, **_kwargs):
    """Workers and beat log through ``settings.LOGGING`` (LOG_FORMAT, request id), not Celery's own handlers;
    ``--loglevel`` still sets the level."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@signals.task_prerun.connect
def _enter_audit_context(task_id=None, task=None, **_kwargs):
    from anticor.audit import task_context_enter

    task_context_enter(task_name=task.name if task else "", task_id=task_id or "")


@signals.task_postrun.connect
def _exit_audit_context(task_id=None, **_kwargs):
    from anticor.audit import task_context_exit

    task_context_exit(task_id=task_id or "")
