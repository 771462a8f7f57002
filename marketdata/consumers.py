"""/ws/market/: subscribe to instrument tokens and receive live ticks (LTP, OHLC, volume, OI, depth)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async

from oms_project.lib.ws import AuthenticatedJsonConsumer

from .feed import tick_group
from .models import Instrument
from .selectors import quotes_for, tick_message
from .subscriptions import REFRESH_SECONDS, registry

MAX_SUBSCRIPTIONS = 200


@database_sync_to_async
def _snapshot(tokens: list[int]) -> tuple[list[int], list[dict[str, Any]]]:
    """(known tokens, a first tick for each) so a new subscriber sees prices at once."""
    instruments = list(Instrument.objects.filter(pk__in=tokens))
    return [i.pk for i in instruments], [tick_message(q) for q in quotes_for(instruments).values()]


def _error(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message, "details": details}}


class MarketConsumer(AuthenticatedJsonConsumer):
    async def on_authenticated(self) -> None:
        self.tokens: set[int] = set()
        self._refresher = asyncio.ensure_future(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            if self.tokens:
                await registry().touch(self.tokens)

    async def disconnect(self, code: int) -> None:
        refresher = getattr(self, "_refresher", None)
        if refresher is not None:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await refresher
        for token in getattr(self, "tokens", set()):
            await self.channel_layer.group_discard(tick_group(token), self.channel_name)
        await super().disconnect(code)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json(_error("MALFORMED_REQUEST", "Send a JSON object."))
            return
        action = content.get("action")
        if action == "ping":
            await self.send_json({"type": "pong"})
            return
        if action not in ("subscribe", "unsubscribe"):
            await self.send_json(_error("UNKNOWN_ACTION", f"Unknown action {action!r}; use subscribe or unsubscribe."))
            return
        raw = content.get("tokens")
        try:
            if not isinstance(raw, list):
                raise TypeError
            tokens = list(dict.fromkeys(int(t) for t in raw))
        except (TypeError, ValueError):
            await self.send_json(_error("VALIDATION_ERROR", "tokens must be a list of instrument tokens (integers)."))
            return
        if action == "unsubscribe":
            for token in tokens:
                if token in self.tokens:
                    self.tokens.discard(token)
                    await self.channel_layer.group_discard(tick_group(token), self.channel_name)
            await self.send_json({"type": "unsubscribed", "tokens": tokens, "subscribed": sorted(self.tokens)})
            return
        new = [t for t in tokens if t not in self.tokens]
        if len(self.tokens) + len(new) > MAX_SUBSCRIPTIONS:
            await self.send_json(
                _error(
                    "TOO_MANY_SUBSCRIPTIONS",
                    f"At most {MAX_SUBSCRIPTIONS} instruments per connection; unsubscribe some first.",
                    max=MAX_SUBSCRIPTIONS,
                    subscribed=len(self.tokens),
                    requested=len(new),
                )
            )
            return
        known, ticks = await _snapshot(new)
        unknown = [t for t in new if t not in set(known)]
        for token in known:
            self.tokens.add(token)
            await self.channel_layer.group_add(tick_group(token), self.channel_name)
        if known:
            await registry().touch(known)
        if unknown:
            await self.send_json(_error("INSTRUMENT_NOT_FOUND", "Unknown instrument token(s).", tokens=unknown))
        await self.send_json({"type": "subscribed", "tokens": known, "subscribed": sorted(self.tokens)})
        for tick in ticks:
            await self.send_json({"type": "tick", "tick": tick})

    async def market_tick(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "tick", "tick": event["tick"]})
