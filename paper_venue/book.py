"""The venue's order-book arithmetic, pure (no Django): depth our fills used up and its replenishment, walking
the book as a taker, and a resting order's place in the queue. The model is in docs/market-model.md
("The paper venue's book"); every number here is DEMO (ours, not sourced) and printed by
benchmarks/bench_market.py.

Levels are (price, quantity) pairs best first, as the simulator's depth gives them (`marketdata.types.DepthLevel`
has the same first two fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

# The displayed five levels of one side, once used up, come back linearly over this many seconds (DEMO). So a
# side showing 17 lots gives back 17/5 = 3.4 lots a second: three 15-lot orders in one second cannot each take
# the same five levels, and an order sliced over time (TWAP, iceberg) meets a refilled book.
BOOK_REFILL_SECONDS = Decimal("5")


class LevelLike(Protocol):
    price: Decimal
    quantity: int


Level = tuple[Decimal, int]


def as_levels(levels: Iterable[LevelLike]) -> list[Level]:
    return [(Decimal(lv.price), int(lv.quantity)) for lv in levels]


def displayed(levels: Sequence[Level]) -> int:
    return sum(q for _, q in levels)


def replenished(
    consumed: int, *, elapsed_seconds: float, displayed_quantity: int, lot: int = 1,
    refill_seconds: Decimal = BOOK_REFILL_SECONDS,
) -> int:
    """What is still used up of a side `elapsed_seconds` after it was `consumed`: the side gives back
    `displayed_quantity / refill_seconds` a second, in whole lots (every order in an F&O book is whole lots),
    and what is used up never hides more than the side now shows (when the simulated book thins below what
    our fills took, its own turnover has replaced the rest)."""
    if consumed <= 0:
        return 0
    elapsed = max(0.0, float(elapsed_seconds))
    back = int(Decimal(displayed_quantity) * Decimal(str(elapsed)) / refill_seconds)
    lot = max(1, int(lot))
    back -= back % lot
    return max(0, min(consumed, max(0, displayed_quantity)) - back)


def after_consumption(levels: Sequence[Level], consumed: int) -> list[Level]:
    """The side with its first `consumed` units (from the best price outwards) gone."""
    out: list[Level] = []
    skip = max(0, int(consumed))
    for price, qty in levels:
        if skip >= qty:
            skip -= qty
            continue
        out.append((price, qty - skip))
        skip = 0
    return out


def within(price: Decimal, limit: Decimal, *, buy: bool) -> bool:
    return price <= limit if buy else price >= limit


def take(levels: Sequence[Level], quantity: int, limit: Decimal, *, buy: bool) -> list[tuple[int, Decimal]]:
    """A taker's fills: walk the (opposite) side best first, at each level's price, never beyond `limit`."""
    fills: list[tuple[int, Decimal]] = []
    remaining = quantity
    for price, qty in levels:
        if remaining <= 0 or not within(price, limit, buy=buy):
            break
        n = min(remaining, qty)
        if n > 0:
            fills.append((n, price))
            remaining -= n
    return fills


def crossing(levels: Sequence[Level], limit: Decimal, *, buy: bool) -> int:
    """Opposite-side quantity at prices that reach `limit` (what would trade with a resting order there)."""
    return sum(qty for price, qty in levels if within(price, limit, buy=buy))


def queue_ahead_at(own_levels: Sequence[Level], price: Decimal, *, buy: bool) -> int:
    """Where an order joining its own side at `price` stands: behind the displayed quantity at that price; at
    a price between displayed levels or better than the best, first (0); deeper than the fifth level, behind
    an average level's quantity (the book goes on beyond what is displayed)."""
    for p, q in own_levels:
        if p == price:
            return q
    if own_levels:
        worst = own_levels[-1][0]
        deeper = price < worst if buy else price > worst
        if deeper:
            return displayed(own_levels) // len(own_levels)
    return 0


def resting_fill(queue_ahead: int, crossing_quantity: int, remaining: int) -> tuple[int, int]:
    """A resting order's turn: the opposite quantity reaching its price trades first with the queue ahead
    (time priority), then with the order. Answers (queue traded, our fill)."""
    traded = min(max(0, queue_ahead), max(0, crossing_quantity))
    fill = min(max(0, remaining), max(0, crossing_quantity) - traded)
    return traded, fill
