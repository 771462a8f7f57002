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
