"""Audit trail: row-level history captured by PostgreSQL triggers (django-pghistory), plus its context.

Every change made while a context is active is linked to one ``pghistory.Context`` row whose metadata says who
acted (``user``), through what (``source``: web, api, command or task), from which address (``ip``) and where
(``url`` / ``command`` / ``task``). Triggers catch ORM saves, bulk updates and raw SQL alike.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from collections.abc import Iterator, Sequence
from typing import Any

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WEB = "web", _("веб-интерфейс")
    API = "api", _("API")
    COMMAND = "command", _("команда")
    TASK = "task", _("фоновая задача")


def audited(*, exclude: Sequence[str] = ()):
    """Class decorator: track inserts, updates and deletes of a model in an append-only ``<Model>Audit`` table.

    The event model is named ``…Audit`` (not pghistory's default ``…Event``) so it never collides with domain
    models such as ``CaseEvent``.
    """

    def decorate(model_class):
        return pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            exclude=list(exclude) or None,
            append_only=True,
            model_name=f"{model_class.__name__}Audit",
            obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
        )(model_class)

    return decorate


# Commands that serve requests or run workers set their own context per request/task.
_LONG_RUNNING_COMMANDS = {"runserver", "shell", "dbshell", "test"}


def _os_user() -> str:
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return str(os.getuid())


@contextlib.contextmanager
def command_context(argv: Sequence[str]) -> Iterator[None]:
    """Attribute changes made by a management command to the command and the OS user who ran it."""
    name = argv[1] if len(argv) > 1 else ""
    if name in _LONG_RUNNING_COMMANDS or name.startswith("-"):
        yield
        return
    actor = os.environ.get("ANTICOR_ACTOR") or None
    with pghistory.context(source=Source.COMMAND.value, command=name, os_user=_os_user(), actor=actor):
        yield


_task_contexts: dict[str, Any] = {}


def task_context_enter(*, task_name: str, task_id: str) -> None:
    ctx = pghistory.context(source=Source.TASK.value, task=task_name, task_id=task_id)
    ctx.__enter__()
    _task_contexts[task_id] = ctx


def task_context_exit(*, task_id: str) -> None:
    ctx = _task_contexts.pop(task_id, None)
    if ctx is not None:
        ctx.__exit__(None, None, None)


def client_ip(request: Any) -> str | None:
    """The client address; behind a trusted proxy (PROXY_COUNT) the right-most forwarded one."""
    from django.conf import settings

    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
