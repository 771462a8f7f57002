"""`StocksBlitzClient`: one object for the whole API and the live event stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ._http import HttpSession
from .accounts import AccountsAPI
from .alerts import AlertsAPI, EventHub
from .funds import FundsAPI, MarginAPI
from .market import InstrumentsAPI, MarketAPI
from .orders import OrdersAPI, PositionsAPI, StrategiesAPI, TradesAPI
from .risk import RiskAPI


class StocksBlitzClient:
    """Client for the StocksBlitz OMS.

    >>> client = StocksBlitzClient(api_url="http://127.0.0.1:8000", api_key="abcd1234.xxxx")
    >>> client.accounts.list()
    """

    def __init__(
        self, api_url: str, api_key: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._http = HttpSession(api_url, api_key, timeout=timeout, transport=transport)
        self.accounts = AccountsAPI(self._http)
        self.instruments = InstrumentsAPI(self._http)
        self.market = MarketAPI(self._http)
        self.orders = OrdersAPI(self._http)
        self.positions = PositionsAPI(self._http)
        self.trades = TradesAPI(self._http)
        self.strategies = StrategiesAPI(self._http)
        self.alerts = AlertsAPI(self._http)
        self.funds = FundsAPI(self._http)
        self.margin = MarginAPI(self.funds)
        self.risk = RiskAPI(self._http)
        self.events = EventHub(self._http)

    # Event handlers (delegated to the background listener).
    def on_alert(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        return self.events.on_alert(handler)

    def on_margin_warning(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        return self.events.on_margin_warning(handler)

    def on_margin_change(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        return self.events.on_margin_change(handler)

    def on_risk_breach(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        return self.events.on_risk_breach(handler)

    def on_order_update(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        return self.events.on_order_update(handler)

    def start_listening(self, *, wait: bool = True, timeout: float = 10.0) -> bool:
        """Start the background listener (alerts, and order updates if a handler is registered).

        By default waits until its sockets are connected, so nothing that happens after this call
        is missed; returns False if they did not connect within `timeout` (they keep retrying)."""
        self.events.start()
        return self.events.wait_ready(timeout) if wait else True

    def stop_listening(self) -> None:
        self.events.stop()

    def close(self) -> None:
        self.stop_listening()
        self._http.close()

    def __enter__(self) -> StocksBlitzClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
