"""``manage.py recompute_indicators [--period P] [--scope S]`` — the nightly indicator job, now, with progress.

Exit codes: 0 when the run succeeded, 1 for bad input (malformed period, unknown scope; nothing is written) or a
failed run, 2 when another run holds the lock and this one was skipped.
"""

from __future__ import annotations

import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anticor.indicators.models import RunStatus, RunTrigger
from anticor.indicators.services import indicators_recompute

SKIPPED_EXIT_CODE = 2


class ProgressBar:
    """A one-line bar on a terminal (redrawn in place); one line per tenth elsewhere (logs stay readable)."""

    def __init__(self, stream, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.interactive = stream.isatty()
        self.started = time.monotonic()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(self.width * share)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {time.monotonic() - self.started:.1f}s"
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
            self.stream.flush()
        elif int(share * 10) != self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(line + "\n")


class Command(BaseCommand):
    help = "Recompute every indicator now (all periods and scopes, or the one given), showing progress."

    def add_arguments(self, parser):
        parser.add_argument("--period", default=None, help="2022, 2022-H1, 2022-Q3 or 2022-07 (default: all)")
        parser.add_argument("--scope", default=None, help="agency or a department code, e.g. 75 (default: all)")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args, **options):
        progress = None if options["no_progress"] or options["verbosity"] == 0 else ProgressBar(self.stderr._out)
        try:
            run = indicators_recompute(
                trigger=RunTrigger.COMMAND, period=options["period"], scope=options["scope"], progress=progress
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if run.status == RunStatus.SKIPPED:
            self.stderr.write(f"run {run.pk} skipped: another recompute is in progress")
            sys.exit(SKIPPED_EXIT_CODE)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"run {run.pk} {run.status} in {seconds:.1f}s: {len(run.periods)} periods, {run.rows_written} values "
            f"written, {run.restatements_written} restatements, {run.causes_regressed} root causes regressed, "
            f"{run.measurements_written} KPI measurements"
        )
