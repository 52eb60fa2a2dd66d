"""``manage.py recompute_indicators [--period P] [--scope S]`` as an operator runs it: a progress bar, a summary,
exit codes that scripts can rely on, and clear messages without a traceback for bad input."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from anticor.indicators.models import IndicatorRun, IndicatorValue
from anticor.indicators.registry import registry
from anticor.indicators.services import RECOMPUTE_LOCK_KEY
from tests.factories import case
from tests.utils import ROOT, child_env, manage


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        manage("recompute_indicators", *args),
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_the_command_draws_progress_and_reports_what_it_wrote():
    case(registered_on="2023-05-01")
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_indicators", "--period", "2023-H1", "--scope", "75", stdout=out, stderr=err)
    run = IndicatorRun.objects.get()
    assert (run.trigger, run.status, run.periods, run.scope) == ("command", "succeeded", ["2023-H1"], "75")
    assert out.getvalue().startswith(f"run {run.pk} succeeded in ")
    assert f": 1 periods, {len(registry)} values written, 0 restatements" in out.getvalue()
    bar = err.getvalue().splitlines()
    total = run.progress_total
    assert bar[-1].startswith(f"[{'#' * 30}] {total}/{total} ")
    assert len(bar) >= 5  # one line per tenth when not on a terminal
    assert IndicatorValue.objects.count() == len(registry)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2023-H3"], "CommandError: Неверный период «2023-H3»: укажите год (2022), полугодие (2022-H1)"),
        (["--scope", "99"], "CommandError: Неизвестный охват «99»: укажите agency или код департамента"),
    ],
)
def test_bad_input_exits_1_with_a_message_and_no_traceback(args, message):
    call_command("load_reference", verbosity=0)
    result = run_command(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert IndicatorRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_exit_codes_for_success_and_for_a_run_skipped_behind_another():
    call_command("load_reference", verbosity=0)
    case(registered_on="2023-05-01")
    # While this connection holds the job's lock in an open transaction, the command's run is skipped: exit 2
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
        skipped = run_command("--period", "2023", "--no-progress")
    assert skipped.returncode == 2, skipped.stderr
    assert "skipped: another recompute is in progress" in skipped.stderr
    assert IndicatorValue.objects.count() == 0
    # Then it runs: exit 0
    done = run_command("--period", "2023", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert list(IndicatorRun.objects.order_by("id").values_list("status", flat=True)) == ["skipped", "succeeded"]
    assert IndicatorValue.objects.filter(period="2023").count() == 22 * len(registry)
