#!/usr/bin/env python
"""The order core's own CPU per placement, in one process (prints figures; never a timed test).

`bench_orders.py` measures the whole server against a Django floor; its ratios move with the machine's load (a
quiet 2-core box gave 4.5-6.2x within one day). This one takes the HTTP server, the client and the floor out:
`orders.services.order_place` called directly with an `OrderIntent`, the way the API's view calls it, and CPU
read from `time.process_time()` around each round. Risk limits on, as shipped (the per-account order-rate and
pending-orders limits raised, so the benchmark is not refused by them).

What it does: creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth; `--sqlite`
uses a temporary SQLite file instead), migrates it, loads the demo master, creates --users users with a funded
paper account each, picks cheap options with a usable price, places 60 warm-up orders, then --rounds rounds of
--orders resting LIMIT BUY orders below the market (round-robin over accounts and instruments, each with a fresh
client order id, prices varied so no two are near-duplicates), and prints CPU per order per round and the
median. Enough accounts that each holds only a few working orders (margin judges the whole working book, so a
few hundred orders on one account would measure that instead). Drops the database at the end.

The rate slot is taken in Redis when REDIS_URL is set (as in production), else in the process's cache.

Usage: [REDIS_URL=redis://127.0.0.1:6379/5] .venv/bin/python benchmarks/bench_place_cpu.py [--users 600]
       [--orders 120] [--rounds 5] [--sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--orders", type=int, default=120, help="orders per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    args = parser.parse_args()

    db_name = f"oms_bench_cpu_{uuid.uuid4().hex[:8]}"
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='oms_bench_cpu_')}/bench.sqlite3"
    else:
        _psql(f"CREATE DATABASE {db_name}")
        os.environ["DATABASE_URL"] = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + uuid.uuid4().hex + uuid.uuid4().hex)
    os.environ["RISK_LIMITS_ENABLED"] = "true"
    try:
        return _run(args)
    finally:
        if not args.sqlite:
            from django.db import connections

            connections.close_all()
            _psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")  # the connection pool may still hold one


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from decimal import ROUND_CEILING, Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.selectors import account_resolve
    from marketdata.models import Instrument
    from marketdata.selectors import quote_for
    from oms_project.lib.pretrade import OrderIntent
    from orders.services import order_place

    # The benchmark places far more than a trader would per minute and per instrument: those two limits are raised.
    settings.RISK_LIMIT_DEFAULTS = {"orders_per_minute": {"max": 100_000}, "pending_orders": {"max": 100_000}}
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    user_model = get_user_model()
    users = []
    for i in range(args.users):
        user, _ = user_model.objects.get_or_create(username=f"cpu{i:04d}")
        users.append((user, account_resolve(user=user)))
    instruments = []
    options = Instrument.objects.filter(segment="NFO-OPT", is_active=True, last_price__gt=Decimal("20"))
    for inst in options.order_by("expiry", "-last_price")[:200]:
        q = quote_for(inst)
        # Below the best bid, inside the band and within the risk engine's price-sanity limit: it rests.
        floor = max(q.lower_circuit_limit * Decimal("1.02"), q.last_price * Decimal("0.93"))
        price = (floor / inst.tick_size).to_integral_value(rounding=ROUND_CEILING) * inst.tick_size
        if price > 0 and q.best_bid is not None and price < q.best_bid:
            instruments.append((inst, price))
        if len(instruments) >= 20:
            break

    def place(n: int) -> None:
        user, account = users[n % len(users)]
        inst, price = instruments[n % len(instruments)]
        intent = OrderIntent.from_fields(
            user_id=user.pk,
            actor=f"user:{user.pk}",
            account_id=account.pk,
            instrument_token=inst.instrument_token,
            transaction_type="BUY",
            quantity=inst.lot_size,
            product="NRML",
            order_type="LIMIT",
            price=price - inst.tick_size * (n % 7),
            client_order_id=uuid.uuid4().hex,
        )
        order = order_place(intent, user=user)
        assert order.status == "OPEN", (order.status, order.status_message)

    for n in range(60):
        place(n)
    per_round = []
    for r in range(args.rounds):
        start = time.process_time()
        for n in range(args.orders):
            place(100_000 * (r + 1) + n)
        per_round.append(1000 * (time.process_time() - start) / args.orders)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"order_place CPU per resting LIMIT ({backend}, {args.users} accounts, risk limits on):")
    print("  per round: " + "  ".join(f"{x:.2f} ms" for x in per_round))
    print(f"  median:    {statistics.median(per_round):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
