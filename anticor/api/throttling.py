"""Per-client request limits (429 with Retry-After); signed-in browser users get a generous fixed rate."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from anticor.access import ApiPrincipal


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return "1200/min"  # browser sessions; API clients use their own limit below

    def allow_request(self, request, view):
        user = request.user
        if isinstance(user, ApiPrincipal):
            self.num_requests, self.duration = user.client.rate_limit_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiPrincipal):
            # The token hash makes the key unique even where client ids repeat (separate databases, one Redis).
            return f"throttle_api_client_{user.client.pk}_{user.client.token_hash[:16]}"
        if getattr(user, "is_authenticated", False):
            return f"throttle_api_user_{user.pk}"
        return None
