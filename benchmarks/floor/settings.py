"""Benchmark settings: the product's settings plus the floor app, its URL and the statement counter.
Used only by benchmarks/bench_orders.py (DJANGO_SETTINGS_MODULE=benchmarks.floor.settings)."""

from oms_project.settings import *  # noqa: F403
from oms_project.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.floor"]
ROOT_URLCONF = "benchmarks.floor.urls"
MIDDLEWARE = ["benchmarks.floor.middleware.StatementCounter", *MIDDLEWARE]

# Experiments only (embedded tail): BENCH_BACKGROUND="" runs no background service, "market_feed" only that one.
import os as _os  # noqa: E402

if "BENCH_BACKGROUND" in _os.environ:
    _keep = {n for n in _os.environ["BENCH_BACKGROUND"].split(",") if n}
    BACKGROUND_SERVICES = {k: v for k, v in BACKGROUND_SERVICES.items() if k in _keep}  # noqa: F405
# Experiments only: BENCH_SQLITE_ENGINE=django.db.backends.sqlite3 measures embedded mode without the fair write lock.
if "BENCH_SQLITE_ENGINE" in _os.environ and DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["ENGINE"] = _os.environ["BENCH_SQLITE_ENGINE"]  # noqa: F405
