#!/usr/bin/env python
"""Risk benchmark (prints figures; never a timed test): the pure limit checks per order, and what the two risk
stages cost in a real placement.

1. `risk.limits.evaluate` with every limit enabled on an order's facts, N times (the checks alone).
2. On a throwaway SQLite database with the demo master: a paper account places M resting LIMIT orders through
   `order_preview` (dry run) and reports the `risk.kill_switch` and `risk.limits` findings' microseconds
   (median, p95), and the SQL statements each risk stage issues in a placement.

Usage: .venv/bin/python benchmarks/bench_risk.py [--checks 100000] [--orders 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bench_pure(n: int) -> None:
    from risk import limits

    everything = limits.resolve({k: {"enabled": True} for k in limits.BY_KEY})
    facts = limits.OrderFacts(
        side="BUY",
        quantity=75,
        product="NRML",
        order_type="LIMIT",
        price=Decimal("100"),
        ltp=Decimal("101"),
        band_low=Decimal("80"),
        band_high=Decimal("120"),
        instrument_kind="OPT",
        underlying="NIFTY",
        stop_loss=Decimal("90"),
        target=Decimal("130"),
        capital=Decimal("1000000"),
        pnl_today=Decimal("-1000"),
        peak_equity=Decimal("1001000"),
        orders_last_minute=3,
        pending_in_instrument=1,
        volume=5000,
        oi=10000,
        usual_order_value=Decimal("7000"),
        history_count=20,
        margin_utilisation_after=Decimal("40"),
    )
    start = time.perf_counter()
    for _ in range(n):
        limits.evaluate(everything, facts)
    took = time.perf_counter() - start
    print(f"pure checks: {n} evaluations of all 16 limits in {took:.2f} s = {took / n * 1e6:.1f} µs per order")


def bench_stages(m: int) -> None:
    workdir = tempfile.mkdtemp(prefix="bench-risk-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.selectors import account_resolve
    from accounts.services import paper_account_create
    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh
    from oms_project.lib.pretrade import OrderIntent
    from orders import services

    call_command("migrate", verbosity=0)
    demo_instruments_refresh(today=timezone.localdate())
    user = get_user_model().objects.create_user("bench-risk", password="x-secret-123")
    try:
        account = account_resolve(user=user)  # a new user gets a default paper account
    except Exception:  # noqa: BLE001
        account = paper_account_create(user=user, name="Paper", make_default=True)
    inst = Instrument.objects.filter(instrument_type="FUT", exchange="NFO").order_by("expiry").first()
    micros: dict[str, list[int]] = {"risk.kill_switch": [], "risk.limits": []}
    for i in range(m):
        out = services.order_preview(
            OrderIntent(
                user_id=user.pk,
                actor="bench",
                instrument_token=inst.instrument_token,
                transaction_type="BUY",
                quantity=inst.lot_size,
                product="NRML",
                order_type="MARKET",
                client_order_id=f"b{i}",
            ),
            user=user,
        )
        for f in out["findings"]:
            if f["stage"] in micros:
                micros[f["stage"]].append(f["micros"])
    for stage, xs in micros.items():
        xs.sort()
        print(
            f"{stage}: median {statistics.median(xs):.0f} µs, p95 {xs[int(len(xs) * 0.95) - 1]} µs "
            f"over {len(xs)} previews"
        )
    from risk import selectors

    with CaptureQueriesContext(connection) as ctx:
        from django.db import transaction

        with transaction.atomic():
            selectors.kill_switch_state_locked(account)
    sql = lambda c: [q["sql"] for q in c.captured_queries if q["sql"].split()[0].upper() in ("SELECT", "INSERT")]  # noqa: E731
    print(
        f"kill-switch commit guard: {len(sql(ctx))} statement(s) on an account's first order "
        "(read, create the rows, read)"
    )
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            selectors.kill_switch_state_locked(account)
    print(f"kill-switch commit guard afterwards: {len(sql(ctx))} statement(s) per order")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    bench_pure(args.checks)
    bench_stages(args.orders)


if __name__ == "__main__":
    main()
