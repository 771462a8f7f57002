"""The one broker interface. The paper broker and the Kite adapter implement it; nothing else
talks to a broker. Values cross this boundary as plain dataclasses shaped like Kite's objects
(statuses and field names as Kite spells them), with Decimal prices and aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class BrokerOrderRequest:
    tag: str  # <= 20 chars; identifies our order at the broker (resolves UNKNOWN outcomes)
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str  # BUY / SELL
    quantity: int
    product: str  # MIS / NRML / CNC
    order_type: str  # MARKET / LIMIT / SL / SL-M
    validity: str = "DAY"  # DAY / IOC / TTL
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    validity_ttl: int | None = None  # minutes, for TTL
    disclosed_quantity: int = 0
    market_protection: int | None = None  # percent; -1 = broker's automatic protection
    variety: str = "regular"  # regular / amo / iceberg


@dataclass(frozen=True, slots=True)
class BrokerOrder:
    """The broker's view of one order (an element of Kite's GET /orders or order history)."""

    broker_order_id: str
    status: str  # Kite status: OPEN, COMPLETE, CANCELLED, REJECTED, TRIGGER PENDING, transient ones
    tag: str | None
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    order_type: str
    product: str
    validity: str
    quantity: int
    filled_quantity: int
    pending_quantity: int
    cancelled_quantity: int
    price: Decimal
    trigger_price: Decimal
    average_price: Decimal
    status_message: str | None = None
    exchange_order_id: str | None = None
    order_timestamp: datetime | None = None
    exchange_timestamp: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class BrokerTrade:
    trade_id: str
    broker_order_id: str
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    product: str
    quantity: int
    price: Decimal
    fill_timestamp: datetime


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    exchange: str
    tradingsymbol: str
    instrument_token: int
    product: str
    quantity: int
    overnight_quantity: int
    average_price: Decimal
    last_price: Decimal
    pnl: Decimal


@dataclass(frozen=True, slots=True)
class BrokerFunds:
    available_cash: Decimal
    used_margin: Decimal
    net: Decimal


class BrokerError(Exception):
    """Base of everything a broker call can raise."""

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        self.message = message or self.__class__.__name__
        self.retry_after = retry_after
        super().__init__(self.message)


class BrokerRejected(BrokerError):
    """A proven refusal: the broker answered and did not accept the order/change."""


class BrokerOutcomeUnknown(BrokerError):
    """The request may have reached the broker (timeout, connection reset after sending)."""


class BrokerUnavailable(BrokerError):
    """The request provably did not reach the broker (connection refused, DNS): safe to retry."""


class BrokerRateLimited(BrokerError):
    """The broker answered 429: nothing was done; retry after `retry_after` seconds."""


class BrokerAuthError(BrokerError):
    """The session is invalid or expired (Kite 403 TokenException): the user must log in again."""


class Broker(Protocol):
    def place_order(self, request: BrokerOrderRequest) -> str:
        """Send a new order; returns the broker's order id."""
        ...

    def modify_order(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        order_type: str | None = None,
        validity: str | None = None,
        variety: str = "regular",
    ) -> str: ...

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> str: ...

    def orders(self) -> list[BrokerOrder]: ...

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]: ...

    def trades(self) -> list[BrokerTrade]: ...

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]: ...

    def positions(self) -> list[BrokerPosition]: ...

    def funds(self) -> BrokerFunds: ...


class VenueBroker:
    """The `Broker` operations answered by a `PaperVenue` (`self.venue`): the paper broker and the
    Kite sandbox's venue both trade through one."""

    venue: Broker

    def place_order(self, request: BrokerOrderRequest) -> str:
        return self.venue.place_order(request)

    def modify_order(self, broker_order_id: str, **changes: Any) -> str:
        return self.venue.modify_order(broker_order_id, **changes)

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> str:
        return self.venue.cancel_order(broker_order_id, variety=variety)

    def orders(self) -> list[BrokerOrder]:
        return self.venue.orders()

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        return self.venue.order_history(broker_order_id)

    def trades(self) -> list[BrokerTrade]:
        return self.venue.trades()

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]:
        return self.venue.order_trades(broker_order_id)

    def positions(self) -> list[BrokerPosition]:
        return self.venue.positions()

    def funds(self) -> BrokerFunds:
        return self.venue.funds()
