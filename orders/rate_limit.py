"""One outbound order-rate governor per broker account, shared by the UI, bots and algorithms.

Kite allows 10 order requests per second per account (kite-api.md §6), counted per calendar second.
We count on a key per (account, second): in production in Redis, shared by every process, with ONE
round trip per attempt (a pipelined `INCR` + `EXPIRE`, atomic in a MULTI/EXEC) over a process-wide
connection pool; in the embedded single process in the Django cache (LocMem).
(Django's cache object is per thread and ASGI runs each request on a fresh thread, so going through
`django.core.cache` opened a new Redis connection per order and cost three round trips.)
A caller that finds the second full waits for the next second, up to ORDER_RATE_MAX_WAIT_SECONDS, then
gets ORDER_RATE_LIMITED with retry_after — the broker never sees a 429 from us.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from .domain import DEFAULT_ORDERS_PER_SECOND
from .errors import OrderRateLimited


def orders_per_second(account_id: int) -> int:
    overrides: dict = getattr(settings, "ORDER_RATE_LIMIT_OVERRIDES", {}) or {}
    return int(overrides.get(account_id, getattr(settings, "ORDER_RATE_LIMIT_PER_SECOND", DEFAULT_ORDERS_PER_SECOND)))


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


def _take(account_id: int, now: float, limit: int) -> bool:
    key = f"orders:rate:{account_id}:{int(now)}"
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


def slots_left(account_id: int, *, clock=time.time) -> int:  # noqa: ANN001
    """Orders the account may still send this second (a look, for the preview: takes nothing)."""
    limit = orders_per_second(account_id)
    key = f"orders:rate:{account_id}:{int(clock())}"
    client = _redis()
    used = client.get(key) if client is not None else cache.get(key)
    return max(0, limit - int(used or 0))


def acquire(account_id: int, *, max_wait: float | None = None, clock=time.time, sleep=time.sleep) -> None:  # noqa: ANN001
    """Take one order slot for the account, waiting up to `max_wait` seconds for the next second."""
    limit = orders_per_second(account_id)
    max_wait = getattr(settings, "ORDER_RATE_MAX_WAIT_SECONDS", 1.0) if max_wait is None else max_wait
    deadline = clock() + max_wait
    while True:
        now = clock()
        if _take(account_id, now, limit):
            return
        next_second = math.floor(now) + 1
        if next_second > deadline:
            raise OrderRateLimited(
                f"This broker account already sent {limit} orders this second (the broker's limit). "
                "Try again in a moment.",
                retry_after=round(max(0.05, next_second - now), 2),
                details={"limit_per_second": limit},
            )
        sleep(max(0.0, next_second - now) + 0.001)
