#!/usr/bin/env python
"""End-of-day settlement benchmark: how long the daily futures M2M takes for N open positions, and a rerun.

What it does (prints figures; never a timed test): migrates a throwaway SQLite database (or the DATABASE_URL
given), creates N users with a paper account each holding one NIFTY future (N open positions), then times
`portfolio.settlement.futures_m2m_settle` for one trading day with the simulated market's close as the price
(one ledger entry, one futures_settlement_history row and one position update per position, each in its own
transaction), then the same call again (the idempotent rerun: nothing is posted).

Usage: .venv/bin/python benchmarks/bench_settlement.py [--positions 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=500)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-settle-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.services import paper_account_create
    from marketdata import calendar as mcal
    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh
    from portfolio import settlement
    from portfolio.models import LedgerEntry, Position

    today = date.today()
    demo_instruments_refresh(today=today)
    fut = Instrument.objects.filter(name="NIFTY", instrument_type="FUT").order_by("expiry").last()
    day = mcal.previous_trading_day("NFO", today - timedelta(days=1))
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}") for i in range(args.positions)]
    )
    for u in users:
        acc = paper_account_create(user=u, name="Paper", make_default=True)
        Position.objects.create(
            user=u,
            account=acc,
            exchange=fut.exchange,
            tradingsymbol=fut.tradingsymbol,
            product="NRML",
            instrument_token=fut.instrument_token,
            quantity=fut.lot_size,
            average_price=Decimal("24000"),
        )
    print(f"{connection.vendor}: {args.positions} open futures positions ({fut.tradingsymbol}), day {day}")
    t0 = time.perf_counter()
    run = settlement.futures_m2m_settle(day=day)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = settlement.futures_m2m_settle(day=day)
    rerun = time.perf_counter() - t0
    posted = LedgerEntry.objects.filter(kind="M2M_SETTLEMENT").count()
    print(
        f"settle:  {len(run.settled)} settled in {first:.2f} s ({first / max(1, len(run.settled)) * 1000:.2f} ms each)"
    )
    print(f"rerun:   {len(again.settled)} settled, {again.already} already, in {rerun:.2f} s")
    print(f"ledger:  {posted} M2M entries (one per position)")


if __name__ == "__main__":
    main()
