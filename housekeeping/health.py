"""Readiness for load balancers and process managers (`GET /health/ready`; `/healthz` stays the bare
liveness answer). Each check answers ok / fail / skip with a detail:

    database       SELECT 1 on the default database                                   (critical)
    redis          PING, when REDIS_URL is set (production: channel layer, cache, broker) (critical)
    celery_beat    a scheduled housekeeping run started in the last 3 minutes (broker_health runs every minute)
    market_feed    the feed's heartbeat (marketdata.feed) in the last 60 s
    broker:<id>    each active Kite account's last health check (paused = fail)

HTTP 503 when a critical check fails (this process cannot serve); with `?strict=1` any failing check
answers 503 (for a process manager that should restart or page). Reads only: nothing is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

BEAT_STALE = timedelta(minutes=3)
FEED_STALE_SECONDS = 60.0
CRITICAL = ("database", "redis")


def _check(fn: Any) -> dict[str, Any]:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a failing dependency is an answer
        return {"status": "fail", "detail": f"{type(exc).__name__}: {exc}"[:200]}


def _database() -> dict[str, Any]:
    with connection.cursor() as c:
        c.execute("SELECT 1")
        c.fetchone()
    return {"status": "ok", "detail": connection.vendor}


def _redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"status": "skip", "detail": "embedded mode: no Redis"}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {"status": "ok", "detail": "PING"}


def _beat() -> dict[str, Any]:
    from .models import HousekeepingEvent

    last = (
        HousekeepingEvent.objects.filter(trigger=HousekeepingEvent.Trigger.SCHEDULE)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is None:
        return {"status": "fail", "detail": "no scheduled run seen yet"}
    age = timezone.now() - last
    status = "ok" if age <= BEAT_STALE else "fail"
    return {"status": status, "detail": f"last scheduled run {int(age.total_seconds())} s ago"}


def _feed() -> dict[str, Any]:
    from marketdata.feed import feed_heartbeat_age

    age = feed_heartbeat_age()
    if age is None:
        return {"status": "fail", "detail": "no heartbeat from the market feed"}
    return {"status": "ok" if age <= FEED_STALE_SECONDS else "fail", "detail": f"last tick round {age:.0f} s ago"}


def _brokers() -> dict[str, dict[str, Any]]:
    from accounts.models import TradingAccount

    from .models import BrokerHealth

    out: dict[str, dict[str, Any]] = {}
    health = {h.account_id: h for h in BrokerHealth.objects.all()}
    for a in TradingAccount.objects.filter(kind=TradingAccount.Kind.KITE, is_active=True).only("pk"):
        h = health.get(a.pk)
        if h is None:
            out[f"broker:{a.pk}"] = {"status": "fail", "detail": "not checked yet"}
        else:
            out[f"broker:{a.pk}"] = {"status": "fail" if h.paused else "ok",
                                     "detail": h.reason or f"{h.latency_ms} ms"}  # fmt: skip
    return out


def readiness(*, strict: bool = False) -> tuple[int, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {
        "database": _check(_database),
        "redis": _check(_redis),
        "celery_beat": _check(_beat),
        "market_feed": _check(_feed),
    }
    brokers = _check(_brokers)
    if "status" in brokers:  # the broker listing itself failed
        checks["brokers"] = brokers
    else:
        checks.update(brokers)
    critical_ok = all(checks[name]["status"] != "fail" for name in CRITICAL)
    all_ok = all(c["status"] != "fail" for c in checks.values())
    status = "ok" if all_ok else ("degraded" if critical_ok else "fail")
    code = 200 if (all_ok or (critical_ok and not strict)) else 503
    return code, {"status": status, "checks": checks, "time": timezone.now().isoformat()}
