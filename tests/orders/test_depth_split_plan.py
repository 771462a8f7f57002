"""A depth-aware split's child size (orders.algo_plan.depth_split_child, pure): whole lots, at least one, at most
what is left and the cap; within the impact budget unless one lot already exceeds it; a deeper book never gives a
smaller child."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketdata.types import DepthLevel, Quote
from orders.algo_plan import depth_split_child

D = Decimal
TICK = D("0.05")


def _quote(bid_ticks: int, gaps: list[int], sizes: list[int], lot: int, side: str) -> Quote:
    """A book whose side the order takes has levels `gaps` ticks apart with `sizes` lots; the other side a
    mirror (so the mid is fixed by the touch)."""
    ask_ticks = bid_ticks + gaps[0]
    takes, ticks = [], ask_ticks if side == "BUY" else bid_ticks
    for g, n in zip([0, *gaps[1:]], sizes, strict=False):
        ticks += g if side == "BUY" else -g
        takes.append(DepthLevel(TICK * ticks, n * lot, 1))
    other = (DepthLevel(TICK * (bid_ticks if side == "BUY" else ask_ticks), 10 * lot, 1),)
    buy, sell = (other, tuple(takes)) if side == "BUY" else (tuple(takes), other)
    px = TICK * ask_ticks
    return Quote(1, datetime(2026, 12, 2, 5, 0, tzinfo=UTC), px, lot, px, 0, 0, px, px, px, px, px / 2, px * 2,
                 buy, sell)


books = st.fixed_dictionaries(
    {
        "bid_ticks": st.integers(200, 50_000),
        "gaps": st.lists(st.integers(1, 40), min_size=5, max_size=5),
        "sizes": st.lists(st.integers(1, 30), min_size=5, max_size=5),
        "extra": st.lists(st.integers(0, 30), min_size=5, max_size=5),
        "lot": st.sampled_from([1, 15, 65, 75, 550]),
        "side": st.sampled_from(["BUY", "SELL"]),
        "budget": st.integers(1, 300),
        "left_lots": st.integers(1, 200),
        "cap_lots": st.one_of(st.none(), st.integers(1, 60)),
    }
)


@settings(max_examples=300, deadline=None)
@given(b=books)
def test_a_child_is_whole_lots_bounded_and_within_the_budget_unless_one_lot_is_too_much(b) -> None:  # noqa: ANN001
    lot = b["lot"]
    q = _quote(b["bid_ticks"], b["gaps"], b["sizes"], lot, b["side"])
    cap = None if b["cap_lots"] is None else b["cap_lots"] * lot
    c = depth_split_child(q, side=b["side"], lot_size=lot, impact_budget_bps=D(b["budget"]),
                          remaining=b["left_lots"] * lot, max_quantity=cap)
    assert c.quantity % lot == 0 and lot <= c.quantity <= b["left_lots"] * lot
    assert cap is None or c.quantity <= cap
    if c.limited_by != "one lot minimum":
        assert c.impact_bps <= b["budget"]
    levels = q.sell_depth if b["side"] == "BUY" else q.buy_depth
    assert c.limit_price in {lv.price for lv in levels}  # the walk's last level: marketable, bounded


@settings(max_examples=300, deadline=None)
@given(b=books)
def test_a_deeper_book_never_gives_a_smaller_child(b) -> None:  # noqa: ANN001
    lot = b["lot"]
    kw = dict(side=b["side"], lot_size=lot, impact_budget_bps=D(b["budget"]), remaining=b["left_lots"] * lot,
              max_quantity=None if b["cap_lots"] is None else b["cap_lots"] * lot)
    thin = depth_split_child(_quote(b["bid_ticks"], b["gaps"], b["sizes"], lot, b["side"]), **kw)
    deeper_sizes = [n + e for n, e in zip(b["sizes"], b["extra"], strict=True)]
    deep = depth_split_child(_quote(b["bid_ticks"], b["gaps"], deeper_sizes, lot, b["side"]), **kw)
    assert deep.quantity >= thin.quantity


def test_nothing_left_or_no_book_sends_nothing() -> None:
    q = _quote(2000, [1, 1, 1, 1, 1], [5, 5, 5, 5, 5], 75, "BUY")
    assert depth_split_child(q, side="BUY", lot_size=75, impact_budget_bps=D(50), remaining=74).quantity == 0
    empty = Quote(1, q.timestamp, q.last_price, 75, q.last_price, 0, 0, q.open, q.high, q.low, q.close,
                  q.lower_circuit_limit, q.upper_circuit_limit, q.buy_depth, ())
    assert depth_split_child(empty, side="BUY", lot_size=75, impact_budget_bps=D(50), remaining=750).limited_by == (
        "no book"
    )
