"""Whether a Kite account's order-update stream (KiteTicker) is connected, shared between processes
through the cache (Redis in production): the `kite_order_updates` service marks each account at every
refresh; the mark lapses after STREAM_STATUS_TTL, so a dead service reads as "down". Housekeeping's
order-state sync polls the broker's order book for the accounts whose stream is down."""

from __future__ import annotations

from django.core.cache import cache

STREAM_STATUS_TTL = 90  # seconds: three refreshes of the ticker service (REFRESH_SECONDS = 30)


def _key(account_id: int) -> str:
    return f"orders:stream:{account_id}"


def stream_mark(account_id: int, connected: bool) -> None:
    if connected:
        cache.set(_key(account_id), 1, STREAM_STATUS_TTL)
    else:
        cache.delete(_key(account_id))


def stream_connected(account_id: int) -> bool:
    return bool(cache.get(_key(account_id)))
