"""Per-client request limits (429 with Retry-After); signed-in browser users get a generous fixed rate.

The counters live in the Redis cache. With Redis unreachable the limiter fails open: the request is served and
the outage logged (the API stays up; the limits return with Redis).
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from anticor.access import ApiPrincipal
from anticor.cache import REDIS_ERRORS, redis_unavailable


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return "1200/min"  # browser sessions; API clients use their own limit below

    def allow_request(self, request, view):
        user = request.user
        if isinstance(user, ApiPrincipal):
            self.num_requests, self.duration = user.client.rate_limit_per_minute, 60
        try:
            return super().allow_request(request, view)
        except REDIS_ERRORS as exc:
            redis_unavailable("API rate limit not applied", exc)
            return True

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiPrincipal):
            # The token hash makes the key unique even where client ids repeat (separate databases, one Redis).
            return f"throttle_api_client_{user.client.pk}_{user.client.token_hash[:16]}"
        if getattr(user, "is_authenticated", False):
            return f"throttle_api_user_{user.pk}"
        return None
