"""risk.greeks: Black-76 against py_vollib (vollib), parity, finite differences, IV, positions, batch."""

from __future__ import annotations

import itertools
import math
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from vollib.black import black as ref_price
from vollib.black.greeks.analytical import delta as ref_delta
from vollib.black.greeks.analytical import gamma as ref_gamma
from vollib.black.greeks.analytical import theta as ref_theta
from vollib.black.greeks.analytical import vega as ref_vega
from vollib.black.implied_volatility import implied_volatility as ref_iv

from marketdata.simulator import black76 as simulator_black76
from risk.greeks import (
    IVStatus,
    PositionInput,
    black76_greeks,
    black76_price,
    implied_volatility,
    implied_volatility_from_mid,
    position_greeks,
    revalue_batch,
    total,
    totals_by_account,
    totals_by_strategy,
    totals_by_underlying,
)

FORWARDS = (100.0, 26_000.0)
MONEYNESS = (0.8, 0.9, 0.97, 1.0, 1.03, 1.1, 1.25)  # K / F
EXPIRIES = (1 / 365, 7 / 365, 30 / 365, 0.25, 1.0)
VOLS = (0.08, 0.15, 0.3, 0.6)
RATES = (0.0, 0.065)
GRID = list(itertools.product(FORWARDS, MONEYNESS, EXPIRIES, VOLS, RATES, (True, False)))


def _float_noise(price: float, forward: float, strike: float, years: float, rate: float, is_call: bool) -> float:
    intrinsic = math.exp(-rate * years) * max((forward - strike) if is_call else (strike - forward), 0.0)
    return 8 * 2.220446049250313e-16 * max(price, intrinsic)


# --- against the reference library ----------------------------------------------------------


@pytest.mark.parametrize(("forward", "moneyness"), list(itertools.product(FORWARDS, MONEYNESS)))
def test_matches_py_vollib_on_the_grid(forward: float, moneyness: float) -> None:
    strike = forward * moneyness
    for years, vol, rate, is_call in itertools.product(EXPIRIES, VOLS, RATES, (True, False)):
        flag = "c" if is_call else "p"
        g = black76_greeks(is_call, forward, strike, years, vol, rate)
        case = (forward, strike, years, vol, rate, flag)
        # vollib's vega is per vol point and its theta per calendar day, as ours.
        assert g.price == pytest.approx(ref_price(flag, forward, strike, years, rate, vol), abs=1e-6), case
        assert g.delta == pytest.approx(ref_delta(flag, forward, strike, years, rate, vol), abs=1e-6), case
        assert g.gamma == pytest.approx(ref_gamma(flag, forward, strike, years, rate, vol), abs=1e-6), case
        assert g.vega_per_point == pytest.approx(ref_vega(flag, forward, strike, years, rate, vol), abs=1e-6), case
        assert g.theta_per_day == pytest.approx(ref_theta(flag, forward, strike, years, rate, vol), abs=1e-6), case


def test_implied_vol_matches_py_vollib() -> None:
    checked = 0
    for forward, moneyness, years, vol, rate, is_call in GRID:
        strike = forward * moneyness
        price = black76_price(is_call, forward, strike, years, vol, rate)
        ours = implied_volatility(price, is_call, forward, strike, years, rate)
        if ours.status is not IVStatus.SOLVED:
            continue
        theirs = ref_iv(price, forward, strike, rate, years, "c" if is_call else "p")
        vega = black76_greeks(is_call, forward, strike, years, vol, rate).vega
        # Both are exact to float precision of the price; the vol can differ by that over vega.
        allowed = max(1e-8, 4 * _float_noise(price, forward, strike, years, rate, is_call) / vega)
        assert ours.vol == pytest.approx(theirs, abs=allowed), (forward, strike, years, vol, rate, is_call)
        checked += 1
    assert checked > 800


def test_price_agrees_with_the_simulator() -> None:
    # The simulated market prices options with marketdata.simulator.black76: an IV taken from a
    # simulated mid must mean the same model.
    for forward, moneyness, years, vol, rate, is_call in GRID[::7]:
        strike = forward * moneyness
        ours = black76_price(is_call, forward, strike, years, vol, rate)
        assert ours == pytest.approx(simulator_black76(is_call, forward, strike, years, vol, rate), abs=1e-6)


# --- identities and finite differences ------------------------------------------------------


@pytest.mark.parametrize(("forward", "moneyness"), list(itertools.product(FORWARDS, MONEYNESS)))
def test_put_call_parity(forward: float, moneyness: float) -> None:
    strike = forward * moneyness
    for years, vol, rate in itertools.product(EXPIRIES, VOLS, RATES):
        _check_parity(forward, strike, years, vol, rate)


def _check_parity(forward: float, strike: float, years: float, vol: float, rate: float) -> None:
    call = black76_greeks(True, forward, strike, years, vol, rate)
    put = black76_greeks(False, forward, strike, years, vol, rate)
    df = math.exp(-rate * years)
    assert call.price - put.price == pytest.approx(df * (forward - strike), abs=1e-9 * forward)
    assert call.delta - put.delta == pytest.approx(df, abs=1e-12)
    assert call.gamma == pytest.approx(put.gamma, rel=1e-12, abs=1e-300)
    assert call.vega == pytest.approx(put.vega, rel=1e-12, abs=1e-300)
    # θ_call − θ_put = −∂(D(F − K))/∂T = r·D·(F − K)
    assert call.theta - put.theta == pytest.approx(rate * df * (forward - strike), abs=1e-9 * forward)


@pytest.mark.parametrize(("forward", "moneyness"), list(itertools.product(FORWARDS, MONEYNESS)))
def test_greeks_match_finite_differences(forward: float, moneyness: float) -> None:
    checked = 0
    for years, vol, rate, is_call in itertools.product(EXPIRIES, VOLS, RATES, (True, False)):
        # Skip where the Greeks are below a difference's rounding noise (far OTM one-day options).
        if black76_greeks(is_call, forward, forward * moneyness, years, vol, rate).vega > 1e-4 * forward * math.sqrt(
            years
        ):
            _check_finite_differences(forward, moneyness, years, vol, rate, is_call)
            checked += 1
    assert checked >= 20


def _check_finite_differences(
    forward: float, moneyness: float, years: float, vol: float, rate: float, is_call: bool
) -> None:
    strike = forward * moneyness
    g = black76_greeks(is_call, forward, strike, years, vol, rate)

    def p(f: float = forward, t: float = years, s: float = vol) -> float:
        return black76_price(is_call, f, strike, t, s, rate)

    h_f = 1e-4 * forward * vol * math.sqrt(years)  # a small fraction of one standard deviation
    delta_fd = (p(f=forward + h_f) - p(f=forward - h_f)) / (2 * h_f)
    h_g = 10 * h_f  # a second difference divides the price's rounding noise by h²: a wider step
    gamma_fd = (p(f=forward + h_g) - 2 * p() + p(f=forward - h_g)) / (h_g * h_g)
    h_s = 1e-5
    vega_fd = (p(s=vol + h_s) - p(s=vol - h_s)) / (2 * h_s)
    h_t = 1e-4 * years
    theta_fd = -(p(t=years + h_t) - p(t=years - h_t)) / (2 * h_t)
    scale = forward  # errors relative to the contract's size
    assert g.delta == pytest.approx(delta_fd, abs=1e-6)
    rounding = 4 * 2.220446049250313e-16 * forward / (h_g * h_g)  # noise of the second difference
    assert g.gamma == pytest.approx(gamma_fd, rel=1e-4, abs=rounding)
    assert g.vega == pytest.approx(vega_fd, abs=1e-6 * scale)
    assert g.theta == pytest.approx(theta_fd, abs=1e-6 * scale / years)


def test_expired_and_zero_vol_are_discounted_intrinsic() -> None:
    itm_call = black76_greeks(True, 110.0, 100.0, 0.0, 0.2, 0.05)
    assert (itm_call.price, itm_call.delta, itm_call.gamma, itm_call.vega) == (10.0, 1.0, 0.0, 0.0)
    otm_put = black76_greeks(False, 110.0, 100.0, 0.0, 0.2, 0.05)
    assert (otm_put.price, otm_put.delta) == (0.0, 0.0)
    flat = black76_greeks(False, 90.0, 100.0, 0.5, 0.0, 0.1)
    df = math.exp(-0.05)
    assert flat.price == pytest.approx(10 * df)
    assert flat.delta == pytest.approx(-df)
    atm_call, atm_put = (
        black76_greeks(True, 100.0, 100.0, 0.0, 0.2, 0.0),
        black76_greeks(False, 100.0, 100.0, 0.0, 0.2, 0.0),
    )
    assert atm_call.delta - atm_put.delta == 1.0  # parity holds on the step too
    with pytest.raises(ValueError):
        black76_greeks(True, 0.0, 100.0, 0.5, 0.2, 0.0)
    with pytest.raises(ValueError):
        black76_greeks(True, 100.0, 100.0, 0.5, -0.2, 0.0)


# --- implied volatility ---------------------------------------------------------------------


def test_implied_vol_round_trip_on_the_grid() -> None:
    solved = no_time_value = 0
    for forward, moneyness, years, vol, rate, is_call in GRID:
        strike = forward * moneyness
        g = black76_greeks(is_call, forward, strike, years, vol, rate)
        iv = implied_volatility(g.price, is_call, forward, strike, years, rate)
        if iv.status is IVStatus.NO_TIME_VALUE:
            # Only where the time value is below 1e-12 of the contract (far OTM / deep ITM, 1-7 days).
            tv = g.price - math.exp(-rate * years) * max((forward - strike) if is_call else (strike - forward), 0.0)
            assert tv <= 1e-12 * max(forward, strike) + _float_noise(g.price, forward, strike, years, rate, is_call)
            no_time_value += 1
            continue
        assert iv.status is IVStatus.SOLVED, (forward, strike, years, vol, rate, is_call, iv)
        assert iv.vol is not None
        allowed = max(1e-9, 2 * _float_noise(g.price, forward, strike, years, rate, is_call) / g.vega)
        assert iv.vol == pytest.approx(vol, abs=allowed)
        assert iv.iterations <= 40
        solved += 1
    assert solved > 900 and no_time_value < len(GRID) // 5


@settings(max_examples=200, deadline=None)
@given(
    forward=st.floats(50.0, 80_000.0),
    moneyness=st.floats(0.7, 1.4),
    days=st.floats(0.5, 730.0),
    vol=st.floats(0.03, 2.0),
    rate=st.floats(0.0, 0.1),
    is_call=st.booleans(),
)
def test_implied_vol_round_trip_property(
    forward: float, moneyness: float, days: float, vol: float, rate: float, is_call: bool
) -> None:
    strike, years = forward * moneyness, days / 365
    g = black76_greeks(is_call, forward, strike, years, vol, rate)
    tv = g.price - math.exp(-rate * years) * max((forward - strike) if is_call else (strike - forward), 0.0)
    assume(tv > 1e-6 * forward)  # a quoted option has a time value of at least a fraction of a tick
    iv = implied_volatility(g.price, is_call, forward, strike, years, rate)
    assert iv.status is IVStatus.SOLVED and iv.vol is not None
    assert black76_price(is_call, forward, strike, years, iv.vol, rate) == pytest.approx(g.price, rel=1e-12, abs=1e-9)
    assert iv.vol == pytest.approx(
        vol, abs=max(1e-8, 2 * _float_noise(g.price, forward, strike, years, rate, is_call) / g.vega)
    )


def test_implied_vol_without_a_solution_says_why() -> None:
    f, k, t, r = 26_000.0, 25_000.0, 30 / 365, 0.065
    df = math.exp(-r * t)
    assert implied_volatility(df * 1000 - 5, True, f, k, t, r).status is IVStatus.BELOW_INTRINSIC
    assert implied_volatility(df * 1000, True, f, k, t, r).status is IVStatus.NO_TIME_VALUE
    assert implied_volatility(df * f, True, f, k, t, r).status is IVStatus.ABOVE_MAXIMUM
    assert implied_volatility(df * k + 1, False, f, k, t, r).status is IVStatus.ABOVE_MAXIMUM
    # Worth more than 500% vol but less than the ceiling.
    high = black76_price(True, f, k, t, 6.0, r)
    assert implied_volatility(high, True, f, k, t, r).status is IVStatus.ABOVE_VOL_BOUND
    low = black76_price(False, f, k, t, 0.05, r)  # a tiny but real OTM premium
    assert implied_volatility(low, False, f, k, t, r, vol_low=0.1).status is IVStatus.BELOW_VOL_BOUND
    assert implied_volatility(100.0, True, f, k, 0.0, r).status is IVStatus.EXPIRED
    assert implied_volatility(math.nan, True, f, k, t, r).status is IVStatus.NO_PRICE
    assert implied_volatility(-1.0, True, f, k, t, r).status is IVStatus.NO_PRICE


def test_implied_vol_from_the_mid() -> None:
    f, k, t, r = 26_000.0, 26_000.0, 7 / 365, 0.065
    true_vol = 0.14
    price = black76_price(True, f, k, t, true_vol, r)
    mid = Decimal(str(round(price, 2)))
    bid, ask = mid - Decimal("0.50"), mid + Decimal("0.50")
    iv = implied_volatility_from_mid(bid, ask, True, f, k, t, r)
    assert iv.status is IVStatus.SOLVED and iv.vol is not None
    assert black76_price(True, f, k, t, iv.vol, r) == pytest.approx(float(mid), abs=1e-9)
    assert iv.vol == pytest.approx(true_vol, abs=1e-4)  # the mid was rounded to paise
    assert implied_volatility_from_mid(None, ask, True, f, k, t, r).status is IVStatus.NO_PRICE
    assert implied_volatility_from_mid(ask, bid, True, f, k, t, r).status is IVStatus.NO_PRICE  # crossed


# --- positions ------------------------------------------------------------------------------


def test_position_greeks_worked_example() -> None:
    # Short 2 lots (65 each) of a NIFTY call; per-unit Greeks from the reference library.
    f, k, t, s, r = 26_000.0, 26_200.0, 14 / 365, 0.13, 0.065
    qty = -130
    p = position_greeks(PositionInput("CE", qty, f, t, s, r, strike=k, strategy_id=7, underlying="NIFTY", account_id=1))
    d, gm = ref_delta("c", f, k, t, r, s), ref_gamma("c", f, k, t, r, s)
    assert p.delta_units == pytest.approx(d * qty)
    assert p.delta_inr == pytest.approx(d * qty * f)
    assert p.gamma_units == pytest.approx(gm * qty)
    assert p.gamma_inr == pytest.approx(gm * qty * f * f / 100)
    assert p.vega_inr == pytest.approx(ref_vega("c", f, k, t, r, s) * qty)
    assert p.theta_inr == pytest.approx(ref_theta("c", f, k, t, r, s) * qty)
    assert p.premium_inr == pytest.approx(ref_price("c", f, k, t, r, s) * qty)
    assert p.theta_inr > 0 and p.vega_inr < 0 and p.delta_inr < 0  # a short call earns time decay

    fut = position_greeks(PositionInput("FUT", 65, f, t, 0.0, underlying="NIFTY"))
    assert (fut.delta_units, fut.delta_inr, fut.gamma_units, fut.vega_inr, fut.theta_inr) == (65, 65 * f, 0, 0, 0)


def _book(n: int, seed: int = 3) -> list[PositionInput]:
    rnd = random.Random(seed)
    out: list[PositionInput] = []
    for i in range(n):
        underlying, f, lot = rnd.choice(
            (("NIFTY", 26_000.0, 65), ("BANKNIFTY", 59_000.0, 30), ("RELIANCE", 1_500.0, 500))
        )
        kind = rnd.choice(("CE", "PE", "CE", "PE", "FUT"))
        qty = rnd.choice((-1, 1)) * lot * rnd.randint(1, 10)
        strike = round(f * rnd.uniform(0.85, 1.15), -1)
        years = rnd.choice((0.0, 1 / 365, 7 / 365, 30 / 365, 0.3))
        vol = rnd.choice((0.0, 0.1, 0.18, 0.35))
        out.append(PositionInput(kind, qty, f, years, vol, 0.065, strike, i % 5, underlying, i % 3))  # type: ignore[arg-type]
    return out


def test_aggregation_by_strategy_underlying_account() -> None:
    greeks = [position_greeks(p) for p in _book(60)]
    everything = total(greeks)
    assert everything.positions == 60
    for grouping in (totals_by_strategy(greeks), totals_by_underlying(greeks), totals_by_account(greeks)):
        assert sum(t.positions for t in grouping.values()) == 60
        for field in ("delta_inr", "gamma_inr", "vega_inr", "theta_inr", "premium_inr", "delta_units"):
            assert sum(getattr(t, field) for t in grouping.values()) == pytest.approx(getattr(everything, field))
    nifty = totals_by_underlying(greeks)["NIFTY"]
    by_hand = [g for g in greeks if g.underlying == "NIFTY"]
    assert nifty.delta_units == pytest.approx(sum(g.delta_units for g in by_hand))
    assert nifty.positions == len(by_hand)
    assert total([]).positions == 0 and total([]).delta_inr == 0.0


def test_batch_equals_the_scalar_reference() -> None:
    book = [*_book(2_000), PositionInput("FUT", 65, 26_000.0, 0.1, 0.0)]  # a future with no strike
    batch = revalue_batch(book)
    scalar = [position_greeks(p) for p in book]
    for field in ("delta_units", "gamma_units", "delta_inr", "gamma_inr", "vega_inr", "theta_inr", "premium_inr"):
        expected = np.array([getattr(g, field) for g in scalar])
        np.testing.assert_allclose(getattr(batch, field), expected, rtol=1e-9, atol=1e-9, err_msg=field)
