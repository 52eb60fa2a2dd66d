"""Indicator recompute benchmark: synthetic registries of growing size, the full recompute timed, peak memory.

    .venv/bin/python bench/indicators.py                         # N = 100,000, 300,000 and 1,000,000
    .venv/bin/python bench/indicators.py --sizes 1000000 --runs 3
    .venv/bin/python bench/indicators.py --fresh                 # regenerate the data even if present

Each N has its own database on the configured PostgreSQL (``anticor_bench_ind_<N>``, kept between runs): it is
created, migrated and filled by ``generate_data`` (seed ``--seed``) unless it already holds that dataset. The
recompute runs ``anticor.indicators.services.indicators_recompute(trigger="command")`` ``--runs`` times in a child
process of its own per N, so that the peak RSS of the Python process (VmHWM, which equals ``getrusage`` max RSS
when the parent is small; see ``_peak_rss_mb``) belongs to that N alone. PostgreSQL's own memory (its backends,
shared buffers) is not in that figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_SIZES = "100000,300000,1000000"


def _status_mb(field: str) -> float:
    """A memory figure of this process from Linux /proc/self/status (VmRSS: now, VmHWM: peak), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_rss_mb() -> float:
    """Peak RSS of this process. ``getrusage`` max RSS would do, except that Linux carries the parent's peak across
    fork and exec into it (run from bench/run.py, the parent's 180 MB showed up); VmHWM is this process's own."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(database: str) -> None:
    """Django against ``database`` on the configured server, created and migrated if missing."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    from anticor.entrypoint import guarded

    guarded(django.setup)
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    params = settings.DATABASES["default"]
    dsn = {
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in dsn.items() if v}) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database}"')
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = database
    connections["default"].settings_dict["NAME"] = database
    if not exists:
        print(f"bench: created database {database}; migrating", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


def child_generate(database: str, cases: int, seed: int, fresh: bool) -> dict:
    _setup(database)
    from anticor.synthetic import synthetic_generate

    started = time.perf_counter()
    result = synthetic_generate(
        cases=cases, seed=seed, replace=fresh, progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True)
    )
    return {
        "generated": not result.skipped,
        "generate_s": round(time.perf_counter() - started, 1) if not result.skipped else None,
        "counts": result.counts,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def child_recompute(database: str, runs: int) -> dict:
    _setup(database)
    from django.db import connection

    from anticor.indicators import engine
    from anticor.indicators.models import IndicatorValue
    from anticor.indicators.services import indicators_recompute
    from cases.models import Case

    cases = Case.objects.count()
    # Per indicator: time each definition's statement (the engine calls engine.compute for each one).
    timings: dict[str, float] = {}
    original = engine.compute

    def timed_compute(cursor, definition, *, scope):
        started = time.perf_counter()
        original(cursor, definition, scope=scope)
        timings[definition.code] = timings.get(definition.code, 0.0) + time.perf_counter() - started

    engine.compute = timed_compute
    # Every other statement over 0.5 s (the storing, the regression marking, KPI bindings...).
    slow: list[tuple[float, str]] = []

    def watch(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            if elapsed > 0.5 and "INSERT INTO indicator_result" not in sql:
                slow.append((round(elapsed, 2), " ".join(sql.split())[:110]))

    baseline = _rss_mb()
    results = []
    with connection.execute_wrapper(watch):
        for number in range(1, runs + 1):
            had_values = IndicatorValue.objects.exists()
            timings.clear()
            slow.clear()
            started = time.perf_counter()
            run = indicators_recompute(trigger="command")
            elapsed = time.perf_counter() - started
            results.append(
                {
                    "run": number,
                    "values_present_before": had_values,
                    "status": str(run.status),
                    "rows_written": run.rows_written,
                    "seconds": round(elapsed, 2),
                    "cases_per_s": round(cases / elapsed) if elapsed else None,
                    "per_indicator_s": {k: round(v, 2) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])},
                    "slow_statements": sorted(slow, reverse=True)[:8],
                    "rss_after_mb": round(_rss_mb(), 1),
                }
            )
            print(
                f"  run {number}: {elapsed:.1f} s, {run.status}, {run.rows_written} rows written",
                file=sys.stderr,
                flush=True,
            )
    return {
        "cases": cases,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "getrusage_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": results,
    }


def _child(args: list[str]) -> dict:
    completed = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, check=True, text=True, cwd=BASE_DIR
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(sizes: list[int], *, seed: int, runs: int, fresh: bool, prefix: str) -> list[dict]:
    report = []
    for size in sizes:
        database = f"{prefix}_{size}"
        print(f"bench: N = {size:,} ({database})", flush=True)
        generated = _child(
            ["--child", "generate", "--database", database, "--cases", str(size), "--seed", str(seed)]
            + (["--fresh"] if fresh else [])
        )
        recomputed = _child(["--child", "recompute", "--database", database, "--runs", str(runs)])
        entry = {"n": size, "seed": seed, **generated, **{f"recompute_{k}": v for k, v in recomputed.items()}}
        report.append(entry)
        best = min(r["seconds"] for r in recomputed["runs"])
        gen = f"{generated['generate_s']} s" if generated["generated"] else "reused"
        print(
            f"  generate: {gen}; recompute: "
            + ", ".join(f"{r['seconds']} s" for r in recomputed["runs"])
            + f" (best {size / best:,.0f} cases/s); peak RSS {recomputed['peak_rss_mb']} MB"
            f" (baseline {recomputed['baseline_rss_mb']} MB)",
            flush=True,
        )
    print()
    print(f"{'N':>10} {'generate s':>11} {'recompute s (runs)':>24} {'cases/s':>10} {'peak RSS MB':>12}")
    for entry in report:
        seconds = [r["seconds"] for r in entry["recompute_runs"]]
        print(
            f"{entry['n']:>10,} {entry['generate_s'] if entry['generated'] else 'reused':>11} "
            f"{' / '.join(str(s) for s in seconds):>24} {entry['n'] / min(seconds):>10,.0f} "
            f"{entry['recompute_peak_rss_mb']:>12}"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated N (default {DEFAULT_SIZES})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2, help="recomputes per N (default 2: first, then a rerun)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data even when it is present")
    parser.add_argument("--prefix", default="anticor_bench_ind", help="database name prefix")
    parser.add_argument("--child", choices=["generate", "recompute"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "generate":
        print(json.dumps(child_generate(args.database, args.cases, args.seed, args.fresh)))
        return 0
    if args.child == "recompute":
        print(json.dumps(child_recompute(args.database, args.runs)))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    report = run(sizes, seed=args.seed, runs=args.runs, fresh=args.fresh, prefix=args.prefix)
    out = BASE_DIR / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "indicators.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
