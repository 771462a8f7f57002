"""At most `HTTP_CONCURRENCY` HTTP requests inside Django at once in this process; the others wait their turn
(FIFO) on the event loop. WebSockets and lifespan pass untouched; 0 means no limit.

Why: under ASGI every request's synchronous code (views, the ORM) runs on a thread of its own. The work is
CPU-bound Python under one GIL, so eight requests at once do not finish sooner than one after the other; they
take turns every few milliseconds, and the switching and the cold caches cost CPU of their own. Measured in
embedded mode (`benchmarks/bench_orders.py --embedded`, concurrency 8): ~47 ms of CPU per order with a thread
per request, ~36-39 ms with at most one or two inside; p99 fell from ~630 ms to ~360-430 ms. Embedded mode
(one process, SQLite: every write waits for one lock anyway) therefore lets two in by default: one slow request
(a live broker's answer, a large CSV export) leaves room for the next. Production mode does not limit by default:
its web workers send Kite orders inline and wait on the network, where more requests at once do help; set it
there (e.g. 4 per worker, +20% orders/s at concurrency 16 in the same benchmark) when the accounts are paper.
"""

from __future__ import annotations

import asyncio
from typing import Any


class ConcurrencyGate:
    """ASGI wrapper: `limit` HTTP requests at a time inside `app` (0: no limit)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = max(0, int(limit))
        self._slots = asyncio.Semaphore(self.limit) if self.limit else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self._slots is None or scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
