"""The simulated market moves together and at the right speed, with books sized like the real market
(docs/market-model.md). Pure simulator tests: fixed instants, no database, no wall clock.

Before: every underlying had its own independent path (NIFTY-SENSEX correlation 0.00), variance
accrued evenly round the clock (session 1-minute returns annualised to ~5% against ~11% implied,
half the real high-low range), VIX wandered below 9, index futures showed hundreds of lots, a CE
and a PE of one strike had the same volume, and an expired contract kept repricing.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from marketdata import contract_specs as specs
from marketdata import market_stats as ms
from marketdata.calendar import holiday_data
from marketdata.simulator import IST, MarketSimulator

SEED = 20261121
D = Decimal


@pytest.fixture(scope="module")
def sim() -> MarketSimulator:
    data = holiday_data()
    return ms.build_simulator(SEED, data.holidays["NSE"], data.specials)


@pytest.fixture(scope="module")
def year(sim: MarketSimulator) -> list[date]:
    return ms.trading_days(sim, date(2025, 12, 1), 250)


def test_indices_move_together_daily_and_intraday(sim: MarketSimulator, year: list[date]) -> None:
    closes = ms.daily_closes(sim, ["NIFTY", "SENSEX", "BANKNIFTY", "FINNIFTY"], year)
    r = {n: ms.log_returns(v) for n, v in closes.items()}
    assert ms.correlation(r["NIFTY"], r["SENSEX"]) > 0.95
    assert 0.75 < ms.correlation(r["NIFTY"], r["BANKNIFTY"]) < 0.95
    assert ms.correlation(r["BANKNIFTY"], r["FINNIFTY"]) > ms.correlation(r["NIFTY"], r["BANKNIFTY"])  # sector
    minutes = ms.intraday_minutes(sim, ["NIFTY", "SENSEX", "BANKNIFTY"], year[:5])
    m = {n: [x for day in v for x in ms.log_returns(day)] for n, v in minutes.items()}
    assert ms.correlation(m["NIFTY"], m["SENSEX"]) > 0.95
    assert ms.correlation(m["NIFTY"], m["BANKNIFTY"]) > 0.75


def test_stocks_have_betas_to_nifty(sim: MarketSimulator, year: list[date]) -> None:
    names = ["NIFTY", "RELIANCE", "HDFCBANK", "INFY", "TCS", "SBIN"]
    r = {n: ms.log_returns(v) for n, v in ms.daily_closes(sim, names, year).items()}
    for name in names[1:]:
        spec, load = specs.UNDERLYINGS[name], specs.FACTOR_LOADINGS[name]
        target = load.market * specs.FACTOR_LOADINGS["NIFTY"].market * spec.demo_vol / specs.UNDERLYINGS["NIFTY"].demo_vol
        measured = ms.beta(r[name], r["NIFTY"])
        assert 0.3 < measured < 1.8, name
        assert measured == pytest.approx(target, rel=0.35), name
        assert ms.correlation(r[name], r["NIFTY"]) > 0.25, name


def test_session_volatility_matches_implied_and_vix(sim: MarketSimulator, year: list[date]) -> None:
    stats = ms.vol_stats(sim, "NIFTY", year)
    # Trading-time annualisation (252 days x 375 minutes); realised a little under implied, as in
    # the real market (variance risk premium) — before the fix the ratio was ~0.45.
    assert 0.7 < stats.intraday_1m / stats.implied < 1.1
    assert 0.7 < stats.daily / stats.implied < 1.15
    # Mean session high-low range close to a Brownian path's with that vol (before: about half).
    assert 0.65 < stats.mean_range / stats.expected_range < 1.2


def test_vix_stays_above_its_historic_floor(sim: MarketSimulator) -> None:
    samples = sorted(ms.vix_samples(sim, datetime(2025, 1, 1, tzinfo=IST), 730, step_hours=2))
    assert samples[0] >= specs.VIX_FLOOR  # §6: lows around 9-10
    assert sum(v < 10.0 for v in samples) / len(samples) < 0.05
    assert 11.0 < samples[len(samples) // 2] < 16.0  # calm regime ~10-20
    assert samples[-1] > 20.0  # and it does spike


def test_weekends_and_nights_move_less_than_the_session(sim: MarketSimulator) -> None:
    friday = datetime(2026, 11, 20, 9, 15, tzinfo=IST)

    def variance(start: datetime, minutes: int) -> float:
        vals = [ms.spot(sim, "NIFTY", start + timedelta(minutes=i)) for i in range(minutes + 1)]
        return sum(x * x for x in ms.log_returns(vals)) / minutes

    session = variance(friday, 360)
    night = variance(friday.replace(hour=18), 360)
    saturday = variance(friday + timedelta(days=1), 360)
    assert session > 5 * night > 0 and night > saturday > 0


def test_no_identical_volume_on_a_strikes_call_and_put(sim: MarketSimulator) -> None:
    at = datetime(2026, 12, 1, 14, 0, tzinfo=IST)
    expiry = date(2026, 12, 8)
    atm = ms.atm_strike(sim, "NIFTY", at)
    otm_wins = 0
    for i, offset in enumerate(range(-300, 350, 50)):
        strike = atm + offset
        ce = sim.quote(ms.option("NIFTY", "CE", strike, expiry, 1000 + 2 * i), at)
        pe = sim.quote(ms.option("NIFTY", "PE", strike, expiry, 1001 + 2 * i), at)
        assert ce.volume != pe.volume and ce.oi != pe.oi
        if offset > 100:
            otm_wins += ce.volume > pe.volume  # the OTM call trades more than the ITM put
        if offset < -100:
            otm_wins += pe.volume > ce.volume
    assert otm_wins >= 8


AT = datetime(2026, 12, 1, 11, 0, tzinfo=IST)  # Tuesday, in the session


def test_index_futures_book_near_next_far(sim: MarketSimulator) -> None:
    near, nxt, far = date(2026, 12, 29), date(2027, 1, 25), date(2027, 2, 23)
    tick = D("0.10")
    books = [ms.book_stats(sim, m, ms.future("NIFTY", e, 10 + i, tick), AT) for i, (m, e) in
             enumerate((("near", near), ("next", nxt), ("far", far)))]
    assert books[0].spread_ticks <= 2.0  # a tick or two wide
    assert 10 <= books[0].top_lots < 100  # tens of lots, not hundreds
    assert books[1].top_lots < books[0].top_lots / 3 and books[2].top_lots < books[1].top_lots
    assert books[0].spread_ticks < books[1].spread_ticks < books[2].spread_ticks


def test_far_otm_and_stock_options_are_thin_and_wide(sim: MarketSimulator) -> None:
    expiry = date(2026, 12, 8)
    atm = ms.atm_strike(sim, "NIFTY", AT)
    atm_book = ms.book_stats(sim, "atm", ms.option("NIFTY", "CE", atm, expiry, 20), AT)
    far_book = ms.book_stats(sim, "far", ms.option("NIFTY", "CE", atm + 1500, date(2027, 2, 23), 21), AT)
    stock_atm = ms.atm_strike(sim, "RELIANCE", AT)
    stock_book = ms.book_stats(sim, "stock", ms.option("RELIANCE", "CE", stock_atm, date(2026, 12, 29), 22), AT)
    assert atm_book.spread_ticks <= 4 and atm_book.top_lots >= 10
    for thin in (far_book, stock_book):
        assert thin.rel_spread > 3 * atm_book.rel_spread
        assert thin.top_lots < atm_book.top_lots / 3


def test_expiry_day_otm_options_sit_at_005_010_in_size(sim: MarketSimulator) -> None:
    expiry_day = datetime(2026, 12, 8, 13, 0, tzinfo=IST)
    atm = ms.atm_strike(sim, "NIFTY", expiry_day)
    for i, (kind, strike) in enumerate((("CE", atm + 600), ("PE", atm - 600))):
        q = sim.quote(ms.option("NIFTY", kind, strike, date(2026, 12, 8), 30 + i), expiry_day)
        assert (q.best_bid, q.best_ask) == (D("0.05"), D("0.10"))
        assert q.buy_depth[0].quantity >= 300 * 65 and q.sell_depth[0].quantity >= 300 * 65


def test_an_expired_contract_is_frozen_at_its_settlement(sim: MarketSimulator) -> None:
    expiry = date(2026, 12, 8)
    close = datetime(2026, 12, 8, 15, 30, tzinfo=IST)
    spot_close = ms.spot(sim, "NIFTY", close)
    strike = ms.atm_strike(sim, "NIFTY", close) - 100
    call = ms.option("NIFTY", "CE", strike, expiry, 40)
    fut = ms.future("NIFTY", expiry, 41, D("0.10"))
    later = [close, close + timedelta(hours=2), close + timedelta(days=1), close + timedelta(days=9)]
    for inst in (call, fut):
        quotes = [sim.quote(inst, at) for at in later]
        assert all(q == quotes[0] for q in quotes), inst.kind  # nothing moves, not even the timestamp
        assert quotes[0].buy_depth == () and quotes[0].sell_depth == ()
    settled = sim.quote(call, later[-1]).last_price
    assert abs(settled - D(str(round(spot_close - strike, 2)))) <= D("0.05")  # intrinsic at the spot close
    assert abs(sim.quote(fut, later[-1]).last_price - D(str(round(spot_close, 1)))) <= D("0.10")
    assert sim.quote(call, close - timedelta(minutes=5)) != sim.quote(call, close - timedelta(minutes=4))


def test_the_market_is_a_pure_function_of_instrument_time_and_seed(sim: MarketSimulator) -> None:
    data = holiday_data()
    fresh = ms.build_simulator(SEED, data.holidays["NSE"], data.specials)
    inst = ms.option("NIFTY", "PE", ms.atm_strike(sim, "NIFTY", AT), date(2026, 12, 8), 50)
    for s in (0, 17, 3600):
        at = AT + timedelta(seconds=s)
        assert fresh.quote(inst, at) == sim.quote(inst, at)
    other = ms.build_simulator(SEED + 1, data.holidays["NSE"], data.specials)
    assert other.quote(inst, AT) != sim.quote(inst, AT)
    assert math.isfinite(sim.business_time(AT.astimezone(UTC).timestamp()))
