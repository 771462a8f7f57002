"""The TWAP slice plan (orders.algo_plan, pure): whole lots, the exact total, times inside their intervals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.algo_plan import twap_plan


@settings(max_examples=200, deadline=None)
@given(lots=st.integers(1, 400), lot=st.sampled_from([1, 15, 50, 75]), slices=st.integers(1, 60),
       duration=st.floats(1, 7200), seed=st.integers(0, 2**32), size_jitter=st.floats(0, 0.9),
       time_jitter=st.floats(0, 0.9))
def test_a_plan_is_whole_lots_exact_and_ordered(lots, lot, slices, duration, seed, size_jitter, time_jitter):  # noqa: ANN001
    plan = twap_plan(quantity=lots * lot, lot_size=lot, slices=slices, duration_seconds=duration, seed=seed,
                     size_jitter=size_jitter, time_jitter=time_jitter)
    assert len(plan) == min(slices, lots)
    assert sum(s.quantity for s in plan) == lots * lot
    assert all(s.quantity >= lot and s.quantity % lot == 0 for s in plan)
    interval = duration / len(plan)
    for k, s in enumerate(plan):
        assert s.number == k + 1
        assert k * interval - 1e-3 <= s.offset_seconds <= (k + 1) * interval + 1e-3  # inside its own interval
    assert [s.offset_seconds for s in plan] == sorted(s.offset_seconds for s in plan)


def test_the_same_seed_gives_the_same_plan_and_jitter_stays_in_bounds() -> None:
    a = twap_plan(quantity=1500, lot_size=75, slices=5, duration_seconds=600, seed=7)
    assert a == twap_plan(quantity=1500, lot_size=75, slices=5, duration_seconds=600, seed=7)
    assert a != twap_plan(quantity=1500, lot_size=75, slices=5, duration_seconds=600, seed=8)
    # 20 lots in 5 slices: 4 each ± 20 % rounds to 3..5 lots.
    assert all(225 <= s.quantity <= 375 for s in a)
    flat = twap_plan(quantity=1500, lot_size=75, slices=5, duration_seconds=600, seed=7, size_jitter=0,
                     time_jitter=0)
    assert [(s.offset_seconds, s.quantity) for s in flat] == [(60.0, 300), (180.0, 300), (300.0, 300),
                                                              (420.0, 300), (540.0, 300)]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        twap_plan(quantity=100, lot_size=75, slices=2, duration_seconds=60, seed=1)
    with pytest.raises(ValueError):
        twap_plan(quantity=150, lot_size=75, slices=0, duration_seconds=60, seed=1)


# --- the runner's arithmetic ------------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from orders.algo_plan import (  # noqa: E402
    iceberg_send_quantity,
    participation_headroom,
    price_guard_allows,
    twap_send_quantity,
    vwap,
)


@settings(max_examples=300, deadline=None)
@given(lot=st.sampled_from([1, 15, 75]), total_lots=st.integers(1, 200), data=st.data())
def test_twap_catch_up_never_oversends_and_sends_whole_lots(lot, total_lots, data):  # noqa: ANN001
    total = total_lots * lot
    scheduled = data.draw(st.integers(0, total + 5 * lot))
    done = data.draw(st.integers(0, total))
    headroom = data.draw(st.none() | st.integers(0, total))
    q = twap_send_quantity(scheduled=scheduled, done=done, total=total, lot_size=lot, headroom=headroom)
    assert q >= 0 and q % lot == 0
    assert done + q <= total  # never more than the order
    assert q <= max(0, min(scheduled, total) - done)  # never ahead of the schedule
    if headroom is not None:
        assert q <= headroom
    # Without a cap, a shortfall of at least one lot behind the schedule is always sent.
    if headroom is None and min(scheduled, total) - done >= lot:
        assert q >= lot


def test_twap_catch_up_carries_an_underfilled_slice() -> None:
    # Slice 2 of 4 lots each (scheduled 8 lots), slice 1 filled 1 lot: slice 2 sends 7.
    assert twap_send_quantity(scheduled=600, done=75, total=1500, lot_size=75) == 525
    assert twap_send_quantity(scheduled=600, done=600, total=1500, lot_size=75) == 0


@given(cap=st.floats(0.01, 1), volume=st.integers(0, 10**7), executed=st.integers(0, 10**6))
def test_the_participation_headroom_keeps_the_share_under_the_cap(cap, volume, executed):  # noqa: ANN001
    h = participation_headroom(cap=cap, market_volume=volume, executed=executed)
    assert h is not None and h >= 0
    if h > 0:
        assert executed + h <= cap * volume + 1e-6
    assert participation_headroom(cap=None, market_volume=volume, executed=executed) is None
    assert participation_headroom(cap=cap, market_volume=0, executed=executed) == 0


def test_iceberg_legs_and_the_price_guard() -> None:
    assert iceberg_send_quantity(visible=150, total=375, done=300, lot_size=75) == 75
    assert iceberg_send_quantity(visible=150, total=375, done=0, lot_size=75) == 150
    d = Decimal
    assert price_guard_allows(side="BUY", limit_price=d("100"), best_bid=d("99"), best_ask=d("100"))
    assert not price_guard_allows(side="BUY", limit_price=d("100"), best_bid=d("99"), best_ask=d("100.05"))
    assert price_guard_allows(side="SELL", limit_price=d("100"), best_bid=d("100"), best_ask=d("101"))
    assert not price_guard_allows(side="SELL", limit_price=d("100"), best_bid=None, best_ask=d("101"))
    assert price_guard_allows(side="SELL", limit_price=None, best_bid=None, best_ask=None)
    assert vwap([(75, d("100")), (225, d("104"))]) == d("103")
    assert vwap([]) is None
