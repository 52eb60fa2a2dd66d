"""Anticor settings. Everything that varies between machines is read through :mod:`anticor.env`.

Production mode is ``DEBUG`` off (the default): it refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``,
without ``DATABASE_URL``/``REDIS_URL``, or with a Redis it cannot reach. ``.env.example`` documents every variable.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from anticor.env import (
    ConfigError,
    Env,
    celery_broker_url,
    check_redis_url,
    parse_database_url,
    redis_db,
    redis_url_with_db,
)

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env.from_os()

DEBUG = env.bool("DEBUG", default=False)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise ConfigError("SECRET_KEY", "must be at least 50 characters long in production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", required=True)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-" + "x" * 40)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Almaty")

# --- services: real PostgreSQL and Redis; embedded ones when the URL is unset (development only) ------------------
_database_url = env.str("DATABASE_URL")
_redis_url = env.str("REDIS_URL")
if PRODUCTION and not _database_url:
    raise ConfigError("DATABASE_URL", "is required in production (embedded PostgreSQL is for development only)")
if PRODUCTION and not _redis_url:
    raise ConfigError("REDIS_URL", "is required in production (embedded Redis is for development only)")
if not _database_url or not _redis_url:
    from anticor import embedded

    _database_url = _database_url or embedded.postgres_url()
    _redis_url = _redis_url or embedded.redis_url()
DATABASE_URL = _database_url
REDIS_URL = check_redis_url(_redis_url)

DATABASES = {"default": parse_database_url(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if PRODUCTION and env.bool("CHECK_SERVICES_AT_START", default=True):
    from anticor.services_check import require_redis

    require_redis(REDIS_URL)

# One Redis database per installation: the one REDIS_URL names (cache, broker and results; REDIS_CACHE_DB /
# REDIS_RESULT_DB move the cache / results elsewhere). Keys carry this installation's prefix — by default the name
# of its PostgreSQL database — so installations sharing one Redis database never read each other's keys.
DEPLOYMENT_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default=DATABASES["default"]["NAME"])
# Redis down must not hang a request: connecting gives up after a second, a command after two (the cache is
# best-effort everywhere it is used, see anticor.cache).
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_SOCKET_TIMEOUT = 2.0
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_with_db(REDIS_URL, env.int("REDIS_CACHE_DB", default=redis_db(REDIS_URL))),
        "KEY_PREFIX": DEPLOYMENT_KEY_PREFIX,
        "OPTIONS": {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
    }
}

# --- applications ---------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "anticor",
    "cases",
    "projects",
    "integrity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "axes",
]

MIDDLEWARE = [
    "anticor.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "anticor.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anticor.middleware.DefaultLanguageLocaleMiddleware",
    "anticor.middleware.RequestBodyLimitMiddleware",  # before anything reads the body (CSRF reads request.POST)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "anticor.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anticor.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anticor.urls"
WSGI_APPLICATION = "anticor.wsgi.application"
AUTH_USER_MODEL = "anticor.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anticor.context_processors.navigation",
            ],
        },
    }
]

# --- authentication -------------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "anticor.backends.DepartmentModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection: after LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address, that
# pair is locked for LOGIN_LOCKOUT_MINUTES; a correct login resets the pair's counter. After
# LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address over all user names within that window, the address
# is locked for every user name (anticor.lockout). Counts are kept in PostgreSQL.
AXES_HANDLER = "anticor.lockout.AddressLimitAxesHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
if AXES_FAILURE_LIMIT < 1:
    raise ConfigError("LOGIN_FAILURE_LIMIT", f"expected at least 1, got {AXES_FAILURE_LIMIT}")
if LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ConfigError(
        "LOGIN_ADDRESS_FAILURE_LIMIT",
        f"expected at least LOGIN_FAILURE_LIMIT ({AXES_FAILURE_LIMIT}), got {LOGIN_ADDRESS_FAILURE_LIMIT}",
    )
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# --- internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["anticor.formats"]
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "anticor_language"

# --- static files ---------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Whole request bodies, uploads included, refused by anticor.middleware.RequestBodyLimitMiddleware before any byte
# is read (API_MAX_BODY_BYTES under /api/).
WEB_MAX_BODY_BYTES = env.int("WEB_MAX_BODY_BYTES", default=10 * 1024 * 1024)

# --- security -------------------------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /health/ over plain HTTP on the internal network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anticor.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["anticor.api.permissions.AreaPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "anticor.api.pagination.StableCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["anticor.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["anticor.api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "anticor.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "anticor.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Anticor API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": (
        "REST API of Anticor for other agencies. Authenticate with `Authorization: Token <token>` "
        "(issued by the administrator with `manage.py create_api_client`). Errors are JSON: "
        "`{status, code, detail, errors}` where `errors` maps field paths such as `subjects.1.iin` to messages."
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "RootCauseStatusEnum": "cases.choices.RootCauseStatus",
        "RecommendationStatusEnum": "cases.choices.RecommendationStatus",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "MilestoneStatusEnum": "projects.choices.MilestoneStatus",
        "RiskStatusEnum": "projects.choices.RiskStatus",
        "EmployeeStatusEnum": "integrity.choices.EmployeeStatus",
        "DisciplineStatusEnum": "integrity.choices.DisciplineStatus",
        "CheckStatusEnum": "integrity.choices.CheckStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

FILTERS_EMPTY_CHOICE_LABEL = _("Все")
# Triggers of auto-created many-to-many tables (audited links) are not in migrations; install them on migrate.
PGTRIGGER_INSTALL_ON_MIGRATE = True

# --- Celery ---------------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_broker_url(REDIS_URL, env.int("REDIS_RESULT_DB", default=redis_db(REDIS_URL)))
# Sending a task while Redis is down fails within about two seconds (connect timeout, two quick retries) instead
# of Celery's default ~20 s of retries, so "recompute now" can tell the user at once (indicators_recompute_async).
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "global_keyprefix": f"{DEPLOYMENT_KEY_PREFIX}:",
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=DEPLOYMENT_KEY_PREFIX)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
# The schedule lives in code; times are Asia/Almaty wall-clock time (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "expire-access-log-sessions": {
        "task": "anticor.tasks.clear_expired_sessions_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "expire-disciplinary-sanctions": {
        "task": "integrity.tasks.discipline_expire_task",
        "schedule": crontab(hour=0, minute=15),
    },
    # The nightly indicator recompute (DESIGN.md §4.5), after the day's data entry and before the working day.
    "recompute-indicators": {
        "task": "anticor.tasks.indicators_recompute_task",
        "schedule": crontab(hour=2, minute=0),
    },
}

# --- integrity ------------------------------------------------------------------------------------------------------
# How long a disciplinary sanction stays in force from the order date unless lifted earlier (months).
DISCIPLINE_EXPIRY_MONTHS = env.int("DISCIPLINE_EXPIRY_MONTHS", default=12)
if not 1 <= DISCIPLINE_EXPIRY_MONTHS <= 120:
    raise ConfigError("DISCIPLINE_EXPIRY_MONTHS", f"expected 1..120 months, got {DISCIPLINE_EXPIRY_MONTHS}")

# --- plausible data ------------------------------------------------------------------------------------------------
# No date of a record lies before this day (anticor.bounds): older dates are typing errors, not history.
EARLIEST_RECORD_DATE = env.date("EARLIEST_RECORD_DATE", default=date(2000, 1, 1))

# --- logging --------------------------------------------------------------------------------------------------------
# One JSON object per line in production (log collectors), readable lines in development; both carry the request
# id (anticor.requestid), in the web process and in the tasks a request queued.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ConfigError("LOG_FORMAT", f"expected json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "anticor.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "anticor.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}, "pgtrigger": {"level": "WARNING"}},
}

ANTICOR_SITE_TITLE = _("Антикор")
