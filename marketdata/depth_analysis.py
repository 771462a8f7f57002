"""Pre-trade depth analysis: what an order would cost against the visible book, and how to send it.

Pure (no Django; checked by import-linter). Money and prices are Decimal, quantities int. Every
threshold lives in `DepthThresholds` with the seed it comes from; docs/analytics.md describes
the model. The seeds are the design notes in shared/seeds/:
  [QR]  001 "Smart Order Management System - Quick Reference", §2 Market Depth-Based Smart
        Execution (spread table, impact walk, "warns if impact > 50 bps", decision matrix) and
        its Configuration Examples (conservative / aggressive strategy limits);
  [IDX] 000 "Complete Smart Order Management System - Master Index", Smart Execution checklist
        and "Spread Categories".
Values marked OURS are not in the seeds; they are chosen here and documented.

Conventions:
- mid = (best bid + best ask) / 2; spread % = spread / mid × 100.
- The walk takes the whole order from the opposite side of the book (asks for a BUY, bids for a
  SELL), best price first, as a market order would: impact_bps = (VWAP − mid) / mid × 10,000 for a
  BUY and (mid − VWAP) / mid × 10,000 for a SELL, so a cost is positive for both sides; it
  includes the half-spread. Slippage (₹) = (VWAP − mid) × filled quantity (mirrored for a SELL).
- Quantity the visible book cannot fill at any price is `book_shortfall`; VWAP, impact and
  slippage describe the visible part. With a limit price, `fillable_at_limit` says how much of
  the order the book fills now at that price or better (the rest would rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Literal

from marketdata.types import DepthLevel, Quote

Side = Literal["BUY", "SELL"]  # Kite's transaction_type values

_BPS = Decimal(10_000)
_HUNDRED = Decimal(100)
_BPS_PLACES = Decimal("0.01")
_PRICE_PLACES = Decimal("0.0001")
_RUPEE_PLACES = Decimal("0.01")


class SpreadCategory(StrEnum):
    TIGHT = "TIGHT"
    NORMAL = "NORMAL"
    WIDE = "WIDE"
    VERY_WIDE = "VERY_WIDE"


class LiquidityBand(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    ILLIQUID = "ILLIQUID"


class ExecutionAction(StrEnum):
    EXECUTE_MARKET = "EXECUTE_MARKET"
    EXECUTE_LIMIT = "EXECUTE_LIMIT"
    TWAP = "TWAP"
    ICEBERG = "ICEBERG"
    ALERT_USER_HIGH_COST = "ALERT_USER_HIGH_COST"
    REQUIRE_APPROVAL = "REQUIRE_APPROVAL"


@dataclass(frozen=True, slots=True)
class DepthThresholds:
    """Every number the analysis uses. Override per strategy with `for_strategy` or `dataclasses.replace`."""

    # Spread categories, % of mid [QR §2 "Spread Analysis" table; IDX "Spread Categories"]:
    # TIGHT < tight_spread_pct ≤ NORMAL ≤ normal_spread_pct_max < WIDE ≤ wide_spread_pct_max < VERY_WIDE.
    # (The seeds give ranges 0.2-0.5 and 0.5-1.0; a value on a boundary goes to the tighter
    # category except at 0.2, since TIGHT is "< 0.2%".)
    tight_spread_pct: Decimal = Decimal("0.2")
    normal_spread_pct_max: Decimal = Decimal("0.5")
    wide_spread_pct_max: Decimal = Decimal("1.0")

    # Impact bands, bps [QR §2 decision matrix: Tight 0-10 -> MARKET, Normal 10-50 -> LIMIT,
    # > 50 -> high cost; "Warns if impact > 50 bps"]. A strategy's `max_market_impact_bps`
    # (conservative example: 30) replaces max_impact_bps.
    market_impact_bps_max: Decimal = Decimal(10)
    max_impact_bps: Decimal = Decimal(50)

    # Liquidity bands on the 0-100 score. HIGH/MEDIUM from the seeds' strategy limits
    # [QR Configuration Examples: conservative min_liquidity_score 70, aggressive 40];
    # min_liquidity_score (below it: ILLIQUID) is OURS (20); a strategy's min_liquidity_score
    # replaces it.
    high_liquidity_score: int = 70
    medium_liquidity_score: int = 40
    min_liquidity_score: int = 20

    # [QR Configuration Examples: require_user_approval_high_impact] — when set, an order over
    # max_impact_bps asks for approval instead of being split.
    require_approval_high_impact: bool = False

    # Liquidity score inputs (OURS). Each component is 0..1, weighted to 0..100:
    # depth: visible opposite-side quantity / (depth_cover_multiple × order) — full marks when the
    #   book shows 5× the order;
    # spread: 1 − spread% / wide_spread_pct_max — full marks at a zero spread, none at VERY_WIDE;
    # volume / open interest: full marks when the order is ≤ 1% of the recent volume / OI
    #   (a common participation ceiling for not moving the market).
    # Weights of the inputs that are missing (volume, OI are optional) are dropped and the rest
    # rescaled, so an instrument without OI (cash equity) is not penalised for it.
    depth_cover_multiple: Decimal = Decimal(5)
    participation_full_marks: Decimal = Decimal("0.01")
    weight_depth: Decimal = Decimal(40)
    weight_spread: Decimal = Decimal(30)
    weight_volume: Decimal = Decimal(15)
    weight_open_interest: Decimal = Decimal(15)

    def __post_init__(self) -> None:
        if not (0 < self.tight_spread_pct <= self.normal_spread_pct_max <= self.wide_spread_pct_max):
            raise ValueError("spread thresholds must satisfy 0 < tight <= normal_max <= wide_max")
        if not (0 <= self.market_impact_bps_max <= self.max_impact_bps):
            raise ValueError("impact thresholds must satisfy 0 <= market_max <= max")
        if not (0 <= self.min_liquidity_score <= self.medium_liquidity_score <= self.high_liquidity_score <= 100):
            raise ValueError("liquidity bands must satisfy 0 <= min <= medium <= high <= 100")

    def for_strategy(
        self,
        *,
        max_order_spread_pct: Decimal | float | None = None,
        min_liquidity_score: int | None = None,
        max_market_impact_bps: Decimal | float | None = None,
        require_user_approval_high_impact: bool | None = None,
    ) -> DepthThresholds:
        """These thresholds under a strategy's limits (the seeds' strategy config keys).

        max_order_spread_pct is the widest spread the strategy trades without approval: it becomes
        the VERY_WIDE boundary, and the tighter boundaries come down with it if they were above.
        min_liquidity_score: below it the order needs approval; the MEDIUM/HIGH bands rise to it if below.
        max_market_impact_bps: above it the order is split or needs approval; the MARKET band shrinks to it if above.
        """
        t = self
        if max_order_spread_pct is not None:
            cap = _decimal(max_order_spread_pct)
            t = replace(
                t,
                tight_spread_pct=min(t.tight_spread_pct, cap),
                normal_spread_pct_max=min(t.normal_spread_pct_max, cap),
                wide_spread_pct_max=cap,
            )
        if min_liquidity_score is not None:
            floor = int(min_liquidity_score)
            t = replace(
                t,
                min_liquidity_score=floor,
                medium_liquidity_score=max(t.medium_liquidity_score, floor),
                high_liquidity_score=max(t.high_liquidity_score, floor),
            )
        if max_market_impact_bps is not None:
            cap_bps = _decimal(max_market_impact_bps)
            t = replace(t, max_impact_bps=cap_bps, market_impact_bps_max=min(t.market_impact_bps_max, cap_bps))
        if require_user_approval_high_impact is not None:
            t = replace(t, require_approval_high_impact=require_user_approval_high_impact)
        return t


DEFAULT_THRESHOLDS = DepthThresholds()


def _decimal(value: Decimal | float) -> Decimal:
    # Strategy settings arrive from JSON as floats: 0.3 must mean 0.3, not 0.29999999999999998889.
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class OrderIntent:
    side: Side
    quantity: int  # units (Kite quantity), > 0
    limit_price: Decimal | None = None  # reported: how much fills now at it (the impact walk ignores it)


@dataclass(frozen=True, slots=True)
class BookWalk:
    """The whole order taken against the visible opposite side, best price first, at any price."""

    filled_quantity: int  # min(quantity, visible)
    notional: Decimal  # Σ price × quantity of the filled part (exact)
    vwap: Decimal | None  # None when nothing fills
    levels_consumed: int  # levels touched, the last one possibly partly
    worst_price: Decimal | None  # price of the last level touched
    visible_quantity: int  # everything the opposite side shows
    book_shortfall: int  # max(0, quantity − visible): the book cannot fill it at any price


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: ExecutionAction
    reason: str
    limit_price: Decimal | None  # on the tick grid; None for EXECUTE_MARKET or with no book
    slice_quantity: int | None  # TWAP / ICEBERG: per-slice (disclosed) quantity, whole lots


@dataclass(frozen=True, slots=True)
class DepthAnalysis:
    side: Side
    quantity: int
    best_bid: Decimal | None
    best_ask: Decimal | None
    mid: Decimal | None
    spread: Decimal | None  # ₹
    spread_pct: Decimal | None  # % of mid, 4 places
    spread_category: SpreadCategory | None  # None without a two-sided book
    walk: BookWalk
    fillable_at_limit: int | None  # with a limit price: what fills now at it or better
    impact_bps: Decimal | None  # 2 places; None without a mid or with nothing filled
    slippage: Decimal | None  # ₹ vs mid on the filled part, 2 places; positive = cost
    liquidity_score: int  # 0..100
    liquidity_band: LiquidityBand
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class PositionSizeRecommendation:
    lots: int
    quantity: int  # lots × lot_size
    impact_bps: Decimal | None  # impact of that quantity (None when it is 0)
    limited_by: str  # "impact budget", "visible depth", "max quantity"


# --- the book -------------------------------------------------------------------------------


def _opposite_side(bids: Sequence[DepthLevel], asks: Sequence[DepthLevel], side: Side) -> list[DepthLevel]:
    """Levels an order of `side` trades against, best first; empty and zero-quantity levels dropped."""
    if side == "BUY":
        return sorted((lv for lv in asks if lv.quantity > 0), key=lambda lv: lv.price)
    return sorted((lv for lv in bids if lv.quantity > 0), key=lambda lv: lv.price, reverse=True)


def _best(levels: Sequence[DepthLevel], highest: bool) -> Decimal | None:
    prices = [lv.price for lv in levels if lv.quantity > 0]
    if not prices:
        return None
    return max(prices) if highest else min(prices)


def walk_book(levels: Sequence[DepthLevel], quantity: int) -> BookWalk:
    """Take `quantity` from `levels` (best first, as `_opposite_side` returns them) at any price."""
    remaining = quantity
    filled = 0
    notional = Decimal(0)
    consumed = 0
    worst: Decimal | None = None
    for lv in levels:
        if remaining == 0:
            break
        take = min(remaining, lv.quantity)
        filled += take
        remaining -= take
        notional += lv.price * take
        consumed += 1
        worst = lv.price
    visible = sum(lv.quantity for lv in levels)
    vwap = (notional / filled).quantize(_PRICE_PLACES, ROUND_HALF_EVEN) if filled else None
    return BookWalk(
        filled_quantity=filled,
        notional=notional,
        vwap=vwap,
        levels_consumed=consumed,
        worst_price=worst,
        visible_quantity=visible,
        book_shortfall=max(0, quantity - visible),
    )


def fillable_within_limit(levels: Sequence[DepthLevel], side: Side, quantity: int, limit_price: Decimal) -> int:
    """How much of `quantity` the visible book fills now at `limit_price` or better."""
    inside = sum(
        lv.quantity for lv in levels if (lv.price <= limit_price if side == "BUY" else lv.price >= limit_price)
    )
    return min(quantity, inside)


def _impact_bps(walk: BookWalk, side: Side, mid: Decimal | None) -> Decimal | None:
    # From the exact notional, not the rounded VWAP, so a sell on a mirrored book gives exactly
    # the buy's figure.
    if mid is None or mid <= 0 or walk.filled_quantity == 0:
        return None
    cost = walk.notional - mid * walk.filled_quantity
    if side == "SELL":
        cost = -cost
    return (cost / (mid * walk.filled_quantity) * _BPS).quantize(_BPS_PLACES, ROUND_HALF_EVEN)


def _slippage(walk: BookWalk, side: Side, mid: Decimal | None) -> Decimal | None:
    if mid is None or walk.filled_quantity == 0:
        return None
    cost = walk.notional - mid * walk.filled_quantity
    return (cost if side == "BUY" else -cost).quantize(_RUPEE_PLACES, ROUND_HALF_EVEN)


# --- spread, liquidity ----------------------------------------------------------------------


def spread_category(spread_pct: Decimal, thresholds: DepthThresholds = DEFAULT_THRESHOLDS) -> SpreadCategory:
    if spread_pct < thresholds.tight_spread_pct:
        return SpreadCategory.TIGHT
    if spread_pct <= thresholds.normal_spread_pct_max:
        return SpreadCategory.NORMAL
    if spread_pct <= thresholds.wide_spread_pct_max:
        return SpreadCategory.WIDE
    return SpreadCategory.VERY_WIDE


def _clip01(x: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), x))


def liquidity_score(
    *,
    quantity: int,
    visible_quantity: int,
    spread_pct: Decimal | None,
    volume: int | None = None,
    open_interest: int | None = None,
    thresholds: DepthThresholds = DEFAULT_THRESHOLDS,
) -> int:
    """0..100 from depth against order size, spread, and (optional) recent volume and OI.

    Without a two-sided book (spread_pct None) the spread component scores 0.
    """
    t = thresholds
    qty = Decimal(max(quantity, 1))
    parts: list[tuple[Decimal, Decimal]] = [
        (t.weight_depth, _clip01(Decimal(visible_quantity) / (t.depth_cover_multiple * qty))),
        (t.weight_spread, Decimal(0) if spread_pct is None else _clip01(1 - spread_pct / t.wide_spread_pct_max)),
    ]
    if volume is not None:
        parts.append((t.weight_volume, _clip01(Decimal(volume) * t.participation_full_marks / qty)))
    if open_interest is not None:
        parts.append((t.weight_open_interest, _clip01(Decimal(open_interest) * t.participation_full_marks / qty)))
    total_weight = sum((w for w, _ in parts), Decimal(0))
    if total_weight == 0:
        return 0
    score = sum((w * s for w, s in parts), Decimal(0)) / total_weight * _HUNDRED
    return int(score.quantize(Decimal(1), ROUND_HALF_EVEN))


def liquidity_band(score: int, thresholds: DepthThresholds = DEFAULT_THRESHOLDS) -> LiquidityBand:
    if score >= thresholds.high_liquidity_score:
        return LiquidityBand.HIGH
    if score >= thresholds.medium_liquidity_score:
        return LiquidityBand.MEDIUM
    if score >= thresholds.min_liquidity_score:
        return LiquidityBand.LOW
    return LiquidityBand.ILLIQUID


# --- prices on the tick grid ----------------------------------------------------------------


def to_tick(price: Decimal, tick_size: Decimal, *, up: bool) -> Decimal:
    """`price` on the tick grid, rounded up (toward a seller's advantage) or down (a buyer's)."""
    ticks = (price / tick_size).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR)
    return ticks * tick_size


def _passive_inside_spread(side: Side, mid: Decimal, tick_size: Decimal) -> Decimal:
    # The mid on the grid, rounded to the order's advantage: it improves a wide spread rather
    # than paying it (a buy rounds down, a sell up).
    return to_tick(mid, tick_size, up=side == "SELL")


# --- position size --------------------------------------------------------------------------


def _walk_impact(levels: Sequence[DepthLevel], side: Side, quantity: int, mid: Decimal) -> Decimal | None:
    return _impact_bps(walk_book(levels, quantity), side, mid)


def _largest_within_budget(
    levels: Sequence[DepthLevel], side: Side, mid: Decimal, lot_size: int, budget_bps: Decimal, max_lots: int
) -> int:
    """Largest n ≤ max_lots with impact(n lots) ≤ budget. Impact never falls with size, so bisect."""
    lo, hi = 0, max_lots  # invariant: lo fits (0 always does), everything above hi does not
    while lo < hi:
        probe = (lo + hi + 1) // 2
        impact = _walk_impact(levels, side, probe * lot_size, mid)
        if impact is not None and impact <= budget_bps:
            lo = probe
        else:
            hi = probe - 1
    return lo


def recommend_position_size(
    quote: Quote,
    side: Side,
    *,
    lot_size: int,
    impact_budget_bps: Decimal,
    max_quantity: int | None = None,
) -> PositionSizeRecommendation:
    """The largest quantity, in whole lots, whose walk of the visible book stays within the budget.

    Never more than the visible book holds (beyond it the impact is unknown) nor `max_quantity`
    (e.g. the freeze limit or a risk cap).
    """
    if lot_size <= 0:
        raise ValueError("lot_size must be positive")
    bid, ask = _best(quote.buy_depth, True), _best(quote.sell_depth, False)
    levels = _opposite_side(quote.buy_depth, quote.sell_depth, side)
    if bid is None or ask is None or not levels:
        return PositionSizeRecommendation(0, 0, None, "visible depth")
    mid = (bid + ask) / 2
    visible_lots = sum(lv.quantity for lv in levels) // lot_size
    cap_lots = visible_lots
    limited_by = "visible depth"
    if max_quantity is not None and max_quantity // lot_size < cap_lots:
        cap_lots, limited_by = max(0, max_quantity // lot_size), "max quantity"
    lots = _largest_within_budget(levels, side, mid, lot_size, Decimal(impact_budget_bps), cap_lots)
    if lots < cap_lots:
        limited_by = "impact budget"
    impact = _walk_impact(levels, side, lots * lot_size, mid) if lots else None
    return PositionSizeRecommendation(lots, lots * lot_size, impact, limited_by)


# --- the decision ---------------------------------------------------------------------------


def _recommend(
    order: OrderIntent,
    *,
    mid: Decimal | None,
    category: SpreadCategory | None,
    impact: Decimal | None,
    walk: BookWalk,
    score: int,
    band: LiquidityBand,
    levels: Sequence[DepthLevel],
    tick_size: Decimal,
    lot_size: int,
    t: DepthThresholds,
) -> Recommendation:
    """The seeds' decision matrix [QR §2], first matching rule wins (docs/analytics.md lists them)."""
    side = order.side
    if mid is None or category is None or walk.visible_quantity == 0:
        return Recommendation(ExecutionAction.REQUIRE_APPROVAL, "no two-sided book to trade against", None, None)
    passive = _passive_inside_spread(side, mid, tick_size)
    if category is SpreadCategory.VERY_WIDE:
        return Recommendation(
            ExecutionAction.REQUIRE_APPROVAL,
            f"spread is very wide (> {t.wide_spread_pct_max}% of mid)",
            passive,
            None,
        )
    if band is LiquidityBand.ILLIQUID:
        return Recommendation(
            ExecutionAction.REQUIRE_APPROVAL,
            f"illiquid: liquidity score {score} < {t.min_liquidity_score}",
            passive,
            None,
        )
    too_costly = impact is None or impact > t.max_impact_bps
    if walk.book_shortfall > 0 or too_costly:
        why = (
            f"order exceeds the visible book by {walk.book_shortfall}"
            if walk.book_shortfall > 0
            else f"impact {impact} bps > {t.max_impact_bps} bps"
        )
        if t.require_approval_high_impact:
            return Recommendation(ExecutionAction.REQUIRE_APPROVAL, f"{why}; strategy requires approval", passive, None)
        if category is SpreadCategory.WIDE:
            # Splitting does not shrink a wide spread: the user decides.
            return Recommendation(ExecutionAction.ALERT_USER_HIGH_COST, f"{why} and the spread is wide", passive, None)
        slice_lots = _largest_within_budget(
            levels, side, mid, lot_size, t.max_impact_bps, walk.visible_quantity // lot_size
        )
        # A slice takes at most the best level (one lot if that level is smaller), so it never sweeps.
        slice_lots = min(slice_lots, max(1, levels[0].quantity // lot_size))
        slice_qty = slice_lots * lot_size or None
        touch = levels[0].price
        if slice_qty is None:
            # Not even one lot fits the budget although the spread is not wide: the top level is thin.
            return Recommendation(
                ExecutionAction.ALERT_USER_HIGH_COST, f"{why}; one lot already exceeds it", passive, None
            )
        if walk.book_shortfall > 0:
            # More than the book shows: take it in slices over time while the book refills.
            return Recommendation(ExecutionAction.TWAP, f"{why}; split over time", touch, slice_qty)
        # The book holds it, but sweeping it moves the price: rest at the touch, show one slice.
        return Recommendation(ExecutionAction.ICEBERG, f"{why}; hide the size", touch, slice_qty)
    if category is SpreadCategory.WIDE:
        return Recommendation(
            ExecutionAction.ALERT_USER_HIGH_COST,
            f"spread is wide ({t.normal_spread_pct_max}-{t.wide_spread_pct_max}% of mid): limit inside the spread",
            passive,
            None,
        )
    if band is LiquidityBand.LOW:
        return Recommendation(
            ExecutionAction.ALERT_USER_HIGH_COST,
            f"low liquidity: score {score} < {t.medium_liquidity_score}",
            passive,
            None,
        )
    assert impact is not None  # too_costly covers None
    if category is SpreadCategory.TIGHT and impact <= t.market_impact_bps_max and band is LiquidityBand.HIGH:
        return Recommendation(
            ExecutionAction.EXECUTE_MARKET,
            f"tight spread, impact {impact} bps ≤ {t.market_impact_bps_max} bps, high liquidity",
            None,
            None,
        )
    # A marketable limit at the worst level the walk needs: fills what the book shows now and
    # cannot sweep further if the book moves before the order arrives.
    return Recommendation(
        ExecutionAction.EXECUTE_LIMIT,
        f"{category.value.lower()} spread, impact {impact} bps, {band.value.lower()} liquidity",
        walk.worst_price,
        None,
    )


def analyse_book(
    buy_depth: Sequence[DepthLevel],
    sell_depth: Sequence[DepthLevel],
    order: OrderIntent,
    *,
    tick_size: Decimal,
    lot_size: int = 1,
    volume: int | None = None,
    open_interest: int | None = None,
    thresholds: DepthThresholds = DEFAULT_THRESHOLDS,
) -> DepthAnalysis:
    """Analyse `order` against a book given as its two sides (best first, as Kite sends them)."""
    if order.quantity <= 0:
        raise ValueError("quantity must be positive")
    if tick_size <= 0 or lot_size <= 0:
        raise ValueError("tick_size and lot_size must be positive")
    bid, ask = _best(buy_depth, True), _best(sell_depth, False)
    mid = (bid + ask) / 2 if bid is not None and ask is not None else None
    spread = ask - bid if bid is not None and ask is not None else None
    # Categorise and score on the exact figure; report it rounded.
    exact_spread_pct = spread / mid * _HUNDRED if spread is not None and mid else None
    category = spread_category(exact_spread_pct, thresholds) if exact_spread_pct is not None else None
    levels = _opposite_side(buy_depth, sell_depth, order.side)
    walk = walk_book(levels, order.quantity)
    fillable = (
        fillable_within_limit(levels, order.side, order.quantity, order.limit_price)
        if order.limit_price is not None
        else None
    )
    impact = _impact_bps(walk, order.side, mid)
    score = liquidity_score(
        quantity=order.quantity,
        visible_quantity=walk.visible_quantity,
        spread_pct=exact_spread_pct,
        volume=volume,
        open_interest=open_interest,
        thresholds=thresholds,
    )
    band = liquidity_band(score, thresholds)
    recommendation = _recommend(
        order,
        mid=mid,
        category=category,
        impact=impact,
        walk=walk,
        score=score,
        band=band,
        levels=levels,
        tick_size=tick_size,
        lot_size=lot_size,
        t=thresholds,
    )
    return DepthAnalysis(
        side=order.side,
        quantity=order.quantity,
        best_bid=bid,
        best_ask=ask,
        mid=mid,
        spread=spread,
        spread_pct=(
            exact_spread_pct.quantize(_PRICE_PLACES, ROUND_HALF_EVEN) if exact_spread_pct is not None else None
        ),
        spread_category=category,
        walk=walk,
        fillable_at_limit=fillable,
        impact_bps=impact,
        slippage=_slippage(walk, order.side, mid),
        liquidity_score=score,
        liquidity_band=band,
        recommendation=recommendation,
    )


def analyse_depth(
    quote: Quote,
    order: OrderIntent,
    *,
    tick_size: Decimal,
    lot_size: int = 1,
    volume: int | None = None,
    open_interest: int | None = None,
    thresholds: DepthThresholds = DEFAULT_THRESHOLDS,
) -> DepthAnalysis:
    """`analyse_book` on a Quote's depth. Volume and OI are the caller's choice (e.g. quote.volume)."""
    return analyse_book(
        quote.buy_depth,
        quote.sell_depth,
        order,
        tick_size=tick_size,
        lot_size=lot_size,
        volume=volume,
        open_interest=open_interest,
        thresholds=thresholds,
    )
