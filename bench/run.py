"""Request timings for a few pages, through Django's test client against a throw-away PostgreSQL database, the
refusal of hostile spreadsheets by the case import (bench/xlsx_refusal.py) in the same database, then the indicator
recompute benchmark (bench/indicators.py) over synthetic registries of growing size.

Run with ``make bench`` or ``.venv/bin/python bench/run.py [-n 50] [--cases N] [--indicator-sizes N1,N2]``;
see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# (label, URL, signed in as an analyst?)
PAGES = [
    ("login page", "/accounts/login/", False),
    ("home", "/", True),
    ("reference list: state bodies", "/reference/state-bodies/", True),
    ("reference list: departments", "/reference/departments/", True),
    ("case list (demo registry)", "/cases/", True),
    ("case list: full-text search", "/cases/?q=%D0%B2%D0%B7%D1%8F%D1%82%D0%BA%D0%B8", True),
    ("case list: overdue filter", "/cases/?overdue=true", True),
    ("case detail", "{case}", True),
    ("root cause list", "/cases/root-causes/", True),
    ("recommendation list", "/cases/recommendations/", True),
    ("case export CSV (all cases)", "/cases/export/csv/", True),
]


def measure(client, url: str, iterations: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: template and URL caches, connection
        client.get(url)
    reset_queries()  # each request resets the log; an older, longer log would hide this request's queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "status": response.status_code,
        "queries": len(queries),
        "mean_ms": round(statistics.fmean(timings), 2),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
    }


def run(iterations: int, cases: int) -> list[dict]:
    from django.core.management import call_command, get_commands
    from django.test import Client

    from anticor.models import User
    from anticor.roles.services import roles_seed

    call_command("load_reference", verbosity=0)
    from cases.demo import demo_cases
    from cases.models import Case

    demo_cases({})  # the demo registry: three years of cases, root causes, recommendations
    busiest = Case.objects.order_by("-id").first()
    if cases:
        if "generate_data" not in get_commands():
            print("bench: --cases needs manage.py generate_data, which does not exist yet; continuing without")
        else:
            # --force: next to the demo registry (it adds, never deletes)
            call_command("generate_data", cases=cases, seed=1, force=True, verbosity=0)
    analyst = User.objects.create_user("bench-analyst", password=None)
    roles_seed(user=analyst, roles=["analyst"], reason="Замер производительности (bench)")

    anonymous, signed_in = Client(raise_request_exception=False), Client(raise_request_exception=False)
    signed_in.force_login(analyst)
    results = []
    for label, url, needs_login in PAGES:
        url = url.format(case=f"/cases/{busiest.registration_number}/")
        result = {"page": label, "url": url, **measure(signed_in if needs_login else anonymous, url, iterations)}
        results.append(result)
        print(
            f"{label:32} {result['status']:>4} {result['mean_ms']:>9.2f} {result['median_ms']:>9.2f} "
            f"{result['p95_ms']:>9.2f} {result['queries']:>8}",
            flush=True,
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--iterations", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--cases", type=int, default=0, help="generate this many synthetic cases first")
    parser.add_argument(
        "--indicator-sizes",
        default="100000,300000,1000000",
        help="N for the indicator recompute benchmark (bench/indicators.py); empty to skip",
    )
    parser.add_argument(
        "--xlsx-iterations",
        type=int,
        default=5,
        help="imports per file for the hostile-spreadsheet benchmark (bench/xlsx_refusal.py); 0 to skip",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
    os.environ.setdefault("DEBUG", "1")
    from anticor.entrypoint import guarded

    def setup() -> None:
        import django

        django.setup()

    guarded(setup)
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = "anticor_bench"
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"{'page':32} {'code':>4} {'mean ms':>9} {'median':>9} {'p95':>9} {'queries':>8}")
        results = run(args.iterations, args.cases)
        refusals = []
        if args.xlsx_iterations > 0:
            print("\nhostile spreadsheets (bench/xlsx_refusal.py)", flush=True)
            from bench import xlsx_refusal

            refusals = xlsx_refusal.run(args.xlsx_iterations)
    finally:
        teardown_databases(databases, verbosity=0)
    out = BASE_DIR / "bench" / "results"
    out.mkdir(exist_ok=True)
    report = {"iterations": args.iterations, "cases": args.cases, "results": results, "xlsx_refusal": refusals}
    (out / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    pages_ok = all(r["status"] == 200 for r in results)
    if args.indicator_sizes.strip():
        print(f"\nindicator recompute benchmark (bench/indicators.py --sizes {args.indicator_sizes})", flush=True)
        from bench import indicators

        indicators.main(["--sizes", args.indicator_sizes])
    return 0 if pages_ok else 1


if __name__ == "__main__":
    sys.exit(main())
