"""One outbound order-rate governor per broker account, shared by the UI, bots and algorithms.

Kite allows 10 order requests per second per account (kite-api.md §6), counted per calendar second.
We count on a key per (account, second): in production in Redis, shared by every process, with ONE
round trip per attempt (a pipelined `INCR` + `EXPIRE`, atomic in a MULTI/EXEC) over a process-wide
connection pool; in the embedded single process in the Django cache (LocMem).
(Django's cache object is per thread and ASGI runs each request on a fresh thread, so going through
`django.core.cache` opened a new Redis connection per order and cost three round trips.)
A caller that finds the second full waits for the next second, up to ORDER_RATE_MAX_WAIT_SECONDS, then
gets ORDER_RATE_LIMITED with retry_after — the broker never sees a 429 from us.

Next to the 10/s, Kite caps an account at 400 orders a minute and 5,000 a day (kite-api.md §6; the
figures are `orders.trading_rules`, overridable by ORDER_RATE_LIMIT_PER_MINUTE / _PER_DAY). Only new
orders count against those two (a modification or cancellation takes a per-second slot only); the minute
is the calendar minute, the day the IST calendar day. A full minute refuses at once (ORDER_RATE_LIMITED,
retry_after = the rest of the minute: waiting that long would make the trader's decision stale); a full
day refuses with ORDER_DAILY_LIMIT_REACHED.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from . import trading_rules
from .domain import DEFAULT_ORDERS_PER_SECOND
from .errors import OrderDailyLimitReached, OrderRateLimited

IST_OFFSET_SECONDS = 19800  # Asia/Kolkata is UTC+05:30 all year (no DST)


def orders_per_second(account_id: int) -> int:
    overrides: dict = getattr(settings, "ORDER_RATE_LIMIT_OVERRIDES", {}) or {}
    return int(overrides.get(account_id, getattr(settings, "ORDER_RATE_LIMIT_PER_SECOND", DEFAULT_ORDERS_PER_SECOND)))


def orders_per_minute() -> int:
    return int(getattr(settings, "ORDER_RATE_LIMIT_PER_MINUTE", trading_rules.ORDERS_PER_MINUTE))


def orders_per_day() -> int:
    return int(getattr(settings, "ORDER_RATE_LIMIT_PER_DAY", trading_rules.ORDERS_PER_DAY))


KEY_TTL_SECONDS = 5  # a per-second counter only needs to outlive its second
_redis_lock = threading.Lock()
_redis_client: Any = None
_redis_location: str | None = None


def _redis() -> Any:
    """A process-wide redis client when the default cache is Redis (production), else None."""
    global _redis_client, _redis_location
    conf = settings.CACHES.get("default", {})
    if conf.get("BACKEND") != "django.core.cache.backends.redis.RedisCache":
        return None
    location = conf["LOCATION"]
    location = location[0] if isinstance(location, (list, tuple)) else location
    if _redis_client is None or _redis_location != location:
        with _redis_lock:
            if _redis_client is None or _redis_location != location:
                import redis

                _redis_client = redis.Redis.from_url(location)
                _redis_location = location
    return _redis_client


KEY_PREFIX = "orders:rate:"  # every count below is under it (forget_counts drops them all)


def _second_key(account_id: int, now: float) -> str:
    return f"{KEY_PREFIX}{account_id}:{int(now)}"


def _take(account_id: int, now: float, limit: int) -> bool:
    key = _second_key(account_id, now)
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, KEY_TTL_SECONDS)
        n, _ = pipe.execute()
        return int(n) <= limit
    cache.add(key, 0, timeout=KEY_TTL_SECONDS)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=KEY_TTL_SECONDS)
        n = cache.incr(key)
    return n <= limit


def _count(key: str, ttl: int, delta: int = 1) -> int:
    """Add `delta` to a counter (created with `ttl`) and return its new value."""
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=True)
        pipe.incrby(key, delta)
        pipe.expire(key, ttl)
        n, _ = pipe.execute()
        return int(n)
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=ttl)
        return cache.incr(key, delta)


def _cap_keys(account_id: int, now: float) -> tuple[str, str]:
    minute = int(now // 60)
    day = int((now + IST_OFFSET_SECONDS) // 86400)
    return f"{KEY_PREFIX}{account_id}:m{minute}", f"{KEY_PREFIX}{account_id}:d{day}"


def _take_caps(account_id: int, now: float, n: int = 1) -> tuple[str, str, int]:
    """Count `n` new orders against the minute and the day, or refuse (counting nothing)."""
    minute_key, day_key = _cap_keys(account_id, now)
    per_day, per_minute = orders_per_day(), orders_per_minute()
    if _count(day_key, 2 * 86400, n) > per_day:
        _count(day_key, 2 * 86400, -n)
        raise OrderDailyLimitReached(
            f"This broker account has placed {per_day} orders today, the broker's daily maximum; "
            "no new orders until tomorrow (modifications and cancellations still work).",
            retry_after=round(86400 - (now + IST_OFFSET_SECONDS) % 86400, 0),
            details={"limit_per_day": per_day},
        )
    if _count(minute_key, 120, n) > per_minute:
        _count(minute_key, 120, -n)
        _count(day_key, 2 * 86400, -n)
        raise OrderRateLimited(
            f"This broker account already sent {per_minute} orders this minute (the broker's limit). "
            "Try again when the minute turns.",
            retry_after=round(max(0.05, 60 - now % 60), 2),
            details={"limit_per_minute": per_minute},
        )
    return minute_key, day_key, n


def _give_back_caps(keys: tuple[str, str, int]) -> None:
    _count(keys[0], 120, -keys[2])
    _count(keys[1], 2 * 86400, -keys[2])


def forget_counts() -> None:
    """Drop every account's order counts (tests: account ids come back after a rollback and clocks are pinned to
    the same instants, so one test's orders must never count against the next test's). Redis: the rate keys only;
    the embedded cache holds nothing a test keeps, so it is cleared."""
    client = _redis()
    if client is not None:
        keys = list(client.scan_iter(f"{KEY_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


def slots_left(account_id: int, *, clock=time.time) -> int:  # noqa: ANN001
    """Orders the account may still send this second (a look, for the preview: takes nothing)."""
    limit = orders_per_second(account_id)
    key = _second_key(account_id, clock())
    client = _redis()
    used = client.get(key) if client is not None else cache.get(key)
    return max(0, limit - int(used or 0))


def caps_left(account_id: int, *, clock=time.time) -> dict[str, int]:  # noqa: ANN001
    """New orders the account may still send this minute and today (a look, for the preview)."""
    minute_key, day_key = _cap_keys(account_id, clock())
    client = _redis()
    get = client.get if client is not None else cache.get
    return {
        "minute": max(0, orders_per_minute() - int(get(minute_key) or 0)),
        "day": max(0, orders_per_day() - int(get(day_key) or 0)),
    }


def acquire(  # noqa: ANN001
    account_id: int,
    *,
    new_order: bool = False,
    orders: int = 1,
    max_wait: float | None = None,
    clock=time.time,
    sleep=time.sleep,
) -> None:
    """Take one order slot for the account, waiting up to `max_wait` seconds for the next second. A new
    order (`new_order=True`: the pipeline's rate slot, bracket legs) also counts against the minute's and
    the day's caps — `orders` of them for a sliced order, whose slices are counted up front so a refusal comes
    before anything is stored; a modification, a cancellation or a re-send does not."""
    limit = orders_per_second(account_id)
    max_wait = getattr(settings, "ORDER_RATE_MAX_WAIT_SECONDS", 1.0) if max_wait is None else max_wait
    deadline = clock() + max_wait
    caps = _take_caps(account_id, clock(), max(1, orders)) if new_order else None
    while True:
        now = clock()
        if _take(account_id, now, limit):
            return
        next_second = math.floor(now) + 1
        if next_second > deadline:
            if caps is not None:
                _give_back_caps(caps)
            raise OrderRateLimited(
                f"This broker account already sent {limit} orders this second (the broker's limit). "
                "Try again in a moment.",
                retry_after=round(max(0.05, next_second - now), 2),
                details={"limit_per_second": limit},
            )
        sleep(max(0.0, next_second - now) + 0.001)
