"""Slice plans for parent executions (issue #11): pure, no Django.

`twap_plan` spreads an order over a duration: n slices in whole lots (sizes within ±size_jitter of an equal
share, the total exact), each sent at a time inside its own interval (jittered by ±time_jitter of the
interval around its middle), so the times never cross and the last slice is sent before the end. The same
seed gives the same plan, so a restart re-derives what was planned (and the slice table says what was sent).

`depth_split_child` sizes a depth-aware split's next child against the book of that moment (the largest whole-lot
quantity within the impact budget, marketdata.depth_analysis's position size; at least one lot).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from marketdata import depth_analysis as da
from marketdata.types import Quote


@dataclass(frozen=True, slots=True)
class PlannedSlice:
    number: int  # 1-based
    offset_seconds: float  # from the start
    quantity: int  # units, whole lots


def _split_lots(lots: int, n: int, jitter: float, rng: random.Random) -> list[int]:
    base = lots / n
    sizes = [max(1, round(base * (1 + rng.uniform(-jitter, jitter)))) for _ in range(n)]
    # Bring the total back to `lots`, one lot at a time, on the slices furthest from the equal share, never
    # below one lot.
    while sum(sizes) > lots:
        i = max((k for k in range(n) if sizes[k] > 1), key=lambda k: sizes[k] - base)
        sizes[i] -= 1
    while sum(sizes) < lots:
        i = min(range(n), key=lambda k: sizes[k] - base)
        sizes[i] += 1
    return sizes


def twap_plan(
    *,
    quantity: int,
    lot_size: int,
    slices: int,
    duration_seconds: float,
    seed: int,
    size_jitter: float = 0.2,
    time_jitter: float = 0.3,
) -> list[PlannedSlice]:
    """The TWAP plan of `quantity` units. Fewer slices than asked when there are fewer lots than slices."""
    if lot_size <= 0 or quantity <= 0 or quantity % lot_size:
        raise ValueError("quantity must be a positive whole number of lots")
    if slices <= 0 or duration_seconds <= 0:
        raise ValueError("slices and duration must be positive")
    if not (0 <= size_jitter < 1 and 0 <= time_jitter < 1):
        raise ValueError("jitters are fractions in [0, 1)")
    lots = quantity // lot_size
    n = min(slices, lots)
    rng = random.Random(seed)
    sizes = _split_lots(lots, n, size_jitter, rng)
    interval = duration_seconds / n
    plan = []
    for k in range(n):
        middle = (k + 0.5) * interval
        offset = middle + rng.uniform(-time_jitter, time_jitter) * interval / 2
        plan.append(PlannedSlice(k + 1, round(offset, 3), sizes[k] * lot_size))
    return plan


# --- The runner's arithmetic (orders.services.algos calls these; pure, property-tested) ------------------------


def lots_down(quantity: int, lot_size: int) -> int:
    """`quantity` rounded down to whole lots (never negative)."""
    if quantity <= 0 or lot_size <= 0:
        return 0
    return quantity - quantity % lot_size


def participation_headroom(*, cap: float | None, market_volume: int | None, executed: int) -> int | None:
    """How many more units the execution may trade under a participation cap: `cap` (a fraction, e.g. 0.1 =
    at most 10% of what the market traded since the execution started) of `market_volume`, less what it has
    already executed or has working. None = no cap. With a cap and no volume known (None or 0) the headroom is
    0: the cap cannot be judged, so nothing more is sent until the feed shows trading."""
    if cap is None:
        return None
    if not market_volume or market_volume <= 0:
        return 0
    return max(0, int(cap * market_volume) - executed)


def twap_send_quantity(
    *,
    scheduled: int,
    done: int,
    total: int,
    lot_size: int,
    headroom: int | None = None,
) -> int:
    """The quantity to send for a TWAP slice: catch up to the schedule. `scheduled` is the plan's cumulative
    quantity through this slice, `done` what earlier children filled (finished ones) or still work (open ones),
    so a slice that an earlier child under-filled (IOC at the price guard, a refusal) carries that shortfall,
    and a slice already covered sends nothing. Never more than what is left of `total`, never more than the
    participation `headroom`, always whole lots."""
    want = min(scheduled, total) - done
    if headroom is not None:
        want = min(want, headroom)
    return lots_down(want, lot_size)


def iceberg_send_quantity(*, visible: int, total: int, done: int, lot_size: int) -> int:
    """The next iceberg leg: the visible quantity, or what is left if that is less (whole lots)."""
    return lots_down(min(visible, total - done), lot_size)


def price_guard_allows(
    *, side: str, limit_price: object | None, best_bid: object | None, best_ask: object | None
) -> bool:
    """Whether the touch is within the execution's price guard: a BUY sends only while the best ask is at or
    under the limit, a SELL only while the best bid is at or over it. No guard: always. No touch on the side
    the order would take: no (a blind send could fill anywhere)."""
    if limit_price is None:
        return True
    if side == "BUY":
        return best_ask is not None and best_ask <= limit_price  # type: ignore[operator]
    return best_bid is not None and best_bid >= limit_price  # type: ignore[operator]


def vwap(fills: list[tuple[int, object]]) -> object | None:
    """Quantity-weighted average of (quantity, price) pairs (Decimal in, Decimal out); None without fills."""
    qty = sum(q for q, _ in fills if q > 0)
    if qty <= 0:
        return None
    return sum(q * p for q, p in fills if q > 0) / qty  # type: ignore[operator]


# --- Depth-aware split: each child sized against the book as it is when the child is sent ----------------------


@dataclass(frozen=True, slots=True)
class DepthChild:
    quantity: int  # units, whole lots; 0 = nothing to send (no book on that side, nothing left)
    limit_price: Decimal | None  # the worst price the walk of `quantity` reaches (Decimal): the child's IOC limit
    impact_bps: Decimal | None  # that walk's impact vs the mid (Decimal); may exceed the budget for a forced lot
    limited_by: str  # "impact budget", "visible depth", "max quantity", "remaining", "one lot minimum", "no book"


def depth_split_child(
    quote: Quote,
    *,
    side: str,
    lot_size: int,
    impact_budget_bps: Decimal,
    remaining: int,
    max_quantity: int | None = None,
) -> DepthChild:
    """The next child of a depth-aware split: the largest whole-lot quantity whose walk of `quote`'s visible book
    stays within `impact_budget_bps` (marketdata.depth_analysis.recommend_position_size), at least one lot, at
    most `remaining` and `max_quantity` (e.g. the freeze limit). Its limit is the worst level that walk reaches,
    so it cannot sweep further if the book moved before it arrives. A book that is deeper at every level (same
    prices) never gives a smaller child (property-tested)."""
    left = lots_down(remaining, lot_size)
    if left <= 0:
        return DepthChild(0, None, None, "remaining")
    levels = list(quote.sell_depth if side == "BUY" else quote.buy_depth)
    if not levels or not quote.buy_depth or not quote.sell_depth:
        return DepthChild(0, None, None, "no book")
    cap = left if max_quantity is None else min(left, max(lot_size, lots_down(max_quantity, lot_size)))
    size = da.recommend_position_size(
        quote,
        side,  # type: ignore[arg-type]
        lot_size=lot_size,
        impact_budget_bps=impact_budget_bps,
        max_quantity=cap,
    )
    qty, why = size.quantity, size.limited_by
    if qty >= cap:
        qty, why = cap, ("remaining" if cap == left else "max quantity")
    if qty < lot_size:
        qty, why = lot_size, "one lot minimum"
    walk = da.walk_book(levels, qty)
    if walk.filled_quantity <= 0:
        return DepthChild(0, None, None, "no book")
    bid, ask = quote.buy_depth[0].price, quote.sell_depth[0].price
    mid = (bid + ask) / 2
    cost = walk.notional - mid * walk.filled_quantity
    impact = ((cost if side == "BUY" else -cost) / (mid * walk.filled_quantity) * 10_000).quantize(Decimal("0.01"))
    return DepthChild(qty, walk.worst_price, impact, why)
