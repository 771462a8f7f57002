"""The live monitor's pure arithmetic and the correlation/sizing module (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from risk import correlation as corr
from risk import monitor_math as mm


def test_revalue_book_sums_per_group_and_measures_drawdown_from_the_raised_peak():
    rng = np.random.default_rng(7)
    n, accounts, strategies = 200, 3, 5
    qty = rng.integers(-500, 500, n).astype(float)
    entry = rng.uniform(50, 200, n)
    mark = entry * rng.uniform(0.9, 1.1, n)
    acc = rng.integers(0, accounts, n)
    strat = rng.integers(0, strategies, n)
    capital = np.array([1e6, 5e5, 2e5])
    peak = np.array([1.2e6, 0.0, 2e5])
    val = mm.revalue_book(
        quantity=qty,
        entry=entry,
        mark=mark,
        account=acc,
        strategy=strat,
        accounts=accounts,
        strategies=strategies,
        account_realised=np.array([100.0, -50.0, 0.0]),
        strategy_realised=np.zeros(strategies),
        capital=capital,
        peak=peak,
    )
    for a in range(accounts):  # a plain loop agrees with the bincount
        expected = sum((mark[i] - entry[i]) * qty[i] for i in range(n) if acc[i] == a)
        assert val.account_pnl[a] == pytest.approx(expected + [100.0, -50.0, 0.0][a])
        eq = capital[a] + val.account_pnl[a]
        top = max(peak[a], eq, capital[a])
        assert val.peak[a] == pytest.approx(top)
        assert val.drawdown_pct[a] == pytest.approx((top - eq) * 100 / top)
    assert val.strategy_pnl.sum() == pytest.approx(val.unrealised.sum())


def test_levels_warning_critical_urgent_and_an_off_limit_is_silent():
    used = np.array([0.5, 0.8, 1.0, 1.24, 1.25, np.nan])
    assert mm.alert_level(used).tolist() == [0, 1, 2, 2, 3, 0]


def test_account_checks_loss_drawdown_utilisation_and_greeks():
    checks = mm.account_checks(
        pnl=np.array([-60_000.0, 1000.0]),
        capital=np.array([1e6, 1e6]),
        drawdown_pct=np.array([2.0, 16.0]),
        utilisation_pct=np.array([np.nan, 95.0]),
        delta_inr=np.array([-6e6, 0.0]),
        vega_inr=np.array([0.0, 0.0]),
        max_loss_pct=np.array([6.0, 6.0]),
        max_drawdown_pct=np.array([15.0, 15.0]),
        max_utilisation_pct=np.array([90.0, 90.0]),
        max_delta_inr=np.array([5e6, np.nan]),
        max_vega_inr=np.array([np.nan, np.nan]),
    )
    level = dict(zip(mm.CHECKS, checks.level[0].tolist(), strict=True))
    assert level == {"daily_loss": 2, "drawdown": 0, "margin_utilisation": 0, "greeks_delta": 2, "greeks_vega": 0}
    level = dict(zip(mm.CHECKS, checks.level[1].tolist(), strict=True))
    assert level["drawdown"] == 2 and level["margin_utilisation"] == 2 and level["daily_loss"] == 0
    assert checks.value[0, 0] == pytest.approx(6.0)


def test_guards_stop_beats_target_beats_timeout_and_nan_switches_off():
    hits = mm.guard_hits(
        pnl=np.array([2500.0, -1200.0, 10.0, 10.0, 5000.0]),
        age_hours=np.array([1.0, 7.0, 7.0, 1.0, 1.0]),
        target_inr=np.array([2000.0, 2000.0, 2000.0, 2000.0, np.nan]),
        stop_inr=np.array([1000.0, 1000.0, 1000.0, 1000.0, np.nan]),
        timeout_hours=np.array([6.0, 6.0, 6.0, 6.0, np.nan]),
    )
    assert hits.tolist() == [mm.GUARD_TARGET, mm.GUARD_STOP, mm.GUARD_TIMEOUT, mm.GUARD_NONE, mm.GUARD_NONE]


def test_rolling_correlation_matches_numpy_and_clusters_count_correlated_longs_together():
    rng = np.random.default_rng(3)
    common = rng.normal(0, 0.001, 300)
    a = 100 * np.exp(np.cumsum(common + rng.normal(0, 0.0002, 300)))
    b = 200 * np.exp(np.cumsum(common + rng.normal(0, 0.0002, 300)))
    c = 50 * np.exp(np.cumsum(rng.normal(0, 0.001, 300)))
    prices = np.vstack([a, b, c])
    got = corr.rolling_correlation(prices, 120)
    want = np.corrcoef(np.diff(np.log(prices), axis=1)[:, -120:])
    assert np.allclose(got, want)
    assert got[0, 1] > 0.9 and abs(got[0, 2]) < 0.5
    ex = corr.correlated_exposure(["NIFTY", "BANKNIFTY", "ITC"], got, {"NIFTY": 1e6, "BANKNIFTY": 1e6, "ITC": -3e5})
    big = ex.clusters[0]
    assert set(big.names) == {"NIFTY", "BANKNIFTY"} and big.net_inr == pytest.approx(2e6)
    e = np.array([1e6, 1e6, -3e5])
    assert ex.effective_inr == pytest.approx(math.sqrt(e @ got @ e))
    assert ex.gross_inr == pytest.approx(2.3e6)


def test_sizing_advice_takes_the_tightest_constraint():
    # risk: 1e6 × 2% / (20 pts × 75) = 13 lots; volume: 1% of 60,000 / 75 = 8 lots; OI: 5% of 30,000 / 75 = 20
    advice = corr.sizing_advice(lot_size=75, capital=1e6, risk_pct=2, stop_distance=20, volume=60_000, oi=30_000)
    assert advice.by_constraint == {"risk": 13, "volume": 8, "oi": 20}
    assert advice.lots == 8 and advice.binding == "volume"
    assert corr.sizing_advice(lot_size=75).lots is None
    with pytest.raises(ValueError):
        corr.sizing_advice(lot_size=0)
