"""Sign-in lockout: per user name and address (django-axes), and per address across all user names.

Axes counts failures per ``AXES_LOCKOUT_PARAMETERS`` combination but compares every count with one limit, so an
address limit through its parameters would lock an office's shared address after as few failures as one user
may make. This handler keeps axes' per-pair counting and limit and adds a separate, higher limit for the sum of
failures from one address over every user name (password spraying: many names, a few guesses each), within the
same cool-off window. Counts live in PostgreSQL (axes' database handler), never in Redis.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressLimitAxesHandler(AxesDatabaseHandler):
    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures — or the pair limit itself once the address has reached its own limit, which locks
        every user name from that address (axes compares this figure with ``AXES_FAILURE_LIMIT``)."""
        failures = super().get_failures(request, credentials)
        request.anticor_address_locked = self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if request.anticor_address_locked:
            return max(failures, get_failure_limit(request, credentials))
        return failures
