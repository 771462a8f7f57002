"""Statistics of the simulated market, for benchmarks/bench_market.py and the market-model tests.

Pure (no Django imports): everything is computed from a MarketSimulator and contract_specs.
The targets these figures are compared with are in docs/market-model.md, "Targets".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from . import contract_specs as specs
from .simulator import IST, SESSION_CLOSE, SESSION_OPEN, MarketSimulator, SimInstrument

TRADING_DAYS_PER_YEAR = 252  # annualisation of trading-time returns (convention, docs/market-model.md)
SESSION_MINUTES = 375


def build_simulator(
    seed: int, holidays: Iterable[date] = (), special_sessions: Iterable[date] = ()
) -> MarketSimulator:
    """The simulator as marketdata.pricing builds it, without Django (for benchmarks and tests)."""
    nifty = specs.UNDERLYINGS[specs.VIX_UNDERLYING]
    return MarketSimulator(
        seed,
        carry_rate=specs.DEMO_CARRY_RATE,
        vix_underlying=nifty.name,
        vix_base=(float(nifty.demo_spot), nifty.demo_vol),
        factors={n: (f.market, f.sector_name, f.sector) for n, f in specs.FACTOR_LOADINGS.items()},
        holidays=holidays,
        special_sessions=special_sessions,
        vix_level=(specs.VIX_FLOOR, specs.VIX_MEDIAN, specs.VIX_SHAPE),
    )


def trading_days(sim: MarketSimulator, start: date, count: int) -> list[date]:
    out: list[date] = []
    d = start
    epoch0 = date(1970, 1, 1)
    while len(out) < count:
        if sim.is_trading_day_index((d - epoch0).days):
            out.append(d)
        d += timedelta(days=1)
    return out


def spot(sim: MarketSimulator, name: str, at: datetime) -> float:
    spec = specs.UNDERLYINGS[name]
    return sim.spot_at(name, float(spec.demo_spot), spec.demo_vol, at.timestamp())


def log_returns(values: Sequence[float]) -> list[float]:
    return [math.log(b / a) for a, b in zip(values, values[1:], strict=False)]


def correlation(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def beta(asset: Sequence[float], market: Sequence[float]) -> float:
    n = len(market)
    ma, mm = sum(asset) / n, sum(market) / n
    cov = sum((a - ma) * (m - mm) for a, m in zip(asset, market, strict=True))
    return cov / sum((m - mm) ** 2 for m in market)


def daily_closes(sim: MarketSimulator, names: Sequence[str], days: Sequence[date]) -> dict[str, list[float]]:
    closes = {n: [] for n in names}
    for d in days:
        at = datetime.combine(d, SESSION_CLOSE, IST)
        for n in names:
            closes[n].append(spot(sim, n, at))
    return closes


def intraday_minutes(sim: MarketSimulator, names: Sequence[str], days: Sequence[date]) -> dict[str, list[list[float]]]:
    """Per name, per day: the session's values at every minute from 09:15 to 15:30."""
    out: dict[str, list[list[float]]] = {n: [] for n in names}
    for d in days:
        open_at = datetime.combine(d, SESSION_OPEN, IST)
        for n in names:
            out[n].append([spot(sim, n, open_at + timedelta(minutes=m)) for m in range(SESSION_MINUTES + 1)])
    return out


def annualised(returns: Sequence[float], periods_per_year: float) -> float:
    return math.sqrt(sum(r * r for r in returns) / len(returns) * periods_per_year)


@dataclass(frozen=True)
class VolStats:
    intraday_1m: float  # session 1-minute returns, annualised over 252 × 375 minutes
    daily: float  # close-to-close, annualised over 252 days
    implied: float  # mean ATM 30-day implied (NIFTY: VIX/100) at the closes
    mean_range: float  # mean (high - low) / open of the session (1-minute grid)
    expected_range: float  # 1.596·σ_day for a Brownian path with the implied vol (trading time)


def vol_stats(sim: MarketSimulator, name: str, days: Sequence[date], intraday_days: int = 20) -> VolStats:
    spec = specs.UNDERLYINGS[name]
    closes = daily_closes(sim, [name], days)[name]
    minutes = intraday_minutes(sim, [name], days[:intraday_days])[name]
    one_min = [r for day in minutes for r in log_returns(day)]
    implied = [
        sim.atm_vol30(name, spec.demo_vol, datetime.combine(d, SESSION_CLOSE, IST).timestamp()) for d in days
    ]
    implied_mean = sum(implied) / len(implied)
    ranges = [(max(day) - min(day)) / day[0] for day in minutes]
    return VolStats(
        intraday_1m=annualised(one_min, TRADING_DAYS_PER_YEAR * SESSION_MINUTES),
        daily=annualised(log_returns(closes), TRADING_DAYS_PER_YEAR),
        implied=implied_mean,
        mean_range=sum(ranges) / len(ranges),
        expected_range=1.596 * implied_mean / math.sqrt(TRADING_DAYS_PER_YEAR),
    )


def vix_samples(sim: MarketSimulator, start: datetime, days: int, step_hours: float = 1.0) -> list[float]:
    n = int(days * 24 / step_hours)
    return [sim.vix((start + timedelta(hours=i * step_hours)).timestamp()) for i in range(n)]


# --- depth by instrument class -------------------------------------------------------------------
@dataclass(frozen=True)
class BookStats:
    label: str
    spread_ticks: float  # mean best ask - best bid, in ticks
    rel_spread: float  # mean spread / mid
    top_lots: float  # mean best-level quantity, in lots (units for equities)
    five_level_lots: float  # mean of the five levels' total on one side, in lots


def book_stats(sim: MarketSimulator, label: str, inst: SimInstrument, at: datetime, seconds: int = 120) -> BookStats:
    spreads, rels, tops, totals = [], [], [], []
    lot = 1 if inst.kind == "EQ" else max(1, inst.lot_size)
    for s in range(seconds):
        q = sim.quote(inst, at + timedelta(seconds=s))
        bid, ask = q.best_bid, q.best_ask
        if bid is None or ask is None:
            continue
        spreads.append(float((ask - bid) / inst.tick))
        rels.append(float((ask - bid) / ((ask + bid) / 2)))
        tops.append((q.buy_depth[0].quantity + q.sell_depth[0].quantity) / 2 / lot)
        totals.append(sum(lv.quantity for lv in q.buy_depth) / lot)
    n = max(1, len(spreads))
    return BookStats(label, sum(spreads) / n, sum(rels) / n, sum(tops) / n, sum(totals) / n)


def option(
    name: str, kind: str, strike: float, expiry: date, token: int, tick: Decimal = specs.OPTION_TICK
) -> SimInstrument:
    spec = specs.UNDERLYINGS[name]
    return SimInstrument(
        token,
        kind,
        name,
        float(spec.demo_spot),
        spec.demo_vol,
        tick,
        spec.lot_size,
        strike,
        expiry,
        index_underlying=spec.is_index,
    )


def future(name: str, expiry: date, token: int, tick: Decimal) -> SimInstrument:
    spec = specs.UNDERLYINGS[name]
    return SimInstrument(
        token,
        "FUT",
        name,
        float(spec.demo_spot),
        spec.demo_vol,
        tick,
        spec.lot_size,
        None,
        expiry,
        index_underlying=spec.is_index,
    )


def atm_strike(sim: MarketSimulator, name: str, at: datetime) -> float:
    step = float(specs.UNDERLYINGS[name].strike_step)
    return round(spot(sim, name, at) / step) * step


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)
