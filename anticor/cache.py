"""The cache is best-effort: Redis down degrades what uses it (live progress, rate limits), it never fails a request.

Everything in Anticor that must survive lives in PostgreSQL (sessions, sign-in lockouts, runs and their final
progress); the Redis cache only holds figures that can be lost. Reads and writes go through these helpers, which
log the outage and carry on. Timeouts are bounded in ``settings.CACHES`` so that an unreachable Redis costs at most
about a second per call.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.core.cache import cache

logger = logging.getLogger(__name__)

REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.RedisError, OSError)


def redis_unavailable(what: str, exc: BaseException) -> None:
    """Log that Redis did not answer while doing ``what`` (one warning line, no traceback)."""
    logger.warning("Redis unavailable (%s), carrying on without it: %s: %s", what, exc.__class__.__name__, exc)


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except REDIS_ERRORS as exc:
        redis_unavailable(f"cache read {key}", exc)
        return default


def cache_set(key: str, value: Any, timeout: int | None) -> bool:
    """Store ``value``; False (and a log line) when Redis is unreachable."""
    try:
        cache.set(key, value, timeout)
    except REDIS_ERRORS as exc:
        redis_unavailable(f"cache write {key}", exc)
        return False
    return True
