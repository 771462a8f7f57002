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

    @property
    def spread(self) -> Decimal | None:
        bid, ask = self.best_bid, self.best_ask
        return ask - bid if bid is not None and ask is not None else None

    @property
    def spread_pct(self) -> Decimal | None:
        """Spread as a percentage of the mid price."""
        spread = self.spread
        if spread is None:
            return None
        mid = (self.best_ask + self.best_bid) / 2  # type: ignore[operator]
        return spread / mid * 100 if mid else None

    @property
    def change(self) -> Decimal:
        """Change from the previous session's close."""
        return self.last_price - self.close

    @property
    def change_pct(self) -> Decimal | None:
        return (self.change / self.close * 100).quantize(Decimal("0.01")) if self.close else None
