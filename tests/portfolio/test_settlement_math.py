"""Pure settlement arithmetic: intrinsic values, final settlement, delivery, and the property that carrying a
futures position at each day's settlement price neither loses nor invents money."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio import settlement_math as sm
from portfolio.positions_math import PositionState, apply_fill, cash_flow_pnl


@pytest.mark.parametrize(
    ("kind", "strike", "spot", "value"),
    [
        ("CE", "24000", "24321.45", "321.45"),
        ("CE", "24500", "24321.45", "0"),
        ("PE", "24500", "24321.45", "178.55"),
        ("PE", "24000", "24321.45", "0"),
        ("FUT", None, "24321.45", "24321.45"),
    ],
)
def test_final_value(kind, strike, spot, value):
    assert sm.final_value(kind, underlying_close=D(spot), strike=D(strike) if strike else None) == D(value)


def test_settle_at_expiry_exercises_only_long_itm_options():
    long_itm = sm.settle_at_expiry(
        "CE", quantity=75, average_price=D("100"), underlying_close=D("24250"), strike=D("24000")
    )
    assert (long_itm.value, long_itm.realised_pnl, long_itm.exercised_quantity) == (D("250"), D("11250"), 75)
    short_itm = sm.settle_at_expiry(
        "CE", quantity=-75, average_price=D("100"), underlying_close=D("24250"), strike=D("24000")
    )
    assert short_itm.exercised_quantity == 0 and short_itm.realised_pnl == D("-11250")
    otm = sm.settle_at_expiry(
        "PE", quantity=75, average_price=D("12.5"), underlying_close=D("24250"), strike=D("24000")
    )
    assert otm.value == 0 and not otm.in_the_money and otm.realised_pnl == D("-937.5")
    with pytest.raises(ValueError):
        sm.final_value("CE", underlying_close=D("1"), strike=None)


def test_physical_delivery_direction():
    args = dict(underlying_close=D("1280"))
    assert sm.physical_delivery("FUT", quantity=-500, strike=None, **args) == sm.Delivery(-500, D("1280"))
    assert sm.physical_delivery("CE", quantity=500, strike=D("1250"), **args).stock_quantity == 500
    assert sm.physical_delivery("PE", quantity=500, strike=D("1300"), **args).stock_quantity == -500
    assert sm.physical_delivery("PE", quantity=-500, strike=D("1300"), **args).stock_quantity == 500
    assert sm.physical_delivery("CE", quantity=500, strike=D("1300"), **args) is None  # OTM lapses


prices = st.integers(min_value=400_000, max_value=600_000).map(lambda n: D(n) / 20)  # 20,000-30,000 on 0.05
fills = st.tuples(st.integers(min_value=-4, max_value=4).filter(bool).map(lambda n: n * 75), prices)
days = st.lists(st.tuples(st.lists(fills, max_size=3), prices), min_size=1, max_size=5)


@given(days, prices)
def test_carrying_at_settlement_conserves_money(schedule, final):
    """Fills each day, M2M at each day's settlement (average := settlement), final close: realised + M2M equal
    the cash-flow P&L of the fills at the final price (to Decimal's 28 digits: an average of three fills need
    not terminate; the ledger's paisa rounding is tested with the services)."""
    state, m2m_total, all_fills = PositionState(), D(0), []
    for day_fills, settle in schedule:
        for q, p in day_fills:
            state = apply_fill(state, q, p)
            all_fills.append((q, p))
        if state.quantity:
            m2m_total += sm.m2m(state.quantity, state.average_price, settle)
            state = PositionState(state.quantity, settle, state.realized)
    close = sm.settle_at_expiry(
        "FUT", quantity=state.quantity, average_price=state.average_price, underlying_close=final, strike=None
    )
    booked = state.realized + close.realised_pnl + m2m_total
    assert abs(booked - cash_flow_pnl(all_fills, final)) < D("1e-15")
