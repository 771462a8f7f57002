"""One outbound order-rate governor per broker account, shared by the UI, bots and algorithms.

Kite allows 10 order requests per second per account (kite-api.md §6), counted per calendar second.
We count in the Django cache (Redis in production: `incr` is atomic across processes; LocMem in the
embedded single process) on a key per (account, second). A caller that finds the second full waits for
the next second, up to ORDER_RATE_MAX_WAIT_SECONDS, then gets ORDER_RATE_LIMITED with retry_after —
the broker never sees a 429 from us.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

from .domain import DEFAULT_ORDERS_PER_SECOND
from .errors import OrderRateLimited


def orders_per_second(account_id: int) -> int:
    overrides: dict = getattr(settings, "ORDER_RATE_LIMIT_OVERRIDES", {}) or {}
    return int(overrides.get(account_id, getattr(settings, "ORDER_RATE_LIMIT_PER_SECOND", DEFAULT_ORDERS_PER_SECOND)))


def _take(account_id: int, now: float, limit: int) -> bool:
    key = f"orders:rate:{account_id}:{int(now)}"
    cache.add(key, 0, timeout=5)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=5)
        n = cache.incr(key)
    return n <= limit


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
