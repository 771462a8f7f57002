"""Settings for both run modes, driven by the environment.

Embedded mode (no environment variables): SQLite, in-memory channel layer, local-memory cache,
Celery over an in-memory broker with the worker and beat inside the `serve` process.
Production mode (REDIS_URL set): Redis channel layer, cache and Celery broker; normally with a
PostgreSQL DATABASE_URL. DATABASE_URL alone only chooses the database.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(str(BASE_DIR / ".env"))

REDIS_URL: str = env("REDIS_URL", default="")
PRODUCTION_MODE = bool(REDIS_URL)

# A fixed development key keeps the embedded mode zero-config; the `oms.W003` check warns when
# production mode runs with it.
DEV_SECRET_KEY = "embedded-mode-insecure-key-do-not-use-in-production-0d9f8a7c"
SECRET_KEY: str = env("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG: bool = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "channels",
    "oms_project",
    "accounts",
    "marketdata",
    "alerts",
    "portfolio",
    "paper_venue",  # the simulated broker (its own tables); used by orders through the broker interface
    "margin",
    "risk",
    "orders",
    "housekeeping",
    "devtools",  # dev tooling (the Kite sandbox's run_kite_sandbox command); no models
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "oms_project.urls"
WSGI_APPLICATION = "oms_project.wsgi.application"
ASGI_APPLICATION = "oms_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.trading_accounts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Absolute SQLite path so uvicorn, Celery and tests started elsewhere share one file.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the feed/matcher read while a request writes; IMMEDIATE avoids lock upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # The same backend with one in-process write lock: this process's writers queue fairly instead of polling
    # SQLite's lock (the embedded tail, see oms_project/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "oms_project.sqlite3"
else:
    # Connect per request by default (CONN_MAX_AGE=0). Under ASGI every request runs its sync view on a
    # fresh thread and Django keeps connections per thread, so persistent connections (CONN_MAX_AGE > 0)
    # pile up until PostgreSQL refuses more ("too many clients"; measured with benchmarks/bench_orders.py).
    # Connection reuse in production belongs in a pool: PgBouncer (transaction mode) in front of PostgreSQL,
    # or psycopg 3 with Django's pool (OPTIONS {"pool": True}, Django >= 5.1; this project pins psycopg2).
    # CONN_MAX_AGE > 0 is fine for the long-lived sync processes (Celery workers, run_service).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DB_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=20),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, Celery -----------------------------------------------------------
if PRODUCTION_MODE:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py caps a pool at 100 connections by default; hundreds of sockets per web
            # worker joining groups at once exceed that (MaxConnectionsError), so size it up.
            "CONFIG": {
                # redis-py >= 8 defaults socket_timeout to 5 s, the same as channels_redis's BZPOPMIN
                # wait (brpop_timeout = 5): an idle consumer's read then times out and its WebSocket
                # dies ("Timeout reading from ..."). Keep the socket timeout well above that wait.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=1000),
                        "socket_timeout": env.float("REDIS_CHANNEL_SOCKET_TIMEOUT", default=30.0),
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1500}}}

TIME_ZONE = "Asia/Kolkata"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-in"

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Code-declared periodic tasks (the DatabaseScheduler copies them into its table at start).
CELERY_BEAT_SCHEDULE = {
    # Paper after-market orders go out at the 09:15 open (orders.services.amo).
    "orders: release after-market orders at the open": {"task": "orders.release_amo_orders", "schedule": 15.0},
    # Parent executions (TWAP / ICEBERG) send their due children (orders.services.algos; restart-safe).
    "orders: algorithm tick": {"task": "orders.algo_tick", "schedule": 2.0},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION_MODE and not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# TLS normally ends at a reverse proxy; these are off unless the deployment says otherwise.
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0)
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Salt for the encrypted Kite credential fields (django-fernet-encrypted-fields derives the key
# from SECRET_KEY + SALT_KEY); both come from the environment in production.
SALT_KEY: list[str] = env.list("FIELD_ENCRYPTION_SALT", default=["stocksblitz-broker-secrets"])

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the finders so the embedded mode needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# whitenoise under ASGI warns once per file (evansd/whitenoise#531); the response is still correct.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
# STATIC_ROOT only exists after collectstatic (production); embedded mode serves from the finders.
warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["oms_project.lib.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oms_project.lib.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "oms_project.lib.api.pagination.StandardPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"

SPECTACULAR_SETTINGS = {
    "TITLE": "StocksBlitz OMS API",
    "DESCRIPTION": "Order management for NSE/BSE F&O traders. Authenticate with `Authorization: Api-Key <key>`. "
    'Every error answers `{"error": {"code", "message", "details"}}`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AlertTypeEnum": "alerts.models.TYPE_CHOICES",
        "AlertLevelEnum": "alerts.models.LEVEL_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "oms_project.lib.api.schema.add_error_responses",
        "oms_project.lib.api.schema.require_nonempty_bodies",
    ],
}

# --- Broker and market ----------------------------------------------------------------------
KITE_API_ROOT: str = env("KITE_API_ROOT", default="https://api.kite.trade")
KITE_TICKER_ROOT: str = env("KITE_TICKER_ROOT", default="wss://ws.kite.trade")
KITE_LOGIN_URL: str = env("KITE_LOGIN_URL", default="https://kite.zerodha.com/connect/login")

# Paper capital a new user's paper account starts with (₹10,00,000).
PAPER_STARTING_CAPITAL: str = env("PAPER_STARTING_CAPITAL", default="1000000.00")
# The simulated venue trades around the clock so a newcomer can try it at any hour; set False to
# apply NSE/BSE sessions and holidays to paper accounts too. Kite accounts always use real rules.
SIM_TRADE_ANY_TIME: bool = env.bool("SIM_TRADE_ANY_TIME", default=True)
SIM_MARKET_SEED: int = env.int("SIM_MARKET_SEED", default=20261121)
MARKET_FEED_INTERVAL_SECONDS: float = env.float("MARKET_FEED_INTERVAL_SECONDS", default=1.0)

# --- Margin monitoring (docs/margin-monitoring.md) ------------------------------------------
# Where NSE Clearing's daily SPAN (.spn / .spn.gz / .zip) and AEL (F_AEL_*.csv) files are dropped; the
# daily task imports what is new (the seeds' nse_margin_cache). Thresholds are the seeds' (000, 001).
NSE_MARGIN_FILES_DIR: str = env("NSE_MARGIN_FILES_DIR", default=str(BASE_DIR / "var" / "nse-margin"))
MARGIN_WARNING_PCT: str = env("MARGIN_WARNING_PCT", default="90")
MARGIN_CHANGE_ALERT_PCT: str = env("MARGIN_CHANGE_ALERT_PCT", default="10")
MARGIN_CALL_GRACE_MINUTES: int = env.int("MARGIN_CALL_GRACE_MINUTES", default=30)

# --- Risk (docs/risk.md) ----------------------------------------------------------------------
# The pre-trade limits (risk/limits.py: seed defaults). RISK_LIMIT_DEFAULTS changes the house defaults (same shape
# as an account's overrides, e.g. {"orders_per_minute": {"max": 20}}); RISK_LIMITS_ENABLED=false switches the
# risk.limits stage off (the kill switch always applies). The kill switch's square-off retries until flat.
RISK_LIMITS_ENABLED: bool = env.bool("RISK_LIMITS_ENABLED", default=True)
RISK_LIMIT_DEFAULTS: dict = env.json("RISK_LIMIT_DEFAULTS", default={})
KILL_SWITCH_SQUARE_OFF_ATTEMPTS: int = env.int("KILL_SWITCH_SQUARE_OFF_ATTEMPTS", default=3)
KILL_SWITCH_RETRY_SECONDS: float = env.float("KILL_SWITCH_RETRY_SECONDS", default=1.0)
# The live monitor (risk/monitor.py, docs/risk.md): revaluation on every market-feed tick batch; the per-position
# guards' house defaults (seeds/002 position monitor: target ₹2,000, stop −₹1,000 given as 1000, timeout 6 h);
# sizing advice's house participation caps (no seed figure); the correlation that joins underlyings' exposure.
RISK_MONITOR_ENABLED: bool = env.bool("RISK_MONITOR_ENABLED", default=True)
RISK_POSITION_GUARDS: dict = env.json(
    "RISK_POSITION_GUARDS", default={"enabled": True, "target_pnl": 2000, "stop_loss_pnl": 1000, "timeout_hours": 6}
)
RISK_SIZING: dict = env.json("RISK_SIZING", default={"participation_pct": 1.0, "oi_pct": 5.0})
RISK_CORRELATION_THRESHOLD: float = env.float("RISK_CORRELATION_THRESHOLD", default=0.7)

# --- Crash safety (docs/architecture.md, "Crash safety") ------------------------------------
# An order claimed for sending (PENDING_SUBMIT, submitted_at set, no broker id) whose result is not
# recorded within this lease is settled by the resolver: adopted if the broker has it (by tag), else
# rejected. A live sender renews the lease before every attempt, so it must only outlast ONE broker
# call: keep it above KITE_HTTP_TIMEOUT (7 s) — check oms.W004.
ORDER_SUBMIT_LEASE_SECONDS: float = env.float("ORDER_SUBMIT_LEASE_SECONDS", default=10.0)
# Fault drill, never in production: "kill" ends the process (SIGKILL) right after the broker accepted an
# order and before the OMS recorded the result (read only by orders.services.submission).
OMS_FAULT_AFTER_SEND: str = env("OMS_FAULT_AFTER_SEND", default="")
# Upper bound on a normal shutdown (SIGTERM/SIGINT) of serve, run_service and web workers: after this
# the process exits even if a background task or a thread is still busy (oms_project/lifecycle.py).
SHUTDOWN_TIMEOUT_SECONDS: float = env.float("SHUTDOWN_TIMEOUT_SECONDS", default=10.0)

# Processes that serve web traffic (for the in-memory-layer safety check).
WEB_CONCURRENCY: int = env.int("WEB_CONCURRENCY", default=1)
# HTTP requests inside Django at once per process, the rest wait their turn (oms_project/http_gate.py; 0 = no
# limit): 2 in embedded mode (one process, CPU-bound, one SQLite writer), no limit in production mode by default.
HTTP_CONCURRENCY: int = env.int("HTTP_CONCURRENCY", default=0 if PRODUCTION_MODE else 2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# Background loops, name -> async callable(stop_event). See oms_project/background.py.
BACKGROUND_SERVICES: dict[str, str] = {
    "market_feed": "marketdata.feed.run_market_feed",
    "paper_matcher": "orders.matcher.run_paper_matcher",
    "kite_order_updates": "orders.brokers.kite.ticker.run",  # KiteTicker order updates; idle without Kite accounts
}
