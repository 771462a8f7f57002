"""What the sandbox needs from a trading venue, and a small in-memory one.

The sandbox speaks Kite's wire format; the venue does the trading. In the product the venue is the
paper engine (`paper_venue.venue.PaperVenue`, see `paper_venue.py`): orders placed through
kiteconnect against the sandbox fill on the simulated market. `MemoryVenue` is a dependency-free
stand-in (fixed prices you set by hand) for unit tests of the HTTP layer and for runs without a DB.
"""

from __future__ import annotations

import inspect
import itertools
import threading
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from oms_project.lib.brokers import (
    Broker,
    BrokerFunds,
    BrokerOrder,
    BrokerOrderRequest,
    BrokerPosition,
    BrokerRejected,
    BrokerTrade,
)

OrderListener = Callable[[BrokerOrder], None]

OPEN_STATUSES = {"OPEN", "TRIGGER PENDING"}


class Venue(Broker, Protocol):
    """The broker operations (`oms_project.lib.brokers.Broker`, the one interface) plus an order-change
    listener."""

    def add_listener(self, listener: OrderListener) -> None: ...


# What `Broker.modify_order` lets a caller change (keyword name = BrokerOrder field), read from
# the interface so the memory venue does not restate its signature.
MODIFIABLE = frozenset(
    name
    for name, param in inspect.signature(Broker.modify_order).parameters.items()
    if param.kind is inspect.Parameter.KEYWORD_ONLY and name != "variety"
)


_order_ids = itertools.count(int(datetime.now(UTC).strftime("%y%m%d")) * 10**13 + 1)
_trade_ids = itertools.count(10_000_001)


def _token_for(exchange: str, symbol: str) -> int:
    # Shaped like Kite's (exchange_token * 256 + segment); the segment byte is only a guess here.
    return (zlib.crc32(f"{exchange}:{symbol}".encode()) & 0xFFFFFF) * 256 + 2


class MemoryVenue:
    """Fills MARKET at the set price, LIMIT when the price crosses, keeps the rest OPEN."""

    DEFAULT_PRICE = Decimal("100.00")

    def __init__(self, *, capital: Decimal = Decimal("1000000.00")) -> None:
        self._lock = threading.RLock()
        self._capital = capital
        self._prices: dict[tuple[str, str], Decimal] = {}
        self._closes: dict[tuple[str, str], Decimal] = {}
        self._orders: dict[str, BrokerOrder] = {}
        self._history: dict[str, list[BrokerOrder]] = {}
        self._trades: list[BrokerTrade] = []
        self._listeners: list[OrderListener] = []

    # --- test controls ------------------------------------------------------------------------

    def set_price(self, exchange: str, tradingsymbol: str, price: Decimal) -> None:
        with self._lock:
            self._prices[(exchange, tradingsymbol)] = Decimal(price)
            for order in list(self._orders.values()):
                if order.status in OPEN_STATUSES and (order.exchange, order.tradingsymbol) == (exchange, tradingsymbol):
                    self._match(order.broker_order_id)

    def add_listener(self, listener: OrderListener) -> None:
        self._listeners.append(listener)

    def last_price(self, exchange: str, tradingsymbol: str) -> Decimal:
        """The price the sandbox judges a stop's trigger against (Kite: the LTP)."""
        return self._ltp(exchange, tradingsymbol)

    def set_close(self, exchange: str, tradingsymbol: str, price: Decimal) -> None:
        """The previous session's close (Kite's `close_price`; M2M of overnight positions is against it)."""
        with self._lock:
            self._closes[(exchange, tradingsymbol)] = Decimal(price)

    def close_price(self, exchange: str, tradingsymbol: str) -> Decimal:
        return self._closes.get((exchange, tradingsymbol), Decimal("0"))

    # --- internals ----------------------------------------------------------------------------

    def _ltp(self, exchange: str, symbol: str) -> Decimal:
        return self._prices.get((exchange, symbol), self.DEFAULT_PRICE)

    def _record(self, order: BrokerOrder, *, notify: bool = True) -> None:
        self._orders[order.broker_order_id] = order
        self._history.setdefault(order.broker_order_id, []).append(order)
        if notify:
            for listener in list(self._listeners):
                listener(order)

    def _used_margin(self) -> Decimal:
        used = Decimal("0")
        for order in self._orders.values():
            if order.status in OPEN_STATUSES and order.transaction_type == "BUY":
                used += (order.price or self._ltp(order.exchange, order.tradingsymbol)) * order.pending_quantity
        for trade in self._trades:
            sign = 1 if trade.transaction_type == "BUY" else -1
            used += sign * trade.price * trade.quantity
        return used

    def _match(self, order_id: str) -> None:
        order = self._orders[order_id]
        ltp = self._ltp(order.exchange, order.tradingsymbol)
        if order.status == "TRIGGER PENDING":
            hit = ltp >= order.trigger_price if order.transaction_type == "BUY" else ltp <= order.trigger_price
            if not hit:
                return
            order = replace(order, status="OPEN", order_type="LIMIT" if order.order_type == "SL" else "MARKET")
        if order.order_type == "MARKET":
            fill_price = ltp
        elif order.order_type == "LIMIT":
            crosses = order.price >= ltp if order.transaction_type == "BUY" else order.price <= ltp
            if not crosses:
                if order is not self._orders[order_id]:
                    self._record(order)
                return
            fill_price = ltp
        else:
            return
        now = datetime.now(UTC)
        qty = order.pending_quantity
        self._trades.append(
            BrokerTrade(
                trade_id=str(next(_trade_ids)),
                broker_order_id=order_id,
                exchange=order.exchange,
                tradingsymbol=order.tradingsymbol,
                instrument_token=order.instrument_token,
                transaction_type=order.transaction_type,
                product=order.product,
                quantity=qty,
                price=fill_price,
                fill_timestamp=now,
            )
        )
        self._record(
            replace(
                order,
                status="COMPLETE",
                filled_quantity=order.filled_quantity + qty,
                pending_quantity=0,
                average_price=fill_price,
                exchange_timestamp=now,
            )
        )

    # --- broker operations ------------------------------------------------------------------

    def place_order(self, request: BrokerOrderRequest) -> str:
        with self._lock:
            order_id = str(next(_order_ids))
            now = datetime.now(UTC)
            ltp = self._ltp(request.exchange, request.tradingsymbol)
            order = BrokerOrder(
                broker_order_id=order_id,
                status="OPEN",
                tag=request.tag or None,
                exchange=request.exchange,
                tradingsymbol=request.tradingsymbol,
                instrument_token=request.instrument_token or _token_for(request.exchange, request.tradingsymbol),
                transaction_type=request.transaction_type,
                order_type=request.order_type,
                product=request.product,
                validity=request.validity,
                quantity=request.quantity,
                filled_quantity=0,
                pending_quantity=request.quantity,
                cancelled_quantity=0,
                price=request.price or Decimal("0"),
                trigger_price=request.trigger_price or Decimal("0"),
                average_price=Decimal("0"),
                exchange_order_id=f"13{order_id[-14:]}",
                order_timestamp=now,
                exchange_timestamp=now,
                raw={"variety": request.variety},
            )
            cost = (request.price or ltp) * request.quantity
            if request.transaction_type == "BUY" and cost > self._capital - self._used_margin():
                available = self._capital - self._used_margin()
                self._record(
                    replace(
                        order,
                        status="REJECTED",
                        pending_quantity=0,
                        exchange_order_id=None,
                        status_message=(
                            f"Insufficient funds. Required margin is {cost:.2f} "
                            f"but available margin is {available:.2f}."
                        ),
                    )
                )
                return order_id
            if request.order_type in ("SL", "SL-M"):
                order = replace(order, status="TRIGGER PENDING")
            self._record(order, notify=False)
            self._match(order_id)
            if self._orders[order_id].status in OPEN_STATUSES:
                for listener in list(self._listeners):
                    listener(self._orders[order_id])
            return order_id

    def _get(self, order_id: str) -> BrokerOrder:
        try:
            return self._orders[order_id]
        except KeyError:
            raise BrokerRejected("Couldn't find that `order_id`.") from None

    def modify_order(self, broker_order_id: str, *, variety: str = "regular", **changes: Any) -> str:
        """`Broker.modify_order`: the keywords it names (`MODIFIABLE`), None meaning unchanged."""
        unknown = changes.keys() - MODIFIABLE
        if unknown:
            raise TypeError(f"modify_order() got unexpected keyword arguments: {sorted(unknown)}")
        with self._lock:
            order = self._get(broker_order_id)
            if order.status not in OPEN_STATUSES:
                raise BrokerRejected(f"Order cannot be modified as it is {order.status.lower()}.")
            new = {name: value for name, value in changes.items() if value is not None}
            new_qty = new.get("quantity", order.quantity)
            if new_qty <= order.filled_quantity:
                raise BrokerRejected("Modified quantity must be more than the filled quantity.")
            order = replace(
                order,
                **new,
                pending_quantity=new_qty - order.filled_quantity,
                raw={**order.raw, "modified": True},
            )
            self._record(order)
            self._match(broker_order_id)
            return broker_order_id

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> str:
        with self._lock:
            order = self._get(broker_order_id)
            if order.status not in OPEN_STATUSES:
                raise BrokerRejected(f"Order cannot be cancelled as it is {order.status.lower()}.")
            self._record(
                replace(order, status="CANCELLED", cancelled_quantity=order.pending_quantity, pending_quantity=0)
            )
            return broker_order_id

    def orders(self) -> list[BrokerOrder]:
        with self._lock:
            return list(self._orders.values())

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        with self._lock:
            self._get(broker_order_id)
            return list(self._history[broker_order_id])

    def trades(self) -> list[BrokerTrade]:
        with self._lock:
            return list(self._trades)

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]:
        with self._lock:
            self._get(broker_order_id)
            return [t for t in self._trades if t.broker_order_id == broker_order_id]

    def positions(self) -> list[BrokerPosition]:
        with self._lock:
            book: dict[tuple[str, str, str], list] = {}
            for t in self._trades:
                key = (t.exchange, t.tradingsymbol, t.product)
                entry = book.setdefault(key, [t.instrument_token, 0, Decimal("0"), Decimal("0")])
                sign = 1 if t.transaction_type == "BUY" else -1
                entry[1] += sign * t.quantity
                entry[2] += sign * t.price * t.quantity  # net cash spent
            out = []
            for (exchange, symbol, product), (token, qty, spent, _) in book.items():
                ltp = self._ltp(exchange, symbol)
                avg = (spent / qty).quantize(Decimal("0.01")) if qty else Decimal("0")
                out.append(
                    BrokerPosition(
                        exchange=exchange,
                        tradingsymbol=symbol,
                        instrument_token=token,
                        product=product,
                        quantity=qty,
                        overnight_quantity=0,
                        average_price=avg,
                        last_price=ltp,
                        pnl=(qty * ltp - spent).quantize(Decimal("0.01")),
                    )
                )
            return out

    def funds(self) -> BrokerFunds:
        with self._lock:
            used = self._used_margin()
            return BrokerFunds(available_cash=self._capital - used, used_margin=used, net=self._capital - used)
