"""Plain market-data values shared by the simulator, the feeds and the brokers (no Django imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DepthLevel:
    price: Decimal
    quantity: int
    orders: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A snapshot of one instrument, shaped like Kite's full quote."""

    instrument_token: int
    timestamp: datetime  # aware, UTC
    last_price: Decimal
    last_quantity: int
    average_price: Decimal
    volume: int
    oi: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal  # previous session's close
    lower_circuit_limit: Decimal
    upper_circuit_limit: Decimal
    buy_depth: tuple[DepthLevel, ...] = field(default_factory=tuple)  # best bid first, 5 levels
    sell_depth: tuple[DepthLevel, ...] = field(default_factory=tuple)  # best ask first, 5 levels

    @property
    def best_bid(self) -> Decimal | None:
        return self.buy_depth[0].price if self.buy_depth else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.sell_depth[0].price if self.sell_depth else None
