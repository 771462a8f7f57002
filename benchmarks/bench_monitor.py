#!/usr/bin/env python
"""Live monitor breach-to-action time (prints figures; never a timed test), on a throwaway SQLite database with
the demo master, the clock pinned to a trading morning (11:00 IST, ticking):

1. A paper account long 10 NIFTY futures lots; one `marketdata.tick_batch` whose mark puts the day's loss past
   6 % of capital. Measured: the tick batch delivered → the kill switch engaged (REDUCING row committed, its
   `since`), and → the book flat and HALTED (the order core's square-off, in the same call).
2. A strategy past its loss cap with auto square-off off: tick batch → the strategy's risk_status REDUCING.
3. The monitor's pass with no breach (what every tick batch costs for one account).

The issue's target: a breach acted on within 1 s of the tick; square-off within 30 s (seeds).
Usage: .venv/bin/python benchmarks/bench_monitor.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import time_machine

    traveller = time_machine.travel(datetime.fromisoformat("2026-12-01T11:00:00+05:30"), tick=True)
    traveller.start()
    workdir = tempfile.mkdtemp(prefix="bench-monitor-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    os.environ.setdefault("RISK_LIMITS_ENABLED", "false")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.selectors import account_resolve
    from marketdata import lookup
    from marketdata.events import TickBatch
    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh
    from oms_project.lib import events
    from oms_project.lib.pretrade import OrderIntent
    from orders.services import placement
    from portfolio.models import Position, Strategy
    from risk import monitor, services
    from risk.models import KillSwitch, RiskStatus

    settings.RISK_LIMITS_ENABLED = False
    settings.KILL_SWITCH_RETRY_SECONDS = 0.2
    call_command("migrate", verbosity=0)
    demo_instruments_refresh(today=timezone.localdate())
    inst = Instrument.objects.filter(instrument_type="FUT", exchange="NFO", name="NIFTY").order_by("expiry").first()
    engage_ms: list[float] = []
    flat_ms: list[float] = []
    status_ms: list[float] = []
    pass_ms: list[float] = []
    for r in range(args.rounds):
        user = get_user_model().objects.create_user(f"bench-monitor-{r}", password="x-secret-123")
        account = account_resolve(user=user)
        strategy = Strategy.objects.create(user=user, account=account, name="s", auto_square_off_on_loss_limit=False)

        def buy(lots: int, strategy_id: int | None = None, user=user) -> None:  # noqa: ANN001
            placement.order_place(
                OrderIntent(
                    user_id=user.pk,
                    actor="bench",
                    instrument_token=inst.instrument_token,
                    transaction_type="BUY",
                    quantity=inst.lot_size * lots,
                    product="NRML",
                    order_type="MARKET",
                    strategy_id=strategy_id,
                    confirm_duplicate=True,
                ),
                user=user,
            )

        buy(1, strategy.pk)
        ltp = Decimal(lookup.last_price(inst))
        t0 = time.perf_counter()
        monitor.monitor_accounts([account.pk], marks={inst.instrument_token: ltp})
        pass_ms.append((time.perf_counter() - t0) * 1000)
        # 2. the strategy's cap (₹50,000): a mark that loses ₹55,000 on one lot (5.5 % of the ₹10 lakh capital:
        # the account only warns)
        bad = (ltp - Decimal(55_000) / inst.lot_size).quantize(Decimal("0.05"))
        t0 = time.perf_counter()
        events.deliver(TickBatch(marks={inst.instrument_token: str(bad)}, at=timezone.now()))
        row = RiskStatus.objects.get(strategy=strategy)
        status_ms.append((row.updated_at.timestamp() - (time.time() - (time.perf_counter() - t0))) * 1000)
        assert row.status == "REDUCING", row.status
        RiskStatus.objects.filter(pk=row.pk).update(status="ACTIVE", alerted={})
        # 1. the account's daily loss: 7% of capital on 3 more lots
        buy(3)
        capital = Decimal(services.selectors.capital_of(services.selectors.portfolio_selectors.funds_for(account)))
        qty = sum(p.quantity for p in Position.objects.filter(account=account))
        crash = (ltp - capital * Decimal("0.07") / qty).quantize(Decimal("0.05"))
        wall0 = time.time()
        t0 = time.perf_counter()
        events.deliver(TickBatch(marks={inst.instrument_token: str(crash)}, at=timezone.now()))
        done = time.perf_counter()
        switch = KillSwitch.objects.get(account=account)
        assert switch.engaged, switch.state
        engage_ms.append((switch.since.timestamp() - wall0) * 1000)
        flat_ms.append((done - t0) * 1000)
        open_qty = sum(p.quantity for p in Position.objects.filter(account=account))
        print(f"round {r + 1}: switch {switch.state}, open quantity after {open_qty}")
    traveller.stop()

    def show(name: str, xs: list[float]) -> None:
        print(f"{name}: median {statistics.median(xs):.1f} ms, max {max(xs):.1f} ms over {len(xs)} rounds")

    show("monitor pass, one account, no breach", pass_ms)
    show("tick batch → strategy risk_status REDUCING (committed)", status_ms)
    show("tick batch → kill switch engaged (REDUCING committed)", engage_ms)
    show("tick batch → book squared off and HALTED (same call)", flat_ms)
    print("targets: breach acted on < 1,000 ms; square-off < 30,000 ms (seeds)")


if __name__ == "__main__":
    main()
