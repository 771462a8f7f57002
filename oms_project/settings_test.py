"""Test settings: the embedded defaults (or PostgreSQL + Redis when CI sets the URLs), eager Celery."""

import os as _os

# pytest-xdist workers (gw0, gw1, ...) each get their own Redis database, so channel-layer groups,
# the cache and rate-limit counters of one worker never leak into another; pytest-django already
# gives each worker its own test database (suffix _gw0, ...).
if (_worker := _os.environ.get("PYTEST_XDIST_WORKER")) and _os.environ.get("REDIS_URL"):
    _base, _, _db = _os.environ["REDIS_URL"].rpartition("/")
    _os.environ["REDIS_URL"] = f"{_base}/{int(_db or 0) + 8 + int(_worker.removeprefix('gw'))}"

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
# Tests pin the simulated clock themselves; keep the venue open unless a test says otherwise.
SIM_TRADE_ANY_TIME = True

# --- Orders: concurrency tests need a FILE-based SQLite test DB -------------------------------
# The default in-memory shared-cache test DB answers concurrent writers with "database table is
# locked" at once (no busy timeout), so the 50-concurrent-requests test could not exercise the real
# IMMEDIATE-transaction behaviour. One file per pytest process, so parallel runs never share it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405 (django.db.backends.sqlite3 or ours)
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": _os.path.join(_tempfile.gettempdir(), f"oms-test-{_os.getpid()}.sqlite3")
    }

# --- Parallel lanes (scripts/test-dates): each lane its own PostgreSQL test database ------------
if _lane := __import__("os").environ.get("OMS_TEST_LANE"):
    if not DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
        DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_{DATABASES['default']['NAME']}_lane{_lane}"  # noqa: F405
