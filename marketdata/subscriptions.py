"""Which instrument tokens someone is watching, shared by the WebSocket consumers and the feed.

Each consumer `touch`es its tokens when it subscribes and then every REFRESH_SECONDS; a token
nobody refreshed for TTL_SECONDS drops out, so a crashed web process cannot leave the feed
publishing forever. Production (REDIS_URL set) keeps the set in Redis (a sorted set scored by
expiry time) so consumers in several web processes and the feed process in `run_service
market_feed` see one set; embedded mode keeps it in this process's memory (the feed runs on the
same event loop as the consumers).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings

TTL_SECONDS = 60.0
REFRESH_SECONDS = 20.0
REDIS_KEY = "marketdata:subscribed_tokens"


class SubscriptionRegistry(Protocol):
    async def touch(self, tokens: Iterable[int]) -> None: ...

    async def active_tokens(self) -> list[int]: ...


class MemoryRegistry:
    def __init__(self) -> None:
        self._expiry: dict[int, float] = {}

    async def touch(self, tokens: Iterable[int]) -> None:
        until = time.monotonic() + TTL_SECONDS
        for token in tokens:
            self._expiry[int(token)] = until

    async def active_tokens(self) -> list[int]:
        now = time.monotonic()
        for token in [t for t, until in self._expiry.items() if until < now]:
            del self._expiry[token]
        return sorted(self._expiry)

    def clear(self) -> None:
        self._expiry.clear()


class RedisRegistry:
    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url)

    async def touch(self, tokens: Iterable[int]) -> None:
        until = time.time() + TTL_SECONDS
        mapping = {str(int(t)): until for t in tokens}
        if mapping:
            await self._redis.zadd(REDIS_KEY, mapping)

    async def active_tokens(self) -> list[int]:
        now = time.time()
        await self._redis.zremrangebyscore(REDIS_KEY, "-inf", now)
        return sorted(int(t) for t in await self._redis.zrangebyscore(REDIS_KEY, now, "+inf"))


_registry: SubscriptionRegistry | None = None


def registry() -> SubscriptionRegistry:
    global _registry
    if _registry is None:
        _registry = RedisRegistry(settings.REDIS_URL) if settings.REDIS_URL else MemoryRegistry()
    return _registry


def reset_registry() -> None:
    """Tests: forget the process-wide registry."""
    global _registry
    _registry = None
