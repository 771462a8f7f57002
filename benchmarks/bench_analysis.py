"""Pre-trade analytics speed: one depth analysis (target < 2 ms) and a Greeks revaluation of
10,000 positions in one batch (target < 50 ms).

    .venv/bin/python benchmarks/bench_analysis.py

Prints figures only (speed targets are checked by reading them, never by timed assertions).
Depth analyses run on synthetic option books (five levels a side, made here so the figure does
not move with the simulator), a mix of sides and sizes so every decision rule is exercised. The
Greeks batch is a random book of NIFTY / BANKNIFTY / stock options and futures; it is timed from
arrays (how a monitor that keeps its book as arrays calls it) and from PositionInput objects
(conversion included), and the scalar reference loop is timed for comparison.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketdata.depth_analysis import OrderIntent, analyse_depth, recommend_position_size  # noqa: E402
from marketdata.types import DepthLevel, Quote  # noqa: E402
from risk.greeks import PositionInput, position_greeks, revalue_arrays, revalue_batch  # noqa: E402

AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
TICK = Decimal("0.05")
LOT = 65


def _quotes(n: int = 300) -> list[Quote]:
    """Option-like books: 5 levels a side on the tick grid, spreads from 1 to 12 ticks."""
    rnd = random.Random(7)
    out = []
    for i in range(n):
        bid_ticks = rnd.randint(200, 8_000)  # ₹10 .. ₹400
        ask_ticks = bid_ticks + rnd.choice((1, 1, 2, 3, 5, 12))

        def side(start: int, step: int) -> tuple[DepthLevel, ...]:
            levels, ticks = [], start
            for _ in range(5):
                levels.append(DepthLevel(TICK * ticks, LOT * rnd.randint(1, 40), rnd.randint(1, 30)))
                ticks += step * rnd.randint(1, 3)
            return tuple(levels)

        px = TICK * ask_ticks
        out.append(
            Quote(
                i,
                AT,
                px,
                LOT,
                px,
                rnd.randint(0, 5_000_000),
                rnd.randint(0, 2_000_000),
                px,
                px,
                px,
                px,
                TICK,
                px * 3,
                side(bid_ticks, -1),
                side(ask_ticks, 1),
            )
        )
    return out


def bench_depth() -> None:
    quotes = _quotes()
    rnd = random.Random(11)
    cases = [(q, OrderIntent(rnd.choice(("BUY", "SELL")), LOT * rnd.choice((1, 2, 5, 10, 30, 80)))) for q in quotes]
    for q, order in cases[:50]:  # warm up
        analyse_depth(q, order, tick_size=TICK, lot_size=LOT, volume=q.volume, open_interest=q.oi)
    times: list[float] = []
    actions: dict[str, int] = {}
    for _ in range(5):
        for q, order in cases:
            t0 = time.perf_counter()
            a = analyse_depth(q, order, tick_size=TICK, lot_size=LOT, volume=q.volume, open_interest=q.oi)
            times.append(time.perf_counter() - t0)
            actions[a.recommendation.action] = actions.get(a.recommendation.action, 0) + 1
    times.sort()
    print(
        f"depth analysis: {len(times)} runs, median {statistics.median(times) * 1e3:.3f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1e3:.3f} ms (target < 2 ms)"
    )
    print("  recommendations:", ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))
    sizes: list[float] = []
    for q, order in cases:
        t0 = time.perf_counter()
        recommend_position_size(q, order.side, lot_size=LOT, impact_budget_bps=Decimal(30))
        sizes.append(time.perf_counter() - t0)
    print(f"position size (30 bps budget): median {statistics.median(sizes) * 1e3:.3f} ms")


def _book(n: int) -> list[PositionInput]:
    rnd = random.Random(5)
    out = []
    for i in range(n):
        underlying, f, lot = rnd.choice((("NIFTY", 26_000.0, 65), ("BANKNIFTY", 59_000.0, 30), ("INFY", 1_550.0, 400)))
        kind = rnd.choice(("CE", "PE", "CE", "PE", "FUT"))
        out.append(
            PositionInput(
                kind,  # type: ignore[arg-type]
                rnd.choice((-1, 1)) * lot * rnd.randint(1, 20),
                f * rnd.uniform(0.99, 1.01),
                rnd.uniform(0.5, 90) / 365,
                rnd.uniform(0.08, 0.45),
                0.065,
                round(f * rnd.uniform(0.85, 1.15), -1),
                i % 40,
                underlying,
                i % 7,
            )
        )
    return out


def _best_of(fn, rounds: int) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_greeks(n: int = 10_000) -> None:
    book = _book(n)
    is_call = np.array([p.kind == "CE" for p in book])
    is_future = np.array([p.kind == "FUT" for p in book])
    qty = np.array([p.quantity for p in book], dtype=np.float64)
    fwd = np.array([p.forward for p in book])
    strike = np.array([p.strike if p.kind != "FUT" else p.forward for p in book])
    years = np.array([p.years for p in book])
    vol = np.array([p.vol for p in book])
    rate = np.array([p.rate for p in book])
    arrays = _best_of(lambda: revalue_arrays(is_call, is_future, qty, fwd, strike, years, vol, rate), 20)
    objects = _best_of(lambda: revalue_batch(book), 10)
    scalar = _best_of(lambda: [position_greeks(p) for p in book], 3)
    print(f"Greeks, {n:,} positions: batch from arrays {arrays * 1e3:.2f} ms (target < 50 ms)")
    print(f"  batch from PositionInput objects {objects * 1e3:.2f} ms; scalar reference loop {scalar * 1e3:.1f} ms")


def bench_monitor(n: int = 10_000, accounts: int = 500, strategies: int = 2_000) -> None:
    """The live monitor's whole pass on one tick batch (risk/monitor_math.py + the Greeks): P&L per position,
    strategy and account, the peak and drawdown, the five account checks, the strategy caps, the guards."""
    from risk import monitor_math as mm

    book = _book(n)
    rng = np.random.default_rng(11)
    is_call = np.array([p.kind == "CE" for p in book])
    is_future = np.array([p.kind == "FUT" for p in book])
    qty = np.array([p.quantity for p in book], dtype=np.float64)
    fwd = np.array([p.forward for p in book])
    strike = np.array([p.strike if p.kind != "FUT" else p.forward for p in book])
    years = np.array([p.years for p in book])
    vol = np.array([p.vol for p in book])
    rate = np.array([p.rate for p in book])
    entry = rng.uniform(50, 500, n)
    mark = entry * rng.uniform(0.95, 1.05, n)
    acc = rng.integers(0, accounts, n)
    strat = rng.integers(0, strategies, n)
    capital = np.full(accounts, 1e6)
    peak = np.full(accounts, 1.01e6)
    age = rng.uniform(0, 8, n)
    lim = np.full(accounts, 6.0)

    def one_pass() -> None:
        val = mm.revalue_book(
            quantity=qty,
            entry=entry,
            mark=mark,
            account=acc,
            strategy=strat,
            accounts=accounts,
            strategies=strategies,
            account_realised=np.zeros(accounts),
            strategy_realised=np.zeros(strategies),
            capital=capital,
            peak=peak,
        )
        g = revalue_arrays(is_call, is_future, qty, fwd, strike, years, vol, rate)
        delta = mm.group_sum(acc, g.delta_inr, accounts)
        vega = mm.group_sum(acc, g.vega_inr, accounts)
        mm.account_checks(
            pnl=val.account_pnl,
            capital=capital,
            drawdown_pct=val.drawdown_pct,
            utilisation_pct=np.full(accounts, 50.0),
            delta_inr=delta,
            vega_inr=vega,
            max_loss_pct=lim,
            max_drawdown_pct=lim * 2.5,
            max_utilisation_pct=lim * 15,
            max_delta_inr=np.full(accounts, 5e6),
            max_vega_inr=np.full(accounts, 5e4),
        )
        mm.alert_level(mm.strategy_loss_used(val.strategy_pnl, np.full(strategies, 5e4)))
        mm.guard_hits(
            pnl=val.unrealised,
            age_hours=age,
            target_inr=np.full(n, 2000.0),
            stop_inr=np.full(n, 1000.0),
            timeout_hours=np.full(n, 6.0),
        )

    best = _best_of(one_pass, 20)
    print(
        f"Live monitor, {n:,} positions / {accounts} accounts / {strategies:,} strategies in one batch: "
        f"{best * 1e3:.2f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    bench_depth()
    bench_greeks()
    bench_monitor()
