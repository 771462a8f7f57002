"""marketdata.depth_analysis: worked examples (computed by hand here) and hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketdata.depth_analysis import (
    DEFAULT_THRESHOLDS,
    DepthThresholds,
    ExecutionAction,
    LiquidityBand,
    OrderIntent,
    SpreadCategory,
    analyse_book,
    analyse_depth,
    recommend_position_size,
    spread_category,
    to_tick,
)
from marketdata.types import DepthLevel, Quote

D = Decimal
TICK = D("0.05")


def levels(*pairs: tuple[str, int]) -> tuple[DepthLevel, ...]:
    return tuple(DepthLevel(price=D(p), quantity=q, orders=1) for p, q in pairs)


def quote(bids: tuple[DepthLevel, ...], asks: tuple[DepthLevel, ...]) -> Quote:
    px = asks[0].price if asks else bids[0].price if bids else D(100)
    return Quote(
        instrument_token=1,
        timestamp=datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        last_price=px,
        last_quantity=1,
        average_price=px,
        volume=0,
        oi=0,
        open=px,
        high=px,
        low=px,
        close=px,
        lower_circuit_limit=px / 2,
        upper_circuit_limit=px * 2,
        buy_depth=bids,
        sell_depth=asks,
    )


# A book around mid 100.00 with a 0.10 spread (0.1%: TIGHT).
BIDS = levels(("99.95", 100), ("99.90", 200), ("99.85", 300))
ASKS = levels(("100.05", 100), ("100.10", 200), ("100.15", 300))


# --- worked examples ------------------------------------------------------------------------


def test_buy_walks_two_levels() -> None:
    a = analyse_depth(quote(BIDS, ASKS), OrderIntent("BUY", 250), tick_size=TICK)
    assert (a.best_bid, a.best_ask, a.mid, a.spread) == (D("99.95"), D("100.05"), D("100.00"), D("0.10"))
    assert a.spread_pct == D("0.1000")  # 0.10 / 100 × 100
    assert a.spread_category is SpreadCategory.TIGHT
    # 100 @ 100.05 + 150 @ 100.10 = 10,005 + 15,015 = 25,020 for 250 -> VWAP 100.08
    assert a.walk.vwap == D("100.08")
    assert a.walk.levels_consumed == 2
    assert a.walk.worst_price == D("100.10")
    assert a.walk.visible_quantity == 600
    assert a.walk.book_shortfall == 0
    assert a.impact_bps == D("8.00")  # (100.08 − 100) / 100 × 10,000
    assert a.slippage == D("20.00")  # 25,020 − 250 × 100
    # Liquidity: depth 600 / (5 × 250) = 0.48 × 40 = 19.2; spread (1 − 0.1/1.0) × 30 = 27;
    # no volume/OI given, so out of 70: 46.2 / 70 = 66.
    assert a.liquidity_score == 66
    assert a.liquidity_band is LiquidityBand.MEDIUM
    # Tight, 8 bps, but only medium liquidity: a marketable limit at the worst level needed.
    assert a.recommendation.action is ExecutionAction.EXECUTE_LIMIT
    assert a.recommendation.limit_price == D("100.10")


def test_with_volume_and_oi_the_same_order_goes_at_market() -> None:
    a = analyse_depth(
        quote(BIDS, ASKS), OrderIntent("BUY", 250), tick_size=TICK, volume=1_000_000, open_interest=500_000
    )
    # Volume and OI are both > 100 × the order: full marks, 15 each. (19.2 + 27 + 15 + 15) / 100 = 76.
    assert a.liquidity_score == 76
    assert a.liquidity_band is LiquidityBand.HIGH
    assert a.recommendation.action is ExecutionAction.EXECUTE_MARKET
    assert a.recommendation.limit_price is None
    assert "8.00 bps" in a.recommendation.reason


def test_sell_walks_the_bids() -> None:
    a = analyse_book(BIDS, ASKS, OrderIntent("SELL", 450), tick_size=TICK)
    # 100 @ 99.95 + 200 @ 99.90 + 150 @ 99.85 = 9,995 + 19,980 + 14,977.5 = 44,952.5 for 450
    assert a.walk.vwap == D("99.8944")  # 99.894444... to 4 places
    assert a.walk.levels_consumed == 3
    # (100 − 99.894444...) / 100 × 10,000 = 10.5555... -> 10.56 bps; slippage 450 × 100 − 44,952.5
    assert a.impact_bps == D("10.56")
    assert a.slippage == D("47.50")


def test_limit_price_says_what_fills_now() -> None:
    a = analyse_book(BIDS, ASKS, OrderIntent("BUY", 250, limit_price=D("100.05")), tick_size=TICK)
    assert a.fillable_at_limit == 100
    assert a.impact_bps == D("8.00")  # the impact is still the whole order's
    s = analyse_book(BIDS, ASKS, OrderIntent("SELL", 250, limit_price=D("99.90")), tick_size=TICK)
    assert s.fillable_at_limit == 250
    assert analyse_book(BIDS, ASKS, OrderIntent("BUY", 5), tick_size=TICK).fillable_at_limit is None


@pytest.mark.parametrize(
    ("pct", "category"),
    [
        ("0.1999", SpreadCategory.TIGHT),
        ("0.2", SpreadCategory.NORMAL),
        ("0.5", SpreadCategory.NORMAL),
        ("0.5001", SpreadCategory.WIDE),
        ("1.0", SpreadCategory.WIDE),
        ("1.0001", SpreadCategory.VERY_WIDE),
    ],
)
def test_spread_category_boundaries(pct: str, category: SpreadCategory) -> None:
    assert spread_category(D(pct)) is category


def test_strategy_limits_override_the_thresholds() -> None:
    # The seeds' conservative strategy: max_order_spread_pct 0.3, min_liquidity_score 70,
    # max_market_impact_bps 30, require_user_approval_high_impact.
    t = DEFAULT_THRESHOLDS.for_strategy(
        max_order_spread_pct=D("0.3"),
        min_liquidity_score=70,
        max_market_impact_bps=D(30),
        require_user_approval_high_impact=True,
    )
    assert (t.tight_spread_pct, t.normal_spread_pct_max, t.wide_spread_pct_max) == (D("0.2"), D("0.3"), D("0.3"))
    assert (t.min_liquidity_score, t.medium_liquidity_score, t.high_liquidity_score) == (70, 70, 70)
    assert (t.market_impact_bps_max, t.max_impact_bps, t.require_approval_high_impact) == (D(10), D(30), True)
    assert spread_category(D("0.4"), t) is SpreadCategory.VERY_WIDE
    assert spread_category(D("0.4")) is SpreadCategory.NORMAL
    assert DEFAULT_THRESHOLDS.for_strategy(max_order_spread_pct=0.3).wide_spread_pct_max == D("0.3")  # JSON float
    strict = DEFAULT_THRESHOLDS.for_strategy(max_order_spread_pct=D("0.1"))
    assert (strict.tight_spread_pct, strict.normal_spread_pct_max) == (D("0.1"), D("0.1"))
    with pytest.raises(ValueError):
        DepthThresholds(tight_spread_pct=D("0.6"))


def test_wide_spread_alerts_with_a_limit_inside_the_spread() -> None:
    bids, asks = levels(("99.60", 1000)), levels(("100.45", 1000))
    buy = analyse_book(bids, asks, OrderIntent("BUY", 10), tick_size=TICK)
    # mid 100.025, spread 0.85 / 100.025 = 0.8498% -> WIDE
    assert buy.mid == D("100.025")
    assert buy.spread_pct == D("0.8498")
    assert buy.spread_category is SpreadCategory.WIDE
    assert buy.recommendation.action is ExecutionAction.ALERT_USER_HIGH_COST
    assert buy.recommendation.limit_price == D("100.00")  # the mid, rounded down for a buy
    sell = analyse_book(bids, asks, OrderIntent("SELL", 10), tick_size=TICK)
    assert sell.recommendation.limit_price == D("100.05")  # and up for a sell
    # (100.45 − 100.025) / 100.025 × 10,000 = 42.4894 bps
    assert buy.impact_bps == D("42.49")


def test_very_wide_spread_needs_approval() -> None:
    a = analyse_book(levels(("98.00", 1000)), levels(("102.00", 1000)), OrderIntent("BUY", 10), tick_size=TICK)
    assert a.spread_category is SpreadCategory.VERY_WIDE  # 4%
    assert a.recommendation.action is ExecutionAction.REQUIRE_APPROVAL
    assert a.recommendation.limit_price == D("100.00")


def test_illiquid_needs_approval_low_liquidity_alerts() -> None:
    # Spread 0.9% (WIDE); depth 10 / (5 × 10) = 0.2 × 40 = 8; spread (1 − 0.9) × 30 = 3;
    # volume and OI 0 -> 0: 11 / 100 = 11 < 20 -> ILLIQUID.
    thin = analyse_book(
        levels(("99.55", 10)), levels(("100.45", 10)), OrderIntent("BUY", 10), tick_size=TICK, volume=0, open_interest=0
    )
    assert thin.liquidity_score == 11
    assert thin.liquidity_band is LiquidityBand.ILLIQUID
    assert thin.recommendation.action is ExecutionAction.REQUIRE_APPROVAL
    # Tight book but little of it: depth 60 / 250 = 0.24 × 40 = 9.6; spread 27;
    # volume, OI 100 × 0.01 / 50 = 0.02 × 15 = 0.3 each: 37.2 -> 37 (LOW).
    low = analyse_book(
        levels(("99.95", 60)),
        levels(("100.05", 60)),
        OrderIntent("BUY", 50),
        tick_size=TICK,
        volume=100,
        open_interest=100,
    )
    assert low.liquidity_score == 37
    assert low.liquidity_band is LiquidityBand.LOW
    assert low.recommendation.action is ExecutionAction.ALERT_USER_HIGH_COST


# Tight at the top, thin behind it: size is what costs.
STEEP_ASKS = levels(("100.05", 100), ("100.50", 100), ("101.00", 1000))
STEEP_BIDS = levels(
    ("99.95", 1000),
)


def test_large_order_within_the_book_goes_iceberg() -> None:
    a = analyse_book(STEEP_BIDS, STEEP_ASKS, OrderIntent("BUY", 600), tick_size=TICK, lot_size=50)
    # 100 @ 100.05 + 100 @ 100.50 + 400 @ 101.00 = 10,005 + 10,050 + 40,400 = 60,455 / 600
    assert a.walk.vwap == D("100.7583")
    assert a.impact_bps == D("75.83")  # > 50
    assert a.recommendation.action is ExecutionAction.ICEBERG
    assert a.recommendation.limit_price == D("100.05")  # rest at the touch
    # Largest slice within 50 bps is 250 (42 bps, see below), capped at the best level's 100.
    assert a.recommendation.slice_quantity == 100


def test_order_bigger_than_the_book_goes_twap() -> None:
    a = analyse_book(STEEP_BIDS, STEEP_ASKS, OrderIntent("BUY", 1500), tick_size=TICK, lot_size=50)
    assert a.walk.book_shortfall == 300
    assert a.walk.filled_quantity == 1200
    assert a.recommendation.action is ExecutionAction.TWAP
    assert a.recommendation.slice_quantity == 100


def test_high_impact_needs_approval_when_the_strategy_says_so() -> None:
    t = DEFAULT_THRESHOLDS.for_strategy(require_user_approval_high_impact=True)
    a = analyse_book(STEEP_BIDS, STEEP_ASKS, OrderIntent("BUY", 600), tick_size=TICK, lot_size=50, thresholds=t)
    assert a.recommendation.action is ExecutionAction.REQUIRE_APPROVAL


def test_no_book_needs_approval() -> None:
    a = analyse_book(BIDS, (), OrderIntent("BUY", 10), tick_size=TICK)
    assert a.mid is None and a.spread_category is None and a.impact_bps is None
    assert a.walk.book_shortfall == 10
    assert a.recommendation.action is ExecutionAction.REQUIRE_APPROVAL
    with pytest.raises(ValueError):
        analyse_book(BIDS, ASKS, OrderIntent("BUY", 0), tick_size=TICK)


def test_position_size_within_an_impact_budget() -> None:
    q = quote(STEEP_BIDS, STEEP_ASKS)  # mid 100.00
    # Lots of 50: 100 -> 100.05 (5 bps); 200 -> 20,055 / 200 = 100.275 (27.5 bps);
    # 250 -> 25,105 / 250 = 100.42 (42 bps); 300 -> 30,155 / 300 = 100.5167 (51.67 bps).
    r = recommend_position_size(q, "BUY", lot_size=50, impact_budget_bps=D(50))
    assert (r.lots, r.quantity, r.impact_bps, r.limited_by) == (5, 250, D("42.00"), "impact budget")
    assert recommend_position_size(q, "BUY", lot_size=50, impact_budget_bps=D(4)).quantity == 0
    # A huge budget: the visible 1,200 (24 lots), or the caller's cap.
    assert recommend_position_size(q, "BUY", lot_size=50, impact_budget_bps=D(1000)).quantity == 1200
    capped = recommend_position_size(q, "BUY", lot_size=50, impact_budget_bps=D(1000), max_quantity=420)
    assert (capped.quantity, capped.limited_by) == (400, "max quantity")


def test_to_tick() -> None:
    assert to_tick(D("100.025"), TICK, up=False) == D("100.00")
    assert to_tick(D("100.025"), TICK, up=True) == D("100.05")
    assert to_tick(D("100.05"), TICK, up=True) == D("100.05")


# --- properties -----------------------------------------------------------------------------


@st.composite
def books(draw: st.DrawFn) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
    """A well-formed book on the 0.05 grid: bids below asks, 1-5 levels a side, best first."""
    best_bid = draw(st.integers(200, 100_000))  # in ticks: deep enough that a mirrored book stays positive
    gap = draw(st.integers(1, 40))

    def side(start: int, step: int) -> tuple[DepthLevel, ...]:
        n = draw(st.integers(1, 5))
        gaps = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
        qtys = draw(st.lists(st.integers(1, 5_000), min_size=n, max_size=n))
        out, ticks = [], start
        for g, q in zip(gaps, qtys, strict=True):
            out.append(DepthLevel(price=TICK * ticks, quantity=q, orders=1))
            ticks += step * g
        return tuple(out)

    return side(best_bid, -1), side(best_bid + gap, 1)


def _mirror(
    bids: tuple[DepthLevel, ...], asks: tuple[DepthLevel, ...]
) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
    """Prices reflected through the mid (p -> bid + ask − p): asks become bids and vice versa."""
    two_mid = bids[0].price + asks[0].price
    return (
        tuple(replace(lv, price=two_mid - lv.price) for lv in asks),
        tuple(replace(lv, price=two_mid - lv.price) for lv in bids),
    )


sides = st.sampled_from(["BUY", "SELL"])
optional_counts = st.none() | st.integers(0, 10_000_000)


@settings(max_examples=150, deadline=None)
@given(book=books(), side=sides, q1=st.integers(1, 30_000), q2=st.integers(1, 30_000))
def test_impact_never_falls_as_size_grows(book, side, q1, q2) -> None:  # noqa: ANN001
    small, large = sorted((q1, q2))
    a = analyse_book(*book, OrderIntent(side, small), tick_size=TICK)
    b = analyse_book(*book, OrderIntent(side, large), tick_size=TICK)
    assert a.impact_bps is not None and b.impact_bps is not None
    assert a.impact_bps <= b.impact_bps
    assert a.impact_bps >= 0  # the half-spread is always paid


@settings(max_examples=150, deadline=None)
@given(
    book=books(),
    side=sides,
    qty=st.integers(1, 30_000),
    extra=st.lists(st.integers(0, 5_000), min_size=10, max_size=10),
    volume=optional_counts,
    oi=optional_counts,
)
def test_a_deeper_book_never_scores_lower(book, side, qty, extra, volume, oi) -> None:  # noqa: ANN001
    bids, asks = book
    deeper_bids = tuple(replace(lv, quantity=lv.quantity + e) for lv, e in zip(bids, extra[:5], strict=False))
    deeper_asks = tuple(replace(lv, quantity=lv.quantity + e) for lv, e in zip(asks, extra[5:], strict=False))
    kw = {"tick_size": TICK, "volume": volume, "open_interest": oi}
    base = analyse_book(bids, asks, OrderIntent(side, qty), **kw)
    deeper = analyse_book(deeper_bids, deeper_asks, OrderIntent(side, qty), **kw)
    assert deeper.liquidity_score >= base.liquidity_score
    if base.walk.book_shortfall == 0:  # (with a shortfall the impact covers only what is visible)
        assert deeper.impact_bps <= base.impact_bps  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(book=books(), qty=st.integers(1, 30_000), lot=st.sampled_from([1, 15, 50, 75]), volume=optional_counts)
def test_a_sell_mirrors_a_buy_on_the_mirrored_book(book, qty, lot, volume) -> None:  # noqa: ANN001
    bids, asks = book
    m_bids, m_asks = _mirror(bids, asks)
    buy = analyse_book(bids, asks, OrderIntent("BUY", qty), tick_size=TICK, lot_size=lot, volume=volume)
    sell = analyse_book(m_bids, m_asks, OrderIntent("SELL", qty), tick_size=TICK, lot_size=lot, volume=volume)
    assert sell.mid == buy.mid and sell.spread == buy.spread and sell.spread_category == buy.spread_category
    assert sell.impact_bps == buy.impact_bps
    assert sell.slippage == buy.slippage
    assert sell.walk.levels_consumed == buy.walk.levels_consumed
    assert sell.walk.book_shortfall == buy.walk.book_shortfall
    assert abs((2 * buy.mid - buy.walk.vwap) - sell.walk.vwap) <= D("0.0001")  # type: ignore[operator]
    assert sell.liquidity_score == buy.liquidity_score
    assert sell.recommendation.action == buy.recommendation.action
    assert sell.recommendation.slice_quantity == buy.recommendation.slice_quantity
    if buy.recommendation.limit_price is None:
        assert sell.recommendation.limit_price is None
    else:
        assert sell.recommendation.limit_price == 2 * buy.mid - buy.recommendation.limit_price  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(book=books(), side=sides, qty=st.integers(1, 40_000))
def test_unfilled_is_what_the_book_does_not_show(book, side, qty) -> None:  # noqa: ANN001
    bids, asks = book
    visible = sum(lv.quantity for lv in (asks if side == "BUY" else bids))
    a = analyse_book(bids, asks, OrderIntent(side, qty), tick_size=TICK)
    assert a.walk.visible_quantity == visible
    assert a.walk.book_shortfall == max(0, qty - visible)
    assert a.walk.filled_quantity == min(qty, visible)


@settings(max_examples=100, deadline=None)
@given(book=books(), side=sides, lot=st.sampled_from([1, 15, 50, 75]), budget=st.integers(0, 300))
def test_position_size_is_the_largest_within_budget(book, side, lot, budget) -> None:  # noqa: ANN001
    q = quote(*book)
    r = recommend_position_size(q, side, lot_size=lot, impact_budget_bps=D(budget))
    assert r.quantity == r.lots * lot
    if r.lots:
        assert r.impact_bps is not None and r.impact_bps <= budget
    visible = sum(lv.quantity for lv in (q.sell_depth if side == "BUY" else q.buy_depth))
    one_more = (r.lots + 1) * lot
    if one_more <= visible:
        bigger = analyse_depth(q, OrderIntent(side, one_more), tick_size=TICK)
        assert bigger.impact_bps is not None and bigger.impact_bps > budget
