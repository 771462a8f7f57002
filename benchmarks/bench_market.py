"""Statistics of the simulated market next to their targets (docs/market-model.md, "Targets").

    .venv/bin/python benchmarks/bench_market.py [--seed N]

Spreads and depth by instrument class, realised vs implied volatility, India VIX's range, the
correlations NIFTY-SENSEX-BANKNIFTY and stock betas to NIFTY, what a 20-lot market order
would walk through in the displayed book, and its impact on the paper venue's book (fills use up
the depth, which replenishes over paper_venue.book.BOOK_REFILL_SECONDS) with and without
replenishment. Prints figures only; the tests in
tests/marketdata/test_market_model.py assert the same statistics on fixed dates.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchange_calendars.exchange_calendar_xbom import precomputed_bse_holidays  # noqa: E402

from marketdata import contract_specs as specs  # noqa: E402
from marketdata import market_stats as ms  # noqa: E402
from marketdata.simulator import IST  # noqa: E402
from paper_venue import book  # noqa: E402  (pure: the venue's book arithmetic)

D = Decimal


def holidays() -> list[date]:
    import tomllib

    out = [ts.date() for ts in precomputed_bse_holidays]
    with (Path(__file__).resolve().parents[1] / "marketdata/data/exchange_holidays.toml").open("rb") as fh:
        out += [row["date"] for row in tomllib.load(fh).get("holiday", [])]
    return out


def row(label: str, value: str, target: str) -> None:
    print(f"  {label:<44} {value:>22}   target {target}")


def walk(q, lots: int, lot: int) -> tuple[int, Decimal | None]:  # noqa: ANN001
    """Levels used and average price of a `lots`-lot market buy against the displayed asks."""
    need, cost, used = lots * lot, D(0), 0
    for lv in q.sell_depth:
        take = min(need, lv.quantity)
        cost += take * lv.price
        need -= take
        used += 1
        if not need:
            return used, cost / (lots * lot)
    return used, None


def venue_buys(sim, inst, at: datetime, schedule: list[tuple[float, int]], *, refill: bool):  # noqa: ANN001, ANN201
    """Market buys on the venue's book, as the venue fills them (paper_venue.book): each takes what earlier
    ones left, and with `refill` the side gives back its displayed depth over BOOK_REFILL_SECONDS (without:
    never). Answers, per order, (lots filled, cost, lots short: left resting at the protection price, the mid
    when it was sent)."""
    consumed, as_of, out = 0, at, []
    never = Decimal("1e15")
    for seconds, lots in schedule:
        t = at + timedelta(seconds=seconds)
        q = sim.quote(inst, t)
        levels = book.as_levels(q.sell_depth)
        consumed = book.replenished(consumed, elapsed_seconds=(t - as_of).total_seconds(),
                                    displayed_quantity=book.displayed(levels), lot=inst.lot_size,
                                    refill_seconds=book.BOOK_REFILL_SECONDS if refill else never)
        as_of = t
        mid = (q.best_bid + q.best_ask) / 2
        limit = q.last_price * D("1.03")  # the venue's automatic market protection (3 %)
        fills = book.take(book.after_consumption(levels, consumed), lots * inst.lot_size, limit, buy=True)
        got = sum(n for n, _ in fills)
        consumed += got
        out.append((got // inst.lot_size, sum((n * p for n, p in fills), D(0)), lots - got // inst.lot_size, mid))
    return out


def impact_of(orders, lot: int) -> str:  # noqa: ANN001
    """Lots filled, their cost over the mid each order met when it was sent (bp, lot-weighted), lots short."""
    lots = sum(o[0] for o in orders)
    short = sum(o[2] for o in orders)
    if not lots:
        return f"nothing filled, {short} short"
    over = sum((o[1] - o[0] * lot * o[3]) / o[3] for o in orders if o[0]) / (lots * lot)
    return f"{lots:>2} filled {float(over) * 1e4:6.1f} bp, {short:>2} short"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    sim = ms.build_simulator(args.seed, holidays())
    days = ms.trading_days(sim, date(2025, 12, 1), 250)
    print(f"Simulated market, seed {args.seed}: {len(days)} trading days from {days[0]} to {days[-1]}\n")

    print("Correlations of daily (close-to-close) log returns, and of 1-minute session returns (10 days)")
    names = ["NIFTY", "SENSEX", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "RELIANCE", "HDFCBANK", "INFY", "TCS", "SBIN"]
    r = {n: ms.log_returns(v) for n, v in ms.daily_closes(sim, names, days).items()}
    minutes = ms.intraday_minutes(sim, ["NIFTY", "SENSEX", "BANKNIFTY"], days[:10])
    m = {n: [x for day in v for x in ms.log_returns(day)] for n, v in minutes.items()}
    row("NIFTY-SENSEX daily", f"{ms.correlation(r['NIFTY'], r['SENSEX']):.3f}", ">= 0.95 (real ~0.98; was 0.00)")
    row("NIFTY-SENSEX 1-minute", f"{ms.correlation(m['NIFTY'], m['SENSEX']):.3f}", ">= 0.95")
    row("NIFTY-BANKNIFTY daily", f"{ms.correlation(r['NIFTY'], r['BANKNIFTY']):.3f}", "0.75-0.95 (real ~0.85)")
    row("NIFTY-BANKNIFTY 1-minute", f"{ms.correlation(m['NIFTY'], m['BANKNIFTY']):.3f}", "0.75-0.95")
    row("SENSEX-BANKNIFTY daily", f"{ms.correlation(r['SENSEX'], r['BANKNIFTY']):.3f}", "0.75-0.95")
    row("BANKNIFTY-FINNIFTY daily", f"{ms.correlation(r['BANKNIFTY'], r['FINNIFTY']):.3f}", "> NIFTY-BANKNIFTY (sector)")
    row("NIFTY-MIDCPNIFTY daily", f"{ms.correlation(r['NIFTY'], r['MIDCPNIFTY']):.3f}", "0.7-0.9")
    print("\nStock betas to NIFTY (daily returns)")
    nifty_vol, nifty_load = specs.UNDERLYINGS["NIFTY"].demo_vol, specs.FACTOR_LOADINGS["NIFTY"].market
    for n in names[5:]:
        target = specs.FACTOR_LOADINGS[n].market * nifty_load * specs.UNDERLYINGS[n].demo_vol / nifty_vol
        row(
            f"{n} beta (corr)",
            f"{ms.beta(r[n], r['NIFTY']):.2f} ({ms.correlation(r[n], r['NIFTY']):.2f})",
            f"{target:.2f} ±35% (model loading)",
        )

    print("\nRealised vs implied volatility (1-minute: 20 sessions, 252 x 375 min/yr; daily: 252 days/yr)")
    for n in ("NIFTY", "BANKNIFTY", "SENSEX", "RELIANCE"):
        s = ms.vol_stats(sim, n, days)
        row(f"{n} 1-minute realised / implied", f"{s.intraday_1m:.3f} / {s.implied:.3f} = {s.intraday_1m / s.implied:.2f}",
            "0.7-1.1 (was ~0.45)")
        row(f"{n} daily realised / implied", f"{s.daily:.3f} / {s.implied:.3f} = {s.daily / s.implied:.2f}", "0.7-1.15")
        row(f"{n} mean high-low / Brownian expectation", f"{s.mean_range:.4f} / {s.expected_range:.4f} = "
            f"{s.mean_range / s.expected_range:.2f}", "0.65-1.2 (was ~0.5)")
    vix = sorted(ms.vix_samples(sim, datetime(2025, 1, 1, tzinfo=IST), 730, step_hours=2))
    row("India VIX min / median / max (2 years)", f"{vix[0]:.2f} / {vix[len(vix) // 2]:.2f} / {vix[-1]:.2f}",
        f">= {specs.VIX_FLOOR} / 11-16 / > 20")
    row("India VIX share of time below 10", f"{sum(v < 10 for v in vix) / len(vix):.1%}", "< 5%")

    at = datetime(2026, 12, 1, 11, 0, tzinfo=IST)
    expiry_day = datetime(2026, 12, 8, 13, 0, tzinfo=IST)
    print(f"\nDepth by instrument class (mean over 120 s from {at:%d %b %Y %H:%M} IST; lots, equities in shares)")
    nifty_atm = ms.atm_strike(sim, "NIFTY", at)
    rel_atm = ms.atm_strike(sim, "RELIANCE", at)
    classes = [
        ("NIFTY fut near (tick 0.10)", ms.future("NIFTY", date(2026, 12, 29), 1, D("0.10")),
         "1-2 ticks, tens of lots"),
        ("NIFTY fut next", ms.future("NIFTY", date(2027, 1, 25), 2, D("0.10")), "wider, thinner than near"),
        ("NIFTY fut far", ms.future("NIFTY", date(2027, 2, 23), 3, D("0.10")), "wider, thinner than next"),
        ("BANKNIFTY fut near (tick 0.20)", ms.future("BANKNIFTY", date(2026, 12, 29), 4, D("0.20")),
         "1-2 ticks, tens of lots"),
        ("RELIANCE fut near (tick 0.10)", ms.future("RELIANCE", date(2026, 12, 29), 5, D("0.10")),
         "1-3 ticks, a few lots"),
        ("RELIANCE equity (tick 0.10)", ms.SimInstrument(6, "EQ", "RELIANCE", 1500.0, 0.22, D("0.10"), 1,
                                                         index_underlying=False), "1-2 ticks"),
        ("NIFTY weekly ATM CE", ms.option("NIFTY", "CE", nifty_atm, date(2026, 12, 8), 7), "<= 4 ticks, >= 10 lots"),
        ("NIFTY weekly 300 OTM PE", ms.option("NIFTY", "PE", nifty_atm - 300, date(2026, 12, 8), 8), "tight, deep"),
        ("NIFTY monthly ATM CE", ms.option("NIFTY", "CE", nifty_atm, date(2026, 12, 29), 9), "wider than weekly"),
        ("NIFTY far OTM CE (Feb, +1500)", ms.option("NIFTY", "CE", nifty_atm + 1500, date(2027, 2, 23), 10),
         "thin, wide (rel > 3x ATM)"),
        ("RELIANCE ATM CE (monthly)", ms.option("RELIANCE", "CE", rel_atm, date(2026, 12, 29), 11),
         "thin, wide (rel > 3x ATM)"),
    ]
    print(f"  {'class':<32} {'spread ticks':>12} {'rel spread':>11} {'top lots':>9} {'5-level lots':>13}   target")
    for label, inst, target in classes:
        b = ms.book_stats(sim, label, inst, at)
        print(f"  {label:<32} {b.spread_ticks:>12.2f} {b.rel_spread:>11.4%} {b.top_lots:>9.1f} {b.five_level_lots:>13.1f}"
              f"   {target}")
    expiry_atm = ms.atm_strike(sim, "NIFTY", expiry_day)
    for kind, strike in (("CE", expiry_atm + 600), ("PE", expiry_atm - 600), ("PE", expiry_atm - 1000)):
        inst = ms.option("NIFTY", kind, strike, date(2026, 12, 8), 20 + int(strike))
        q = sim.quote(inst, expiry_day)
        print(f"  expiry-day ({expiry_day:%d %b %H:%M}) NIFTY {strike:.0f} {kind}: bid {q.best_bid} x "
              f"{q.buy_depth[0].quantity // 65} lots, ask {q.best_ask} x {q.sell_depth[0].quantity // 65} lots   "
              "target worthless: 0.05/0.10 with >= 300 lots; cheap: 1-2 ticks, >= 100 lots")

    print("\nA 20-lot market buy against the displayed book (one order, nothing taken before it)")
    for label, inst in (("NIFTY fut near", classes[0][1]), ("NIFTY fut far", classes[2][1]),
                        ("NIFTY weekly ATM CE", classes[6][1]), ("RELIANCE ATM CE", classes[10][1])):
        q = sim.quote(inst, at)
        used, avg = walk(q, 20, inst.lot_size)
        mid = (q.best_bid + q.best_ask) / 2
        impact = "book too thin for 20 lots in 5 levels" if avg is None else (
            f"{used} level(s), avg {avg:.2f}, {float((avg - mid) / mid) * 1e4:.1f} bp over mid")
        print(f"  {label:<32} {impact}")

    print(f"\nImpact of a 20-lot market buy on the paper venue's book (fills use up depth; replenishment "
          f"{book.BOOK_REFILL_SECONDS} s for the displayed side): bp over the mid each order met; 'short' = lots "
          "left resting at the protection price")
    scenarios = [  # (label, schedule, which orders to report)
        ("alone", [(0, 20)], slice(0, 1)),
        ("2nd 20-lot buy, the same second", [(0, 20), (0, 20)], slice(1, 2)),
        ("2nd 20-lot buy, 2 s later", [(0, 20), (2, 20)], slice(1, 2)),
        ("2nd 20-lot buy, 10 s later", [(0, 20), (10, 20)], slice(1, 2)),
        ("20 lots as 4 x 5, 2 s apart (TWAP)", [(0, 5), (2, 5), (4, 5), (6, 5)], slice(0, 4)),
    ]
    print(f"  {'class':<22} {'order':<36} {'with replenishment':>28} {'without':>28}")
    for label, inst in (("NIFTY fut near", classes[0][1]), ("NIFTY fut far", classes[2][1]),
                        ("NIFTY weekly ATM CE", classes[6][1]), ("RELIANCE ATM CE", classes[10][1])):
        for i, (text, schedule, part) in enumerate(scenarios):
            cells = []
            for refill in (True, False):
                orders = venue_buys(sim, inst, at, schedule, refill=refill)
                cells.append(impact_of(orders[part], inst.lot_size))
            print(f"  {label if not i else '':<22} {text:<36} {cells[0]:>28} {cells[1]:>28}")

    expired = ms.option("NIFTY", "PE", nifty_atm, date(2026, 12, 1), 30)
    a, b = sim.quote(expired, at + timedelta(days=1)), sim.quote(expired, at + timedelta(days=8))
    print(f"\nExpired contract (NIFTY 1 Dec {nifty_atm:.0f} PE) a day and 8 days later: {a.last_price} / {b.last_price}"
          f" (frozen: {a == b}, book empty: {not a.buy_depth})")


if __name__ == "__main__":
    main()
