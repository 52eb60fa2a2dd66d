"""Fail-fast reachability checks run at start in production mode."""

from __future__ import annotations

import redis

from anticor.env import ConfigError


def require_redis(url: str, *, timeout: float = 3.0) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise ConfigError("REDIS_URL", f"cannot reach Redis ({exc.__class__.__name__}: {exc})") from None
