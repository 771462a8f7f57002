"""The sandbox's venue in the product: the paper engine (`paper_venue.venue.PaperVenue`).

Orders placed through kiteconnect against the sandbox are PaperVenueOrder rows with account_ref
`kite-sandbox:<user_id>` and fill on the simulated market. A matcher thread works resting orders
every MARKET_FEED_INTERVAL_SECONDS; every change (from our calls, our matcher, or anyone else
matching these rows) is reported once to the sandbox's listeners, which send the postbacks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import close_old_connections

from oms_project.lib.brokers import BrokerOrder, BrokerRejected, VenueBroker

logger = logging.getLogger(__name__)


def _state(order: BrokerOrder) -> tuple:
    return (order.status, order.filled_quantity, order.quantity, order.price, order.trigger_price, order.order_type)


class SandboxPaperVenue(VenueBroker):
    def __init__(
        self, account_ref: str, *, capital: Decimal | None = None, match_interval: float | None = None
    ) -> None:
        from paper_venue.venue import PaperVenue

        self.account_ref = account_ref
        capital = Decimal(settings.PAPER_STARTING_CAPITAL) if capital is None else capital
        self.venue = PaperVenue(account_ref, capital=capital)
        self.venue.add_listener(self._changed)
        self._listeners: list[Callable[[BrokerOrder], None]] = []
        self._seen: dict[str, tuple] = {}
        self._lock = threading.RLock()
        self._interval = match_interval if match_interval is not None else settings.MARKET_FEED_INTERVAL_SECONDS
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- change reporting ------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[BrokerOrder], None]) -> None:
        self._listeners.append(listener)

    def _changed(self, order: BrokerOrder) -> None:
        with self._lock:
            if self._seen.get(order.broker_order_id) == _state(order):
                return
            self._seen[order.broker_order_id] = _state(order)
        for listener in list(self._listeners):
            listener(order)

    def sync(self) -> None:
        """Work resting orders now and report changes made by anyone (e.g. the product's matcher)."""
        self.venue.match()
        for order in self.venue.orders():
            self._changed(order)

    def start_matching(self) -> None:
        if self._thread is None and self._interval > 0:
            self._thread = threading.Thread(target=self._run, name=f"sandbox-matcher-{self.account_ref}", daemon=True)
            self._thread.start()

    def stop_matching(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - keep matching after a transient DB error
                logger.exception("sandbox matcher step failed")
            finally:
                close_old_connections()

    # --- the venue --------------------------------------------------------------------------------

    def resolve_instrument(self, exchange: str, tradingsymbol: str) -> int:
        from orders.market import instrument_resolve

        try:
            return int(instrument_resolve(exchange=exchange, tradingsymbol=tradingsymbol).instrument_token)
        except Exception:  # noqa: BLE001 - InstrumentNotFound and friends
            raise BrokerRejected("Invalid `tradingsymbol`.") from None


def paper_venue_for(user_id: str, *, match: bool = True) -> SandboxPaperVenue:
    venue = SandboxPaperVenue(f"kite-sandbox:{user_id}")
    if match:
        venue.start_matching()
    return venue
