#!/usr/bin/env python
"""Execution benchmark (issue #11): what a large order costs sent four ways on the simulated market, through the
product (prints figures; never a timed test).

On a throwaway SQLite database with the demo master, the clock pinned by time-machine to market-hours instants
and advanced by hand (no real sleeping), a 20-lot BUY of (a) the near-the-money NIFTY weekly call and (b) the
at-the-money RELIANCE monthly call is sent, from the same instant and the same fresh paper-venue book (the venue's
used-up depth is reset between runs; it replenishes over paper_venue.book.BOOK_REFILL_SECONDS = 5 s), as:

  MARKET       one MARKET order (execution_override: the guard would hold it for approval), its remainder resting
               at the market-protection price until the book gives it liquidity;
  LIMIT@rec    one LIMIT order at the analysis' recommended limit price (POST /orders/analyze-execution/'s
               `recommended_limit_price`), resting for the horizon;
  TWAP         `twap_start`: 10 slices over 120 s (MARKET children; default jitter, fixed seed): the guard refuses
               (and the TWAP waits on) a MARKET child on a VERY_WIDE book;
  TWAP+guard   the same with `limit_price` = the worst level a 20-lot walk reaches at the start (what MARKET may
               pay): IOC LIMIT children, sent while the touch is within it;
  DEPTH_SPLIT  `depth_split_start`: each child the largest whole-lot size within 50 bps against the book it meets,
               an IOC LIMIT at its walk's worst level, 5 s between children.

Each run lasts --horizon seconds (default 180) of market time: at the start and every 2 s after it the beat's two
jobs run by hand (`algos_tick`, `paper_match_all`). Per method it prints, summed over the instants: lots filled of
those asked, slippage of the fills vs the arrival mid (the mid at the start; bps and ₹; a cost is positive), impact
(each fill vs the mid its own order was decided on, from order_slippage_history: the book walk without the market's
drift), and the share of fills (by quantity) at the expected price (the order's analysis VWAP) or better. The seeds
claim "30% less slippage and 50% less impact for large orders"; the last lines print what this run achieved against
MARKET, whatever it is.

Usage: .venv/bin/python benchmarks/bench_execution.py [--instants 5] [--horizon 180] [--seed 20261121]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DAY = "2026-12-02"  # a Wednesday: a trading day, not a NIFTY weekly expiry (Tuesday)
HOURS = ["10:00", "11:00", "12:00", "13:00", "14:00", "14:45", "10:30", "11:30", "12:30", "13:30"]
LOTS = 20
METHODS = ("MARKET", "LIMIT@rec", "TWAP", "TWAP+guard", "DEPTH_SPLIT")
STEP_SECONDS = 2  # the beat's algorithm tick


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser()
    parser.add_argument("--instants", type=int, default=5, help=f"start instants on {DAY} (at most {len(HOURS)})")
    parser.add_argument("--horizon", type=int, default=180, help="seconds of market time per run")
    parser.add_argument("--seed", type=int, default=None, help="SIM_MARKET_SEED (default: the settings')")
    args = parser.parse_args()
    import time_machine

    first = datetime.fromisoformat(f"{DAY}T{HOURS[0]}:00+05:30")
    traveller = time_machine.travel(first, tick=False)
    clock = traveller.start()
    workdir = tempfile.mkdtemp(prefix="bench-execution-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    os.environ.setdefault("RISK_LIMITS_ENABLED", "false")
    if args.seed is not None:
        os.environ["SIM_MARKET_SEED"] = str(args.seed)
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import TradingAccount
    from accounts.selectors import account_resolve
    from marketdata import lookup
    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh
    from oms_project.lib.pretrade import OrderIntent
    from orders import execution
    from orders.execution_models import AdvancedOrderExecution, OrderSlippageHistory
    from orders.models import Order
    from orders.services import algos, paper_match_all, placement
    from paper_venue.models import PaperVenueBook
    from portfolio.models import Trade

    settings.RISK_LIMITS_ENABLED = False
    call_command("migrate", verbosity=0)
    demo_instruments_refresh(today=timezone.localdate())
    print(
        f"Simulated market seed {settings.SIM_MARKET_SEED}; {LOTS}-lot BUY, horizon {args.horizon} s, instants "
        f"{', '.join(HOURS[: args.instants])} IST on {DAY}\n"
    )

    def near_the_money(name: str, *, weekly: bool) -> Instrument:
        future = Instrument.objects.filter(name=name, instrument_type="FUT").order_by("expiry").first()
        spot = Decimal(lookup.last_price(future))  # the near future: the underlying plus a little carry
        opts = Instrument.objects.filter(name=name, instrument_type="CE", expiry__gt=timezone.localdate())
        expiry = opts.order_by("expiry").values_list("expiry", flat=True).first()
        if not weekly:  # the monthly: the last expiry of the nearest month
            month = opts.filter(expiry__year=expiry.year, expiry__month=expiry.month)
            expiry = month.order_by("-expiry").values_list("expiry", flat=True).first()
        return min(opts.filter(expiry=expiry), key=lambda i: abs(Decimal(i.strike) - spot))

    User = get_user_model()
    seq = iter(range(10**6))

    def fresh_account() -> Any:
        user = User.objects.create_user(f"bench-exec-{next(seq)}", password="x-secret-123")
        account = account_resolve(user=user)  # made with the user (a paper account); funded for any of these orders
        TradingAccount.objects.filter(pk=account.pk).update(paper_capital=Decimal(50_000_000))
        return user, account

    def intent(user: Any, inst: Instrument, **kw: Any) -> OrderIntent:
        base = dict(
            user_id=user.pk,
            actor="bench",
            instrument_token=inst.instrument_token,
            transaction_type="BUY",
            quantity=LOTS * inst.lot_size,
            product="NRML",
            confirm_duplicate=True,
        )
        return OrderIntent(**{**base, **kw})

    def run(method: str, inst: Instrument, start: datetime) -> list[Order]:
        clock.move_to(start)
        PaperVenueBook.objects.all().delete()  # a fresh venue book: every method meets the same market
        user, _ = fresh_account()
        if method == "MARKET":
            placement.order_place(intent(user, inst, order_type="MARKET", execution_override=True), user=user)
        elif method == "LIMIT@rec":
            advice = execution.analyse_order(intent(user, inst, order_type="MARKET"), user=user)
            price = advice["recommended_limit_price"]
            placement.order_place(intent(user, inst, order_type="LIMIT", price=price), user=user)
        elif method.startswith("TWAP"):
            guard = None
            if method == "TWAP+guard":
                advice = execution.analyse_order(intent(user, inst, order_type="MARKET"), user=user)
                guard = Decimal(advice["worst_price"])
            algos.twap_start(
                user=user,
                instrument_token=inst.instrument_token,
                transaction_type="BUY",
                lots=LOTS,
                duration_seconds=120,
                slices=10,
                seed=7,
                limit_price=guard,
            )
        else:
            algos.depth_split_start(
                user=user, instrument_token=inst.instrument_token, transaction_type="BUY", lots=LOTS
            )
        for step in range(args.horizon // STEP_SECONDS + 1):
            if step:
                clock.shift(STEP_SECONDS)
            algos.algos_tick()  # at the start too: an algorithm's first child goes at the same instant as MARKET
            paper_match_all()
        return list(Order.objects.filter(user=user))

    instruments = [
        ("NIFTY weekly near-the-money CE", near_the_money("NIFTY", weekly=True)),
        ("RELIANCE monthly ATM CE", near_the_money("RELIANCE", weekly=False)),
    ]
    for label, inst in instruments:
        totals: dict[str, dict[str, Any]] = {m: defaultdict(Decimal) for m in METHODS}
        print(f"{label}: {inst.tradingsymbol} (lot {inst.lot_size}, tick {inst.tick_size})")
        for hour in HOURS[: args.instants]:
            start = datetime.fromisoformat(f"{DAY}T{hour}:00+05:30")
            clock.move_to(start)
            q = lookup.quote(inst, timezone.now())
            arrival = (q.best_bid + q.best_ask) / 2
            spread_pct = (q.best_ask - q.best_bid) / arrival * 100
            shown = sum(lv.quantity for lv in q.sell_depth) // inst.lot_size
            later = lookup.quote(inst, start + timedelta(seconds=120))  # the market is a function of time alone
            drift = ((later.best_bid + later.best_ask) / 2 - arrival) / arrival * 10_000
            print(
                f"  {hour} IST: bid {q.best_bid} ask {q.best_ask} (spread {spread_pct:.2f}%), {shown} lots offered"
                f" in 5 levels; the mid 120 s later: {drift:+.0f} bps (the market's drift, in a TWAP's figures)"
            )
            for method in METHODS:
                orders = run(method, inst, start)
                trades = list(Trade.objects.filter(order__in=orders))
                filled = sum(t.quantity for t in trades)
                notional = sum((t.quantity * Decimal(t.price) for t in trades), Decimal(0))
                rows = list(OrderSlippageHistory.objects.filter(order__in=orders))
                t = totals[method]
                t["asked"] += LOTS * inst.lot_size
                t["filled"] += filled
                t["cost"] += notional - filled * arrival  # ₹ over the arrival mid
                t["arrival_notional"] += filled * arrival
                t["impact_cost"] += sum((r.quantity * (r.fill_price - r.arrival_price) for r in rows), Decimal(0))
                t["impact_base"] += sum((r.quantity * r.arrival_price for r in rows), Decimal(0))
                t["at_expected"] += sum(
                    r.quantity for r in rows if r.vs_expected_bps is not None and r.vs_expected_bps <= 0
                )
                t["with_expected"] += sum(r.quantity for r in rows if r.vs_expected_bps is not None)
                t["children"] += len(orders)
                bps = (notional / filled - arrival) / arrival * 10_000 if filled else None
                why = ""
                if filled < LOTS * inst.lot_size and method in ("TWAP", "TWAP+guard", "DEPTH_SPLIT"):
                    ex = AdvancedOrderExecution.objects.order_by("-pk").first()  # this run's
                    why = f"  [{ex.status}: {ex.status_message[:90]}]"
                print(
                    f"    {method:<12} {filled // inst.lot_size:>3}/{LOTS} lots in {len(orders):>2} order(s), "
                    + (
                        f"avg {notional / filled:.2f}, {bps:7.1f} bps vs arrival {arrival:.3f}"
                        if filled
                        else "nothing filled"
                    )
                    + why
                )
        print(
            f"  {'method':<12} {'filled':>12} {'slippage bps':>13} {'slippage ₹':>12} {'impact bps':>11} "
            f"{'fills at expected or better':>28} {'orders':>7}"
        )
        summary = {}
        for method in METHODS:
            t = totals[method]
            slip = t["cost"] / t["arrival_notional"] * 10_000 if t["filled"] else None
            impact = t["impact_cost"] / t["impact_base"] * 10_000 if t["impact_base"] else None
            share = t["at_expected"] / t["with_expected"] * 100 if t["with_expected"] else None
            summary[method] = (slip, impact, t["cost"])
            filled_pct = t["filled"] / t["asked"] * 100
            print(
                f"  {method:<12} {filled_pct:>11.1f}% {_f(slip, '13.1f')} {_f(t['cost'], '12.0f')} "
                f"{_f(impact, '11.1f')} {_f(share, '27.1f')}% {int(t['children']):>7}"
            )
        base_slip, base_impact, _ = summary["MARKET"]
        for method in METHODS[1:]:
            slip, impact, _ = summary[method]
            print(
                f"  {method} vs MARKET: slippage {_change(slip, base_slip)}, impact {_change(impact, base_impact)}"
                " (seeds' claim: 30% less slippage, 50% less impact)"
            )
        print()
    traveller.stop()
    print(
        "slippage: the filled part's average vs the mid at the start (a cost is positive); impact: each fill vs the "
        "mid its own order was decided on (the walk, without drift); an unfilled remainder is not in the figures "
        "(see 'filled')."
    )


def _f(value: Any, fmt: str) -> str:
    width = int(fmt.split(".")[0])
    return f"{value:{fmt}}" if value is not None else f"{'–':>{width}}"


def _change(new: Any, base: Any) -> str:
    if new is None or base is None or base == 0:
        return "n/a"
    pct = (new - base) / abs(base) * 100
    return f"{new:.1f} vs {base:.1f} bps ({abs(pct):.0f}% {'less' if pct < 0 else 'more'})"


if __name__ == "__main__":
    main()
