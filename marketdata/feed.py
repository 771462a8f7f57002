"""The market feed: every MARKET_FEED_INTERVAL_SECONDS, a tick for each subscribed instrument to
the channel group `ticks.<token>` (consumed by /ws/market/).

The prices come from a `TickSource`; the simulator is the one implemented here. A KiteTicker
source can implement the same protocol later (its own process, see kite-api.md) without touching
the loop, the groups or the consumers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from .models import Instrument
from .selectors import quotes_for, tick_message
from .subscriptions import registry

logger = logging.getLogger(__name__)


def tick_group(token: int) -> str:
    return f"ticks.{int(token)}"


class TickSource(Protocol):
    async def ticks(self, tokens: Sequence[int], at: datetime | None = None) -> list[dict[str, Any]]:
        """One tick payload (see selectors.tick_message) per token it can price."""
        ...


class SimulatorTickSource:
    """Ticks from the simulated venue (the same quotes the paper broker fills against)."""

    def __init__(self) -> None:
        self._instruments: dict[int, Instrument] = {}

    def _compute(self, tokens: Sequence[int], at: datetime | None) -> list[dict[str, Any]]:
        missing = [t for t in tokens if t not in self._instruments]
        if missing:
            for inst in Instrument.objects.filter(pk__in=missing):
                self._instruments[inst.pk] = inst
        if len(self._instruments) > 5000:
            keep = set(tokens)
            self._instruments = {t: i for t, i in self._instruments.items() if t in keep}
        instruments = [self._instruments[t] for t in tokens if t in self._instruments]
        quotes = quotes_for(instruments, at or timezone.now())
        return [tick_message(q) for q in quotes.values()]

    async def ticks(self, tokens: Sequence[int], at: datetime | None = None) -> list[dict[str, Any]]:
        if not tokens:
            return []
        return await database_sync_to_async(self._compute)(list(tokens), at)


_default_source: TickSource | None = None


def default_source() -> TickSource:
    global _default_source
    if _default_source is None:
        _default_source = SimulatorTickSource()
    return _default_source


async def feed_once(source: TickSource | None = None, at: datetime | None = None) -> int:
    """One iteration: publish a tick for every subscribed token. Returns how many were sent."""
    tokens = await registry().active_tokens()
    if not tokens:
        return 0
    layer = get_channel_layer()
    if layer is None:
        return 0
    ticks = await (source or default_source()).ticks(tokens, at)
    for tick in ticks:
        await layer.group_send(tick_group(tick["instrument_token"]), {"type": "market.tick", "tick": tick})
    if ticks:
        await database_sync_to_async(publish_tick_batch)(ticks, at or timezone.now())
    return len(ticks)


def publish_tick_batch(ticks: list[dict[str, Any]], at: datetime) -> None:
    """`marketdata.tick_batch` to its subscribers (risk's live monitor), at once, after the ticks went out."""
    from oms_project.lib import events

    from .events import TickBatch

    if events.subscribers(TickBatch.name):
        events.deliver(TickBatch(marks={int(t["instrument_token"]): t["last_price"] for t in ticks}, at=at))


def _roll_demo_master() -> None:
    """Contracts roll daily without a restart (services.demo_master_roll; free after the first call of a date)."""
    from .calendar import IST
    from .services import demo_master_roll

    if demo_master_roll(today=timezone.now().astimezone(IST).date()) is not None:
        source = _default_source
        if isinstance(source, SimulatorTickSource):
            source._instruments.clear()  # re-read rows: ticks and contracts may have changed


FEED_HEARTBEAT_KEY = "marketdata:feed:heartbeat"
_last_heartbeat = 0.0


def _heartbeat() -> None:
    """The feed's last good iteration (epoch seconds, shared through the cache at most every 5 s): read by the
    readiness endpoint (`feed_heartbeat_age`)."""
    global _last_heartbeat
    import time

    from django.core.cache import cache

    now = time.time()
    if now - _last_heartbeat >= 5:
        _last_heartbeat = now
        cache.set(FEED_HEARTBEAT_KEY, now, 300)


def feed_heartbeat_age() -> float | None:
    """Seconds since the market feed's last good iteration (None: never seen, or not for 5 minutes)."""
    import time

    from django.core.cache import cache

    beat = cache.get(FEED_HEARTBEAT_KEY)
    return None if beat is None else max(0.0, time.time() - float(beat))


async def run_market_feed(stop: asyncio.Event, source: TickSource | None = None) -> None:
    interval = max(0.05, float(settings.MARKET_FEED_INTERVAL_SECONDS))
    logger.info("market feed started (every %.2f s)", interval)
    while not stop.is_set():
        started = asyncio.get_running_loop().time()
        try:
            await database_sync_to_async(_roll_demo_master)()
            await feed_once(source)
            _heartbeat()
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad iteration must not stop the feed
            logger.exception("market feed iteration failed")
        elapsed = asyncio.get_running_loop().time() - started
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, interval - elapsed))
        except TimeoutError:
            pass
