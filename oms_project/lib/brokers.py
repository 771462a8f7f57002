"""The one broker interface. The paper broker and the Kite adapter implement it; nothing else
talks to a broker. Values cross this boundary as plain dataclasses shaped like Kite's objects
(statuses and field names as Kite spells them), with Decimal prices and aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
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
    iceberg_legs: int | None = None  # variety iceberg: Kite's iceberg_legs (2-10) and iceberg_quantity (a leg)
    iceberg_quantity: int | None = None


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


class ReportOutcome(StrEnum):
    ACCEPTED = "accepted"  # the broker took the request (an order id; maybe executions already)
    REFUSED = "refused"  # a proven refusal: nothing was done
    UNKNOWN = "unknown"  # it may have reached the broker (timeout after sending): find it by tag
    UNAVAILABLE = "unavailable"  # provably not received: safe to retry
    RATE_LIMITED = "rate_limited"  # the broker answered 429: nothing done, retry after `retry_after`
    SESSION_EXPIRED = "session_expired"  # log in again


@dataclass(frozen=True, slots=True)
class Execution:
    """One change the broker reported: the order's snapshot and the fills new with it."""

    order: BrokerOrder
    trades: tuple[BrokerTrade, ...] = ()


@dataclass(frozen=True, slots=True)
class BrokerReport:
    """What the broker said to a place, modify or cancel request, as a value. A venue that answers
    synchronously (the paper venue) puts what happened meanwhile in `executions`; the caller feeds them
    to the one inbound path (`order_apply_broker_update`), exactly like a postback or a ticker update."""

    outcome: ReportOutcome
    broker_order_id: str | None = None
    message: str = ""
    retry_after: float | None = None
    executions: tuple[Execution, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.outcome == ReportOutcome.ACCEPTED


_OUTCOME_OF_ERROR: tuple[tuple[type[BrokerError], ReportOutcome], ...] = (
    (BrokerRejected, ReportOutcome.REFUSED),
    (BrokerUnavailable, ReportOutcome.UNAVAILABLE),
    (BrokerRateLimited, ReportOutcome.RATE_LIMITED),
    (BrokerAuthError, ReportOutcome.SESSION_EXPIRED),
    (BrokerOutcomeUnknown, ReportOutcome.UNKNOWN),
)


def report_of_error(exc: BrokerError) -> BrokerReport:
    """A raised broker error as the report it means (any other broker failure after sending: unknown)."""
    outcome = next((o for klass, o in _OUTCOME_OF_ERROR if isinstance(exc, klass)), ReportOutcome.UNKNOWN)
    return BrokerReport(outcome, message=exc.message, retry_after=exc.retry_after)


def report_of_call(call: Any, *args: Any, **kwargs: Any) -> BrokerReport:
    """Run a broker request and answer what the broker said as a value. Adapters whose client raises
    (kiteconnect, test doubles) and ones that answer a plain id are read the same way."""
    try:
        answer = call(*args, **kwargs)
    except BrokerError as exc:
        return report_of_error(exc)
    if isinstance(answer, BrokerReport):
        return answer
    return BrokerReport(ReportOutcome.ACCEPTED, broker_order_id=str(answer) if answer is not None else None)


class Broker(Protocol):
    """Write requests answer what the broker said as a `BrokerReport` (accepted with its id and any
    executions the broker reported meanwhile, refused, unknown, ...): the OMS's brokers (`PaperBroker`,
    `KiteBroker`) do. A venue underneath (the paper venue, the Kite sandbox's) answers the plain order id
    and raises `BrokerError`s; `report_of_call` reads both the same way."""

    def place_order(self, request: BrokerOrderRequest) -> BrokerReport | str:
        """Send a new order."""
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
    ) -> BrokerReport | str: ...

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> BrokerReport | str: ...

    def orders(self) -> list[BrokerOrder]: ...

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]: ...

    def trades(self) -> list[BrokerTrade]: ...

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]: ...

    def positions(self) -> list[BrokerPosition]: ...

    def funds(self) -> BrokerFunds: ...

    # Optional: the broker's own margin calculator (Kite's /margins/orders and /margins/basket), answered in
    # Kite's shapes; brokers without one (paper) do not define them (`broker_margins` answers None).


def broker_margins(broker: Any, orders: list[dict[str, Any]], *, consider_positions: bool = True) -> Any:
    """The broker's basket margin for Kite-shaped order dicts, or None when the broker has no calculator."""
    fn = getattr(broker, "basket_order_margins", None)
    return None if fn is None else fn(orders, consider_positions=consider_positions)


class VenueBroker:
    """The `Broker` operations answered by a `PaperVenue` (`self.venue`): the paper broker and the
    Kite sandbox's venue both trade through one."""

    venue: Broker

    def place_order(self, request: BrokerOrderRequest) -> BrokerReport | str:
        return self.venue.place_order(request)

    def modify_order(self, broker_order_id: str, **changes: Any) -> BrokerReport | str:
        return self.venue.modify_order(broker_order_id, **changes)

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> BrokerReport | str:
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
