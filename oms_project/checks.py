"""System checks for unsafe combinations of the two run modes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}


@register("oms")
def run_mode_checks(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    in_memory = settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    if in_memory and settings.WEB_CONCURRENCY > 1:
        problems.append(
            Warning(
                "The in-memory channel layer only reaches browsers connected to the same process.",
                hint="Set REDIS_URL (production mode) before running more than one web process.",
                id="oms.W001",
            )
        )
    public_hosts = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if settings.DEBUG and public_hosts:
        problems.append(
            Warning(
                f"DEBUG is on while serving non-local hosts {public_hosts}.",
                hint="Set DEBUG=false: debug pages leak settings and code.",
                id="oms.W002",
            )
        )
    if settings.PRODUCTION_MODE and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        problems.append(
            Error(
                "Production mode (REDIS_URL set) is using the built-in development SECRET_KEY.",
                hint="Set SECRET_KEY in the environment; it also derives the key that encrypts Kite secrets.",
                id="oms.E001",
            )
        )
    if settings.PRODUCTION_MODE and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "Production mode with SQLite: several processes will contend for one database file.",
                hint="Set DATABASE_URL to PostgreSQL.",
                id="oms.W003",
            )
        )
    lease = float(getattr(settings, "ORDER_SUBMIT_LEASE_SECONDS", 10.0))
    kite_timeout = float(getattr(settings, "KITE_HTTP_TIMEOUT", 7.0))
    if lease <= kite_timeout:
        problems.append(
            Warning(
                f"ORDER_SUBMIT_LEASE_SECONDS ({lease:g}) is not above the broker call timeout ({kite_timeout:g} s).",
                hint="A live sender still waiting for the broker could have its claim settled as 'not sent'; keep "
                "the lease above one broker call (docs/architecture.md, Crash safety).",
                id="oms.W004",
            )
        )
    return problems


@register("oms")
def pretrade_stage_checks(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Every registered pre-trade stage has its place in the one declared order (orders.pipeline)."""
    from oms_project.lib import pretrade

    return [
        Error(
            f"The pre-trade stage {name!r} is registered but not placed in the declared stage order.",
            hint="Add it to orders.pipeline.STAGE_ORDER where it must run (before orders.rate_slot).",
            id="oms.E002",
        )
        for name in pretrade.check_stage_order()
    ]
