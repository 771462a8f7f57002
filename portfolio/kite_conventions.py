"""The figures Kite shows for a position, so a trader comparing the OMS with Kite sees the same numbers (pure).

Kite's conventions (kite-api.md §3.4 and the official mock `positions.json`; reference-data.md §9.4):
- day buy (sell) price: the average of ALL the day's buy (sell) trades, including quantity already closed, not
  the average cost of the open quantity (that is `average_price`);
- m2m: the day's P&L marked against the previous close for what was carried overnight:
  m2m = day_sell_value - day_buy_value + quantity * last - overnight_quantity * close_price
  (the mock: 93,360 - 23,388 + 0 - 3 * 23,232 = 276);
- close_price: the previous session's close.
P&L (`pnl` = realised + unrealised, average cost) is the same either way; only these displayed figures differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class DayTrades:
    buy_quantity: int = 0
    buy_value: Decimal = ZERO
    sell_quantity: int = 0
    sell_value: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class KiteFigures:
    close_price: Decimal
    overnight_quantity: int
    day_buy_quantity: int
    day_buy_price: Decimal
    day_buy_value: Decimal
    day_sell_quantity: int
    day_sell_price: Decimal
    day_sell_value: Decimal
    m2m: Decimal


def _avg(value: Decimal, quantity: int) -> Decimal:
    return (value / quantity).quantize(CENT) if quantity else ZERO


def kite_figures(
    *, quantity: int, overnight_quantity: int, day: DayTrades, last_price: Decimal, close_price: Decimal | None
) -> KiteFigures:
    """Kite's day averages and M2M for a position. Without a previous close (no quote), the overnight quantity
    is marked at the last price, i.e. it adds nothing to the day's M2M."""
    close = Decimal(close_price) if close_price else Decimal(last_price)
    m2m = day.sell_value - day.buy_value + quantity * Decimal(last_price) - overnight_quantity * close
    return KiteFigures(
        close_price=close.quantize(CENT),
        overnight_quantity=overnight_quantity,
        day_buy_quantity=day.buy_quantity,
        day_buy_price=_avg(day.buy_value, day.buy_quantity),
        day_buy_value=day.buy_value.quantize(CENT),
        day_sell_quantity=day.sell_quantity,
        day_sell_price=_avg(day.sell_value, day.sell_quantity),
        day_sell_value=day.sell_value.quantize(CENT),
        m2m=m2m.quantize(CENT),
    )
