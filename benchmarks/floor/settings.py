"""Benchmark settings: the product's settings plus the floor app, its URL and the statement counter.
Used only by benchmarks/bench_orders.py (DJANGO_SETTINGS_MODULE=benchmarks.floor.settings)."""

from oms_project.settings import *  # noqa: F403
from oms_project.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.floor"]
ROOT_URLCONF = "benchmarks.floor.urls"
MIDDLEWARE = ["benchmarks.floor.middleware.StatementCounter", *MIDDLEWARE]
