"""Money and price helpers. Prices are Decimal on the exchange tick grid; quantities are int."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")


def quantize_inr(amount: Decimal) -> Decimal:
    return amount.quantize(PAISA, rounding=ROUND_HALF_UP)


def round_to_tick(price: Decimal, tick: Decimal, mode: str = "nearest") -> Decimal:
    """Snap a price onto the tick grid: mode 'nearest', 'down' or 'up'."""
    steps = price / tick
    rounding = {"nearest": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}[mode]
    return (steps.quantize(Decimal(1), rounding=rounding) * tick).quantize(tick)


def is_on_tick(price: Decimal, tick: Decimal) -> bool:
    return (price % tick) == 0
