"""The SPAN engine: T7 scan risks, calendar spreads, short option minimum, NOV, hedges, netting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from margin.span.engine import portfolio_margin, scenario_losses, underlying_margin
from margin.span.parser import parse_span
from margin.span.synthetic import synthetic_commodity, synthetic_future, synthetic_option
from margin.span.types import ContractKind, Position

T7_FILE = Path(__file__).parent / "data" / "t7.spn"
JUN, JUL = date(2026, 6, 30), date(2026, 7, 28)
AS_OF = date(2026, 6, 25)  # the business date of T7's file
LOT = 65  # NIFTY lot from the Jan-2026 expiries (reference data §5.1)


@pytest.fixture(scope="module")
def data():
    return parse_span(T7_FILE)


@pytest.fixture(scope="module")
def fut(data):
    return data.contract("NIFTY", ContractKind.FUTURE, JUN)


@pytest.fixture(scope="module")
def fut_jul(data):
    return data.contract("NIFTY", ContractKind.FUTURE, JUL)


@pytest.fixture(scope="module")
def call(data):
    return data.contract("NIFTY", ContractKind.CALL, JUN, Decimal("24000"))


@pytest.fixture(scope="module")
def put(data):
    return data.contract("NIFTY", ContractKind.PUT, JUN, Decimal("24000"))


def nifty(data, *positions, as_of=AS_OF):
    return underlying_margin(list(positions), data.commodities["NIFTY"], as_of=as_of)


# --- T7 -----------------------------------------------------------------------------------------


def test_t7_long_one_unit(data, fut):
    m = nifty(data, Position(fut, 1))
    assert m.scan_risk == Decimal("2244.36") and m.worst_scenario == 13
    assert m.span == Decimal("2244.36") and m.net_option_value == 0 and m.calendar_spread_charge == 0


def test_t7_short_one_unit(data, fut):
    m = nifty(data, Position(fut, -1))
    assert m.scan_risk == Decimal("2226.91") and m.worst_scenario == 11


def test_t7_one_lot(data, fut):
    assert nifty(data, Position(fut, LOT)).span == Decimal("145883.40")  # T7 [DERIVED]: 65 × 2244.36
    assert nifty(data, Position(fut, 75)).span == Decimal("168327.00")  # the analysis' lot of 75


# --- calendar spread ----------------------------------------------------------------------------


def test_calendar_spread_charge_replaces_scan_risk(data, fut, fut_jul):
    m = nifty(data, Position(fut, LOT), Position(fut_jul, -LOT))
    assert m.scan_risk == 0  # same arrays: the scan sees no risk
    assert m.calendar_spread_charge == Decimal(LOT * 425)  # dSpread rate 425 per delta unit (T7)
    assert m.span == Decimal("27625")


def test_calendar_spread_consumes_matched_delta_only(data, fut, fut_jul):
    m = nifty(data, Position(fut, 2 * LOT), Position(fut_jul, -LOT))
    assert m.calendar_spread_charge == Decimal(LOT * 425)
    assert m.scan_risk == Decimal("145883.40")  # the unmatched 65 long
    assert m.span == Decimal("145883.40") + Decimal("27625")


def test_same_direction_months_form_no_spread(data, fut, fut_jul):
    m = nifty(data, Position(fut, LOT), Position(fut_jul, LOT))
    assert m.calendar_spread_charge == 0 and m.scan_risk == Decimal("291766.80")


def test_no_calendar_benefit_on_the_near_month_expiry_day(data, fut, fut_jul):
    spread = (Position(fut, LOT), Position(fut_jul, -LOT))
    assert nifty(data, *spread, as_of=date(2026, 6, 29)).span == Decimal("27625")
    m = nifty(data, *spread, as_of=JUN)
    assert m.calendar_spread_charge == 0
    assert m.scan_risk == LOT * Decimal("2244.36") + LOT * Decimal("2226.91")  # each leg on its own


# --- short option minimum, NOV ------------------------------------------------------------------


def test_short_option_minimum_zero_in_nse_index_files(data, call):
    m = nifty(data, Position(call, -LOT))
    assert m.short_option_minimum == 0
    assert m.scan_risk == LOT * Decimal("2105.63")
    assert m.net_option_value == -LOT * Decimal("194.50")
    assert m.span == m.scan_risk - m.net_option_value  # short premium raises the requirement


def test_short_option_minimum_binds_when_above_scan_risk(data, call):
    # Hypothetical somTiers rate of ₹5,000 per short unit (current NSE index files carry 0, §3.5).
    commodity = replace(data.commodities["NIFTY"], som_rate=Decimal("5000"))
    m = underlying_margin([Position(call, -LOT)], commodity, as_of=AS_OF)
    assert m.short_option_minimum == Decimal(LOT * 5000)
    assert m.span == Decimal(LOT * 5000) + LOT * Decimal("194.50")  # max(scan, SOM) − NOV
    # Long options are not short options: no SOM.
    assert underlying_margin([Position(call, LOT)], commodity).short_option_minimum == 0


def test_long_option_needs_no_span_only_premium(data, call):
    pm = portfolio_margin([Position(call, LOT)], commodities=data.commodities, spot=data.spot, as_of=AS_OF)
    m = pm.by_underlying["NIFTY"]
    assert m.scan_risk == LOT * Decimal("194.50") == m.net_option_value
    assert pm.span == 0 and pm.exposure == 0
    assert pm.premium == LOT * Decimal("194.50") and pm.total == 0


# --- hedges and netting -------------------------------------------------------------------------


def test_short_straddle_gets_hedge_benefit(data, call, put):
    together = nifty(data, Position(call, -LOT), Position(put, -LOT))
    apart = nifty(data, Position(call, -LOT)).span + nifty(data, Position(put, -LOT)).span
    assert together.scan_risk == LOT * Decimal("1981.20")  # scenario 11: 2105.63 − 124.43
    assert together.span < apart


def _bank_call(strike: str, premium: str):
    return synthetic_option(
        underlying="BANKNIFTY",
        kind=ContractKind.CALL,
        expiry=date(2025, 8, 28),
        strike=Decimal(strike),
        premium=Decimal(premium),
        underlying_price=Decimal("55181.05"),
        volatility=Decimal("0.184"),
        as_of=date(2025, 8, 8),
        sigma_fraction=Decimal("0.113"),
        vol_scan=Decimal("0.05"),
    )


def test_long_call_spread_gets_hedge_benefit():
    long_leg, short_leg = _bank_call("55000", "1040.00"), _bank_call("56000", "560.00")
    spread = underlying_margin([Position(long_leg, 35), Position(short_leg, -35)])
    apart = underlying_margin([Position(long_leg, 35)]).span + underlying_margin([Position(short_leg, -35)]).span
    assert spread.span < apart
    # A debit spread can lose at most its width: SPAN (after NOV) stays below 1,000 × 35.
    assert spread.scan_risk <= Decimal(1000 * 35)
    assert spread.span < Decimal(1000 * 35)


def test_a_position_and_its_opposite_net_to_zero(data, call, fut):
    for contract in (call, fut):
        assert scenario_losses([Position(contract, 130), Position(contract, -130)]) == [0] * 16
        m = nifty(data, Position(contract, 130), Position(contract, -130))
        assert m.scan_risk == 0 and m.span == 0 and m.net_option_value == 0


def test_portfolio_sums_underlyings(data, fut):
    bank_fut = synthetic_future(
        underlying="BANKNIFTY",
        expiry=date(2025, 8, 28),
        price=Decimal("55400"),
        underlying_price=Decimal("55181.05"),
        as_of=date(2025, 8, 8),
        sigma_fraction=Decimal("0.113"),
    )
    positions = [Position(fut, LOT), Position(bank_fut, -35)]
    pm = portfolio_margin(positions, commodities=data.commodities, spot=data.spot, as_of=AS_OF)
    assert set(pm.by_underlying) == {"NIFTY", "BANKNIFTY"}
    assert pm.by_underlying["BANKNIFTY"].scan_risk == 35 * Decimal("6235.46")
    assert pm.span == pm.by_underlying["NIFTY"].span + pm.by_underlying["BANKNIFTY"].span
    assert pm.total == pm.span + pm.exposure


def test_one_underlying_at_a_time(fut):
    other = replace(fut, underlying="BANKNIFTY")
    with pytest.raises(ValueError, match="several underlyings"):
        underlying_margin([Position(fut, 1), Position(other, 1)])


def test_published_calendar_spread_without_a_file():
    # §3.5: 1.75% of the far-month contract for index calendar spreads: 0.0175 × 24,190 = 423.325 -> 423.32.
    commodity = synthetic_commodity("NIFTY", [("202607", Decimal("24190.00")), ("202606", Decimal("24051.80"))])
    (spread,) = commodity.spreads
    assert spread.rate == Decimal("423.32") and [leg.period for leg in spread.legs] == ["202606", "202607"]
    near, far = (
        synthetic_future(underlying="NIFTY", expiry=e, price=p, underlying_price=Decimal("24050.35"), as_of=AS_OF)
        for e, p in ((JUN, Decimal("24051.80")), (JUL, Decimal("24190.00")))
    )
    m = underlying_margin([Position(near, -LOT), Position(far, LOT)], commodity, as_of=AS_OF)
    assert m.scan_risk == 0 and m.calendar_spread_charge == LOT * Decimal("423.32")
    three = synthetic_commodity("X", [("1", Decimal(100)), ("2", Decimal(200)), ("3", Decimal(300))], index=False)
    assert [(s.legs[0].period, s.legs[1].period, s.rate) for s in three.spreads] == [
        ("1", "2", Decimal("4.40")),
        ("2", "3", Decimal("6.60")),
        ("1", "3", Decimal("6.60")),
    ]
