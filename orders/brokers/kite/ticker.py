"""KiteTicker order updates -> the order core.

Kite pushes `{"type": "order", "data": {...postback shape, blank checksum...}}` text frames to
every ticker connection of the user; kiteconnect's `on_order_update(ws, data)` hands us `data`
(kite-api.md §4.2). The socket is authenticated by the access token, so there is no checksum.

`KiteOrderUpdateListener(account)` runs one KiteTicker (Twisted reactor in a thread, as
kiteconnect requires) for one account. It is not registered as a background service: the Twisted
reactor cannot be restarted in a process and cannot share the asyncio loop of `serve`, so in
production run it in its own process per account; postbacks deliver the same updates anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from kiteconnect import KiteTicker

from orders.brokers.base import BrokerAuthError

logger = logging.getLogger(__name__)


def on_order_update_message(account: Any, data: dict[str, Any]) -> bool:
    """Apply one ticker order update; False when it was a replay."""
    from .services import kite_order_update_apply

    return kite_order_update_apply(account=account, payload=data, source="ticker")


class KiteOrderUpdateListener:
    def __init__(self, account: Any) -> None:
        if not account.kite_access_token:
            raise BrokerAuthError("This Kite account has no valid session today; log in to Kite again.")
        self.account = account
        self.ticker = KiteTicker(
            account.kite_api_key, account.kite_access_token, root=getattr(settings, "KITE_TICKER_ROOT", None)
        )
        self.ticker.on_order_update = self._on_order_update
        self.ticker.on_error = lambda ws, code, reason: logger.warning("kite ticker error %s: %s", code, reason)

    def _on_order_update(self, ws: Any, data: dict[str, Any]) -> None:
        try:
            on_order_update_message(self.account, data)
        except Exception:  # noqa: BLE001 - one bad update must not kill the socket
            logger.exception("kite order update failed for order %s", data.get("order_id"))

    def start(self) -> None:
        self.ticker.connect(threaded=True)

    def stop(self) -> None:
        self.ticker.close()
