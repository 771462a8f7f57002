"""The simulated venue: determinism, tick grid, book shape, Black-76, smile, VIX (pure, no DB)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from marketdata.simulator import MarketSimulator, SimInstrument, black76

AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
EXP = date(2026, 11, 24)
T = Decimal("0.05")


def nifty(kind: str, strike: float | None = None, token: int = 1, expiry: date | None = EXP) -> SimInstrument:
    return SimInstrument(token, kind, "NIFTY", 26000.0, 0.125, T, 65, strike, expiry)


def stock_option(strike: float, token: int = 50) -> SimInstrument:
    return SimInstrument(
        token, "CE", "RELIANCE", 1500.0, 0.22, T, 500, strike, date(2026, 11, 24), index_underlying=False
    )


@pytest.fixture
def sim() -> MarketSimulator:
    return MarketSimulator(20261121)


def on_grid(value: Decimal) -> bool:
    return value % T == 0


def test_same_inputs_same_quote(sim: MarketSimulator) -> None:
    other = MarketSimulator(20261121)
    inst = nifty("CE", 26000.0)
    assert sim.quote(inst, AT) == other.quote(inst, AT)
    assert sim.quote(inst, AT) == sim.quote(inst, AT)


def test_quote_moves_with_time_and_seed(sim: MarketSimulator) -> None:
    fut = nifty("FUT")
    prices = {sim.quote(fut, AT + timedelta(seconds=s)).last_price for s in range(0, 20)}
    assert len(prices) > 5
    assert MarketSimulator(1).quote(fut, AT).last_price != sim.quote(fut, AT).last_price


@pytest.mark.parametrize(
    "kind,strike", [("FUT", None), ("CE", 26000.0), ("PE", 25500.0), ("CE", 27500.0), ("EQ", None)]
)
def test_book_on_tick_grid_and_well_formed(sim: MarketSimulator, kind: str, strike: float | None) -> None:
    for s in range(0, 600, 37):
        q = sim.quote(nifty(kind, strike), AT + timedelta(seconds=s))
        prices = [q.last_price, q.open, q.high, q.low, q.close] + [lv.price for lv in q.buy_depth + q.sell_depth]
        assert all(on_grid(p) for p in prices)
        # Five levels a side, except where the bids reach the one-tick floor of a cheap option.
        assert len(q.sell_depth) == 5 and (len(q.buy_depth) == 5 or q.buy_depth[-1].price == T)
        assert q.best_bid < q.best_ask
        assert q.best_bid <= q.last_price <= q.best_ask
        bids = [lv.price for lv in q.buy_depth]
        asks = [lv.price for lv in q.sell_depth]
        assert bids == sorted(bids, reverse=True) and len(set(bids)) == len(bids)
        assert asks == sorted(asks) and len(set(asks)) == 5
        assert all(
            lv.quantity > 0 and lv.orders >= 1 and lv.quantity % 65 == 0
            for lv in q.buy_depth + q.sell_depth
            if kind != "EQ"
        )
        assert q.low <= q.open <= q.high and q.low <= q.last_price <= q.high


def test_ohlc_consistent_with_path(sim: MarketSimulator) -> None:
    fut = nifty("FUT")
    open_at = datetime(2026, 11, 20, 3, 45, tzinfo=UTC)  # 09:15 IST
    samples = [sim.quote(fut, open_at + timedelta(minutes=m)).last_price for m in range(0, 136, 5)]
    q = sim.quote(fut, open_at + timedelta(minutes=135))
    assert q.open == samples[0]
    assert q.high >= max(samples) - T * 4 and q.low <= min(samples) + T * 4
    assert q.volume > sim.quote(fut, open_at + timedelta(minutes=60)).volume > 0
    assert q.oi > 0


def test_depth_tight_near_money_wide_far_and_on_stocks(sim: MarketSimulator) -> None:
    # Strikes relative to the simulated spot at AT (the path does not sit at its 26,000 centre).
    atm_strike = round(sim.spot_at("NIFTY", 26000.0, 0.125, AT.timestamp()) / 50) * 50.0
    atm = sim.quote(nifty("CE", atm_strike), AT)
    far = sim.quote(nifty("CE", atm_strike + 2500.0, token=2), AT)
    stock = sim.quote(stock_option(round(sim.spot_at("RELIANCE", 1500.0, 0.22, AT.timestamp()) / 10) * 10.0), AT)

    def rel_spread(q):  # noqa: ANN001, ANN202
        return (q.best_ask - q.best_bid) / ((q.best_ask + q.best_bid) / 2)

    assert rel_spread(atm) < Decimal("0.01")
    assert rel_spread(far) > rel_spread(atm)
    assert rel_spread(stock) > rel_spread(atm)
    assert sum(lv.quantity for lv in atm.buy_depth) > sum(lv.quantity for lv in far.buy_depth)
    assert sum(lv.quantity for lv in atm.buy_depth) / 65 > sum(lv.quantity for lv in stock.buy_depth) / 500


def test_index_quote_has_no_book(sim: MarketSimulator) -> None:
    q = sim.quote(nifty("INDEX", expiry=None), AT)
    assert q.buy_depth == () and q.sell_depth == () and q.volume == 0
    assert Decimal(20000) < q.last_price < Decimal(33000)


def test_black76_put_call_parity() -> None:
    f, k, t, v, r = 26100.0, 25800.0, 30 / 365, 0.14, 0.065
    call, put = black76(True, f, k, t, v, r), black76(False, f, k, t, v, r)
    assert call - put == pytest.approx(math.exp(-r * t) * (f - k), abs=1e-8)
    assert black76(True, f, k, 0.0, v, r) == pytest.approx(300.0)


def test_quoted_options_respect_parity_within_spread(sim: MarketSimulator) -> None:
    ce = sim.theoretical(nifty("CE", 26000.0), AT.timestamp())
    pe = sim.theoretical(nifty("PE", 26000.0), AT.timestamp())
    fut = sim.theoretical(nifty("FUT"), AT.timestamp())
    years = (datetime(2026, 11, 24, 10, 0, tzinfo=UTC) - AT).total_seconds() / (365 * 86400)
    assert ce - pe == pytest.approx(math.exp(-0.065 * years) * (fut - 26000.0), abs=0.01)


def test_smile_has_put_skew(sim: MarketSimulator) -> None:
    atm, f, t = 0.13, 26000.0, 7 / 365
    low, mid, high = (sim.smile(atm, f, k, t, True) for k in (24500.0, 26000.0, 27500.0))
    assert mid == pytest.approx(atm)
    assert low > mid and low > high


def test_vix_is_atm_30_day_vol_and_sane(sim: MarketSimulator) -> None:
    t = AT.timestamp()
    vix = sim.vix(t)
    assert 6 < vix < 40
    assert vix == pytest.approx(100 * sim.atm_vol("NIFTY", 0.125, t, 30 / 365))


def test_realised_volatility_matches_parameter(sim: MarketSimulator) -> None:
    # Session 1-minute returns over five sessions, annualised in trading time (252 days x 375
    # minutes): variance falls mostly in the session and scales with the VIX regime
    # (docs/market-model.md, "Business time" and "Volatility and India VIX").
    rets, vix = [], []
    for day in (20, 23, 24, 25, 26):
        t0 = datetime(2026, 11, day, 3, 45, tzinfo=UTC).timestamp()  # 09:15 IST
        path = [sim.spot_at("NIFTY", 26000, 0.125, t0 + i * 60) for i in range(376)]
        rets += [math.log(b / a) for a, b in zip(path, path[1:], strict=False)]
        vix.append(sim.vix(t0 + 3 * 3600))
    realised = math.sqrt(sum(r * r for r in rets) / len(rets)) * math.sqrt(252 * 375)
    assert 0.08 < realised < 0.18
    assert 0.7 < realised / (sum(vix) / len(vix) / 100) < 1.15
