"""Simulator throughput: quotes per second and per-quote latency (median, p95), pure and via quote_for.

    .venv/bin/python benchmarks/bench_simulator.py

Prints figures only (speed targets are checked by reading them, never by timed assertions).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketdata.simulator import MarketSimulator, SimInstrument  # noqa: E402

AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def chain() -> list[SimInstrument]:
    out = [SimInstrument(1, "FUT", "NIFTY", 26000.0, 0.125, Decimal("0.05"), 65, None, date(2026, 11, 24))]
    for i, strike in enumerate(range(25250, 26800, 50)):
        for kind in ("CE", "PE"):
            out.append(
                SimInstrument(
                    100 + 2 * i + (kind == "PE"),
                    kind,
                    "NIFTY",
                    26000.0,
                    0.125,
                    Decimal("0.05"),
                    65,
                    float(strike),
                    date(2026, 11, 24),
                )
            )
    return out


def run(label: str, fn, instruments, rounds: int) -> None:  # noqa: ANN001
    per_quote: list[float] = []
    start = time.perf_counter()
    n = 0
    for r in range(rounds):
        at = AT + timedelta(seconds=r)
        for inst in instruments:
            t0 = time.perf_counter_ns()
            fn(inst, at)
            per_quote.append((time.perf_counter_ns() - t0) / 1000)
            n += 1
    elapsed = time.perf_counter() - start
    per_quote.sort()
    print(
        f"{label:<34} {n / elapsed:>10,.0f} quotes/s   median {statistics.median(per_quote):7.1f} µs   "
        f"p95 {per_quote[int(len(per_quote) * 0.95)]:7.1f} µs   ({n} quotes)"
    )


def main() -> None:
    instruments = chain()
    sim = MarketSimulator(20261121)
    sim.quote(instruments[0], AT)  # warm the day grid (first quote of a day samples the path from 09:15)
    run("simulator (NIFTY chain, 63 instr.)", sim.quote, instruments, 200)
    cold = MarketSimulator(20261121)
    run("simulator, cold caches, 1 round", cold.quote, instruments, 1)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from marketdata.models import Instrument
    from marketdata.selectors import quote_for
    from marketdata.services import demo_instruments_refresh

    demo_instruments_refresh(today=date(2026, 11, 20))
    rows = list(Instrument.objects.filter(name="NIFTY").order_by("expiry", "strike")[:200])
    run(f"quote_for (Django rows, {len(rows)} instr.)", quote_for, rows, 20)


if __name__ == "__main__":
    main()
