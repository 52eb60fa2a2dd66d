"""The one place that reads configuration from the environment.

Every setting that varies between machines comes through :class:`Env`, so a wrong value fails at start with a
single line naming the variable (see ``anticor.entrypoint``) instead of a traceback deep inside Django.
"""

from __future__ import annotations

import builtins
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, overload
from urllib.parse import parse_qs, unquote, urlsplit

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A configuration variable is missing or malformed; the message names it."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


@dataclass(frozen=True)
class Env:
    environ: Mapping[str, str]

    @classmethod
    def from_os(cls) -> Env:
        return cls(os.environ)

    # The readers are named after the types they return, so inside the class body ``str`` and ``bool`` are these
    # methods: annotations name the built-in types through ``builtins``.
    @overload
    def str(self, name: builtins.str, default: builtins.str, *, required: builtins.bool = False) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: None = None, *, required: Literal[True]) -> builtins.str: ...
    @overload
    def str(
        self, name: builtins.str, default: None = None, *, required: builtins.bool = False
    ) -> builtins.str | None: ...
    def str(
        self, name: builtins.str, default: builtins.str | None = None, *, required: builtins.bool = False
    ) -> builtins.str | None:
        value = self.environ.get(name)
        if value is None or value == "":
            if required:
                raise ConfigError(name, "is required but not set")
            return default
        return value

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ConfigError(name, f"expected a boolean (1/0, true/false, yes/no), got {raw!r}")

    def int(self, name: builtins.str, default: int) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(name, f"expected an integer, got {raw!r}") from None

    def date(self, name: builtins.str, default: dt.date) -> dt.date:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ConfigError(name, f"expected a date as YYYY-MM-DD, got {raw!r}") from None

    def list(
        self, name: builtins.str, default: list[builtins.str] | None = None, *, required: builtins.bool = False
    ) -> list[builtins.str]:
        raw = self.str(name, required=required)
        if raw is None:
            return list(default or [])
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if required and not items:
            raise ConfigError(name, "is required but empty")
        return items


def parse_database_url(url: str, *, variable: str = "DATABASE_URL") -> dict:
    """Turn ``postgres://user:pass@host:port/name?opt=v`` into a Django ``DATABASES`` entry.

    Only PostgreSQL is accepted: the audit trail, full-text search and locks rely on it.
    A socket directory may be given as ``?host=/path`` (as libpq does).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(
            variable, f"must be a postgres:// URL (PostgreSQL is the only database), got {parts.scheme or url!r}"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError(variable, "names no database (expected postgres://user@host:port/dbname)")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(variable, "has an invalid port") from None
    host = query.pop("host", None) or parts.hostname or ""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "OPTIONS": query,
    }


def check_redis_url(url: str, *, variable: str = "REDIS_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(variable, f"must be a redis://, rediss:// or unix:// URL, got {url!r}")
    redis_db(url, variable=variable)
    return url


def celery_broker_url(redis_url: str, db: int | None = None) -> str:
    """The URL Celery (kombu) understands: a unix socket is ``redis+socket://path?virtual_host=N`` there,
    ``unix://path?db=N`` in redis-py. ``db`` selects another logical database (for results)."""
    if redis_url.startswith("unix://"):
        number = db if db is not None else redis_db(redis_url)
        return f"redis+socket://{urlsplit(redis_url).path}?virtual_host={number}"
    return redis_url if db is None else redis_url_with_db(redis_url, db)


def redis_db(redis_url: str, *, variable: str = "REDIS_URL") -> int:
    """The logical database a Redis URL names: ``redis://host/13`` → 13, ``unix://path?db=13`` → 13, none → 0."""
    parts = urlsplit(redis_url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    raw = query.get("db") if parts.scheme == "unix" else (parts.path.strip("/") or query.get("db"))
    try:
        return int(raw or 0)
    except ValueError:
        raise ConfigError(variable, f"names no valid database number ({raw!r})") from None


def redis_url_with_db(redis_url: str, db: int) -> str:
    """The same server (and options), another logical database."""
    parts = urlsplit(redis_url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "unix":
        query["db"] = str(db)
        return f"unix://{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    query.pop("db", None)
    tail = ("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else ""
    return f"{parts.scheme}://{parts.netloc}/{db}{tail}"
