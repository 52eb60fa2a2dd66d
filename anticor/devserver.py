"""``make run``: one command from a fresh checkout to a running system (``python -m anticor.devserver``).

It prepares the database (migrate, demo data on the first run, indicators), then runs the web server, a Celery
worker and beat as child processes. The children get the resolved ``DATABASE_URL`` / ``REDIS_URL`` so that all of
them talk to the same servers, embedded or real. Ctrl-C (or SIGTERM) stops the children and, if this process
started from unset URLs, the embedded PostgreSQL and Redis too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 10.0


def _say(message: str) -> None:
    print(f"anticor: {message}", flush=True)


def _port() -> int:
    from anticor.env import ConfigError

    raw = os.environ.get("PORT") or "8000"
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError("PORT", f"expected a TCP port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise ConfigError("PORT", f"expected a TCP port number, got {raw!r}")
    return port


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _command(name: str, *args: str, **options) -> None:
    """``call_command`` attributed in the audit trail like ``manage.py name`` would be."""
    from django.core.management import call_command

    from anticor.audit import command_context

    with command_context(["manage.py", name, *args]):
        call_command(name, *args, **options)


def _database_identity() -> str:
    """Which database the demo data went into (no password), so a switch of DATABASE_URL seeds the new one."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _seed_once(var_dir: Path) -> None:
    from django.core.management import get_commands

    marker = var_dir / ".demo-seeded"
    identity = _database_identity()
    seeded = marker.read_text().splitlines() if marker.exists() else []
    if identity in seeded:
        _say(f"demo data already loaded (delete {marker} to load it again)")
        return
    if "seed_demo" not in get_commands():
        _say("WARNING: the seed_demo command does not exist yet - no demo data or demo users")
        return
    _say("loading reference and demo data (first run only)")
    _command("seed_demo")
    with marker.open("a") as handle:
        handle.write(identity + "\n")


def _recompute_indicators() -> None:
    from django.core.management import get_commands

    if "recompute_indicators" not in get_commands():
        return
    _say("recomputing indicators")
    try:
        _command("recompute_indicators")
    except Exception as exc:  # the UI is still useful; the error is shown
        _say(f"WARNING: recompute_indicators failed ({exc.__class__.__name__}: {exc}); continuing")


def _demo_password(var_dir: Path) -> str | None:
    for candidate in (var_dir / "demo-password", BASE_DIR / "var" / "demo-password"):
        if candidate.is_file():
            return candidate.read_text().strip() or None
    return None


def _print_banner(port: int, var_dir: Path) -> None:
    from anticor.demo import DEMO_USERS  # Django is set up by now

    password = _demo_password(var_dir)
    lines = [
        "",
        f"  Anticor is starting at  http://127.0.0.1:{port}/",
        "",
        f"  Demo logins: {', '.join(spec.username for spec in DEMO_USERS)}",
        f"  Password:    {password}" if password else "  Password:    (no var/demo-password - run manage.py seed_demo)",
        "",
        "  Ctrl-C stops the web server, the Celery worker and beat.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _start(name: str, argv: list[str], env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    # Each child leads its own process group: Ctrl-C reaches only this process, which then stops the children in
    # order, and a group kill also catches the autoreloader's and the worker pool's processes.
    process = subprocess.Popen(argv, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603
    return name, process


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _stop_children(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _name, process in children:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, process in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"{name} did not stop within {STOP_TIMEOUT:.0f} s - killing it")
        # Whatever is left in the group (pool processes, the reloader's child) goes too.
        _signal_group(process, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


class _Stop(Exception):
    pass


def _raise_stop(signum, _frame) -> None:
    raise _Stop(signal.Signals(signum).name)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
    os.environ.setdefault("DEBUG", "1")
    # Decided before the settings fill the URLs in: only services this command started are stopped at the end.
    embedded = not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL")

    from anticor.entrypoint import report_config_error
    from anticor.env import ConfigError

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal was closed
        signal.signal(signum, _raise_stop)
    children: list[tuple[str, subprocess.Popen]] = []
    status = 0
    settings_loaded = False  # the settings start the embedded services; before that there is nothing to stop
    try:
        try:
            port = _port()
            if not _port_free(port):
                _say(f"port {port} on 127.0.0.1 is in use - stop what uses it or set PORT")
                return 1
            import django

            django.setup()
        except ConfigError as error:
            report_config_error(error)
            return 2
        settings_loaded = True

        from django.conf import settings
        from django.db import connections

        from anticor.embedded import VAR_DIR

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        if embedded:
            _say(f"using the embedded PostgreSQL/Redis for unset URLs (data in {VAR_DIR})")
        _say("applying migrations")
        _command("migrate", interactive=False, verbosity=1)
        _seed_once(VAR_DIR)
        _recompute_indicators()
        connections.close_all()

        env = {**os.environ, "DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL}
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "anticor.celery"]
        _print_banner(port, VAR_DIR)
        children.append(_start("web server", [python, "manage.py", "runserver", f"127.0.0.1:{port}"], env))
        children.append(_start("celery worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2"], env))
        schedule = str(VAR_DIR / "celerybeat-schedule")
        children.append(_start("celery beat", [*celery, "beat", "--loglevel=INFO", "--schedule", schedule], env))

        while True:
            for name, process in children:
                code = process.poll()
                if code is not None:
                    _say(f"{name} exited unexpectedly (exit code {code}) - stopping everything")
                    status = 1
                    raise _Stop(name)
            time.sleep(0.5)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if children:
            _say("stopping the web server, the Celery worker and beat")
            _stop_children(children)
        if embedded and settings_loaded:
            from anticor.embedded import stop_all

            _say("stopping the embedded PostgreSQL and Redis")
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            stop_all()
    return status


if __name__ == "__main__":
    sys.exit(main())
