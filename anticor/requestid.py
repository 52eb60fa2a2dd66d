"""One id per request, in every log line the request causes — in the web process and in the tasks it queues.

:class:`RequestIdMiddleware` (outermost) takes a sane ``X-Request-ID`` from the proxy or makes a uuid4, keeps it in
a context variable for the rest of the request and returns it in the response header. :class:`RequestIdFilter`
(on the log handlers, ``settings.LOGGING``) writes it into every record as ``request_id`` (``-`` outside a request).
A task published while an id is set carries it in a message header; the worker sets it for the task's run.

The id is cleared when the response is finished (``request_finished``), not when the middleware returns, so the
"Bad Request"/"Forbidden" lines Django logs after the middleware chain carry it too.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery import signals as celery_signals
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# What a proxy or a client may hand us: a uuid, a ULID, a trace id; never spaces, quotes or line breaks (log lines).
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_current: ContextVar[str | None] = ContextVar("anticor_request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


def accepted_request_id(value: str | None) -> str | None:
    """The incoming id if it is safe to log and to echo, else ``None``."""
    if value and _ACCEPTED.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = accepted_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_finished(**_kwargs: Any) -> None:
    _current.set(None)


request_finished.connect(_request_finished, dispatch_uid="anticor.requestid.finished")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (an id given explicitly with ``extra=`` is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True


# --- Celery: the id travels in a message header -------------------------------------------------------------------


@celery_signals.before_task_publish.connect(dispatch_uid="anticor.requestid.publish")
def _add_request_id_header(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _task_request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return accepted_request_id(value) if isinstance(value, str) else None


@celery_signals.task_prerun.connect(dispatch_uid="anticor.requestid.prerun")
def _enter_task(task: Any = None, **_kwargs: Any) -> None:
    _current.set(_task_request_id(task))


@celery_signals.task_postrun.connect(dispatch_uid="anticor.requestid.postrun")
def _exit_task(**_kwargs: Any) -> None:
    _current.set(None)
