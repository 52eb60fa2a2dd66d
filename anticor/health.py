"""``/health/`` for load balancers and monitoring: is this installation able to serve?

Four checks, each answered ``ok`` or ``failed``: ``database`` (a query), ``redis`` (a ping of every Redis server the
cache and the broker use), ``celery`` (a task round trip through this installation's own queue to a worker and back)
and ``migrations`` (none unapplied). 200 when all pass, 503 naming the failed ones otherwise. The body says nothing
else — no exception texts, addresses or versions; why a check failed is logged (``anticor.health``) for operators.

The worker check is a round trip rather than ``celery.control.ping``: a ping is broadcast to every worker on the
Redis database, including other installations' workers on other queues, so it can answer "ok" while no worker
consumes this installation's queue. The probe task expires with the timeout, so a worker that comes back later
discards probes it finds waiting instead of running them.

The view needs no login, is exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) and never touches the
session, so probes create no sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A load balancer gives up after a few seconds; each check gives up well before.
REDIS_TIMEOUT = 1.0
CELERY_TIMEOUT = 2.5


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer to SELECT 1")


def _redis_servers() -> list[str]:
    """The Redis URLs of the cache and of the broker (REDIS_URL), one per server."""
    urls = [settings.CACHES["default"]["LOCATION"], settings.REDIS_URL]
    servers: dict[tuple[str, str], str] = {}
    for url in urls:
        parts = urlsplit(url)
        servers.setdefault((parts.scheme, parts.netloc or parts.path), url)
    return list(servers.values())


def check_redis() -> None:
    for url in _redis_servers():
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        try:
            if not client.ping():
                raise RuntimeError("Redis did not answer PING")
        finally:
            client.close()


def check_celery() -> None:
    from anticor.tasks import ping_task

    result = ping_task.apply_async(
        args=["health"], queue=settings.CELERY_TASK_DEFAULT_QUEUE, expires=CELERY_TIMEOUT, retry=False
    )
    try:
        answer = result.get(timeout=CELERY_TIMEOUT, propagate=True)
    finally:
        result.forget()
    if not str(answer).startswith("health:"):
        raise RuntimeError("unexpected answer from the worker")


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "celery": check_celery,
    "migrations": check_migrations,
}


def run_checks() -> dict[str, bool]:
    """Every check, in order; a failure of one does not stop the others."""
    results: dict[str, bool] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure is a failed check; one line each, a probe comes every few seconds
            logger.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = False
        else:
            results[name] = True
    return results


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    failed = [name for name, ok in results.items() if not ok]
    body = {
        "status": "failed" if failed else "ok",
        "checks": {name: "ok" if ok else "failed" for name, ok in results.items()},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)
