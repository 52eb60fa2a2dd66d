"""A recompute run as its page shows it: the stored row and the live progress a running job publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anticor import access
from anticor.indicators.models import IndicatorRun
from anticor.indicators.selectors import indicator_run_progress


def run_for(*, user: access.Principal, pk: int) -> Any:
    """A run, for readers of indicators; None when there is no such run."""
    if not access.can_read_area(user, access.Area.INDICATORS):
        raise access.AccessDenied()
    return IndicatorRun.objects.select_related("requested_by").filter(pk=pk).first()


@dataclass
class RunView:
    """A run as its page shows it: the stored row plus the live progress a running job publishes."""

    run: Any
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.run.is_finished and self.run.status == "succeeded":
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.run.is_finished


def run_progress(run: Any) -> RunView:
    """The run with its progress: live from the cache while it runs, else the figures it finished with."""
    done, total = indicator_run_progress(run=run)
    return RunView(run=run, done=done, total=total)
