"""``manage.py generate_data --cases N [--seed S]``: bulk synthetic data for benchmarks (DESIGN.md §5.1).

See :mod:`anticor.synthetic` for what is generated and how the audit triggers are kept out of the load.
A developer tool: its messages are in English, like ``create_api_client``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anticor.synthetic import SyntheticDataError, synthetic_generate


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end: expected YYYY-MM-DD, got {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Fill the database with N synthetic cases (subjects, articles, root causes, recommendations) over five "
        "years and 20 departments, plus staff, discipline records, convictions and integrity checks in proportion. "
        "Generated in PostgreSQL, deterministic for a seed; audit triggers are off for the load transaction only. "
        "Refuses a database holding other data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000, help="number of cases (default 1,000,000)")
        parser.add_argument("--seed", type=int, default=1, help="pseudo-random seed (default 1)")
        parser.add_argument(
            "--end", type=_date, default=None, help="last day of the five-year window, YYYY-MM-DD (default today)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add synthetic data to a database that already holds other cases or staff (never deletes them)",
        )
        parser.add_argument(
            "--replace", action="store_true", help="regenerate even if the same N and seed are already present"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["cases"] <= 100_000_000:
            raise CommandError("--cases must be between 1 and 100,000,000")
        if not 0 <= options["seed"] < 2**62:
            raise CommandError("--seed must be a non-negative integer below 2**62")
        verbose = options["verbosity"] >= 1
        try:
            result = synthetic_generate(
                cases=options["cases"],
                seed=options["seed"],
                end=options["end"],
                force=options["force"],
                replace=options["replace"],
                progress=(lambda line: self.stdout.write(line)) if verbose else (lambda _line: None),
            )
        except SyntheticDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbose and not result.skipped:
            for table, count in result.counts.items():
                self.stdout.write(f"{table:32} {count:>12,}")
