"""How cheaply the case import refuses hostile spreadsheets, next to a floor measured in the same run.

    .venv/bin/python bench/xlsx_refusal.py [-n 5] [--blank-rows 6600000]

The files are built here, never committed (tests/hostile.py): a workbook with a header, one valid row and
6.6 million blank ``<row/>`` elements (≈ 60 KB, the shape of the 198 KB upload that held a web worker for 30 s),
and an honest zip bomb (a valid workbook carrying a member that inflates past ``MAX_UNPACKED_SIZE``). The floor
is the dry-run import of the same valid row alone. Each is timed ``-n`` times through ``cases.imports.case_import``
(median and maximum, ms) with the Python heap's peak during one more run (tracemalloc). A throw-away database
(``anticor_bench_xlsx``) is created and dropped; bench/run.py runs this after the pages in its own database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BLANK_ROWS = 6_600_000


def _import(user, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.imports import case_import

    return case_import(user=user, uploaded_file=SimpleUploadedFile(name, data), dry_run=True)


def _measure(user, name: str, data: bytes, iterations: int) -> dict:
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        result = _import(user, name, data)
        timings.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    _import(user, name, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    message = result.errors[0].message if result.errors else f"ok, {result.rows} row(s)"
    return {
        "file_kb": round(len(data) / 1024, 1),
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
        "heap_peak_mb": round(peak / 1024 / 1024, 1),
        "result": message,
    }


def run(iterations: int = 5, blank_rows: int = BLANK_ROWS) -> list[dict]:
    """Needs a migrated database with the reference data (bench/run.py's, or main()'s own)."""
    from django.core.management import call_command

    from anticor.models import Department, User
    from anticor.roles.services import roles_seed
    from cases.imports import IMPORT_COLUMNS, MAX_UNPACKED_SIZE
    from tests.hostile import blank_rows_xlsx, workbook_bytes, zip_bomb_xlsx

    if not Department.objects.filter(code="75").exists():
        call_command("load_reference", verbosity=0)
    user, _created = User.objects.get_or_create(
        username="bench-importer", defaults={"department": Department.objects.get(code="75")}
    )
    roles_seed(user=user, roles=["investigator"], reason="Замер отказа в импорте (bench)")
    header = [column.field for column in IMPORT_COLUMNS]
    valid = [str(column.example) for column in IMPORT_COLUMNS]
    files = [
        ("floor: valid 1-row file", workbook_bytes([header, valid])),
        (f"{blank_rows:,} blank rows", blank_rows_xlsx([header, valid], blank_rows)),
        ("zip bomb (honest sizes)", zip_bomb_xlsx([header, valid], MAX_UNPACKED_SIZE + 1)),
    ]
    print(f"{'xlsx import':28} {'KB':>7} {'median ms':>10} {'max ms':>8} {'heap MB':>8}  result", flush=True)
    results = []
    for label, data in files:
        result = {"file": label, **_measure(user, "cases.xlsx", data, iterations)}
        results.append(result)
        print(
            f"{label:28} {result['file_kb']:>7} {result['median_ms']:>10} {result['max_ms']:>8} "
            f"{result['heap_peak_mb']:>8}  {result['result']}",
            flush=True,
        )
    floor = results[0]["median_ms"]
    for result in results[1:]:
        print(f"{result['file']}: {result['median_ms'] / floor:.1f}× the floor", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--iterations", type=int, default=5, help="imports per file (default 5)")
    parser.add_argument("--blank-rows", type=int, default=BLANK_ROWS, help=f"default {BLANK_ROWS:,}")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    from anticor.entrypoint import guarded

    guarded(django.setup)
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = "anticor_bench_xlsx"
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        results = run(args.iterations, args.blank_rows)
    finally:
        teardown_databases(databases, verbosity=0)
    return 0 if all(r["max_ms"] < 5000 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
