"""Start-up wrapper shared by manage.py, WSGI and Celery: a configuration error is one line, not a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from anticor.env import ConfigError

T = TypeVar("T")


def report_config_error(error: ConfigError) -> None:
    print(f"anticor: configuration error: {error.variable} {error.problem}", file=sys.stderr)


def guarded(start: Callable[[], T]) -> T:
    try:
        return start()
    except ConfigError as error:
        report_config_error(error)
        raise SystemExit(2) from None
