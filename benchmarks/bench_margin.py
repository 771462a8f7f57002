#!/usr/bin/env python
"""Margin engine speed with a SPAN file loaded: import time and peak RSS, basket margin for 50 legs, preview p99.

    .venv/bin/python benchmarks/bench_margin.py [--runs 200] [--previews 200] [--keep]

What it does (prints figures, never a timed test):
  1. a throwaway SQLite database in a temp dir, migrated;
  2. a full-size SPAN file in NSE's layout (benchmarks/bench_span.write_full_file: ~58 MB, ~138k contracts,
     2.2 M risk-array values) imported with `manage.py import_span` in a child process: wall time and the
     child's peak RSS (targets < 60 s, < 500 MB);
  3. 50 legs (futures and options of two underlyings, two months) from the file, as instrument rows, margined
     together with `margin.selectors.order_margin` against a paper account on the file's trade date: the
     first call (cold: contracts read from the tables) and the median / p99 of warm calls (target < 20 ms);
  4. `POST /api/v1/orders/preview/` (the pre-trade pipeline's dry run, margin stages included) for one of
     those options through Django's test client (the full API stack in-process, no sockets), clock pinned to
     the file's trade date: median / p99 (target < 50 ms).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IST = ZoneInfo("Asia/Kolkata")
AT = datetime(2025, 8, 8, 11, 0, tzinfo=IST)


def _django(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
    import django

    django.setup()


def child_import(db: str, path: str) -> None:
    _django(Path(db))
    from margin.span_import import import_span_file

    t0 = time.perf_counter()
    result = import_span_file(path)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT {elapsed:.2f} {peak_mb:.1f} {result.contracts}")


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--previews", type=int, default=200)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_margin_"))
    db = tmp / "bench.sqlite3"
    _django(db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from benchmarks.bench_span import write_full_file

    spn = tmp / "nsccl.20250808.i1.spn"
    t0 = time.perf_counter()
    contracts, size = write_full_file(spn)
    print(f"generated {spn.name}: {size / 1e6:.1f} MB, {contracts} contracts in {time.perf_counter() - t0:.1f} s")
    out = subprocess.run(
        [sys.executable, __file__, "--child-import", str(db), str(spn)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    _, elapsed, peak, n = line.split()
    print(
        f"import_span: {float(elapsed):.1f} s (target < 60 s), peak RSS {float(peak):.0f} MB (target < 500 MB), "
        f"{n} contracts into the tables"
    )

    from django.contrib.auth import get_user_model

    from accounts.selectors import account_resolve
    from accounts.services import api_key_create
    from margin import selectors as ms
    from margin import sources, span_store
    from margin.models import SpanContract
    from marketdata.models import Instrument

    rows = []
    for name in ("SYM000", "SYM001"):
        futs = list(SpanContract.objects.filter(underlying=name, kind="FUT").order_by("expiry")[:2])
        opts = list(
            SpanContract.objects.filter(underlying=name, kind__in=["C", "P"]).order_by("expiry", "strike")[90:113]
        )
        rows += futs + opts
    rows = rows[:50]
    instruments = []
    for i, r in enumerate(rows):
        itype = {"FUT": "FUT", "C": "CE", "P": "PE"}[r.kind]
        instruments.append(
            Instrument.objects.create(
                instrument_token=900000 + i,
                exchange_token=900000 + i,
                tradingsymbol=f"{r.underlying}{r.expiry:%y%b}{int(r.strike or 0)}{itype}{i}".upper(),
                name=r.underlying,
                last_price=r.price,
                expiry=r.expiry,
                strike=r.strike,
                tick_size=Decimal("0.05"),
                lot_size=75,
                instrument_type=itype,
                segment="NFO-FUT" if itype == "FUT" else "NFO-OPT",
                exchange="NFO",
                freeze_quantity=1800,
                source="demo",
            )
        )
    user = get_user_model().objects.create_user(username="bench", password="x")
    account = account_resolve(user=user)  # every new user has a paper account
    account.paper_capital = Decimal("1e12")
    account.save()
    orders = [
        ms.MarginOrder(inst, "BUY" if i % 3 else "SELL", 75 * (1 + i % 2), None, "NRML")
        for i, inst in enumerate(instruments)
    ]
    span_store.clear_cache()
    sources.clear_cache()
    t0 = time.perf_counter()
    first = ms.order_margin(account, orders, at=AT)
    cold = time.perf_counter() - t0
    assert first.after.source.startswith("span-file:"), first.after.source
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        ms.order_margin(account, orders, at=AT)
        times.append(time.perf_counter() - t0)
    print(
        f"basket margin, 50 legs, SPAN file loaded ({first.after.source}): cold {cold * 1e3:.1f} ms, "
        f"median {statistics.median(times) * 1e3:.2f} ms, p99 {_pct(times, 0.99) * 1e3:.2f} ms over {args.runs} "
        f"runs (target < 20 ms); basket span {first.basket.span}, initial span {first.initial.span}"
    )

    import time_machine
    from django.test import Client

    _, raw = api_key_create(user=user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}", HTTP_HOST="localhost")
    option = next(i for i in instruments if i.instrument_type in ("CE", "PE"))
    body = {
        "instrument_token": option.instrument_token,
        "transaction_type": "SELL",
        "quantity": 75,
        "product": "NRML",
        "order_type": "MARKET",
    }
    with time_machine.travel(AT, tick=True):
        r = client.post("/api/v1/orders/preview/", body, content_type="application/json")
        assert r.status_code == 200, r.content[:500]
        stages = {f["stage"]: f for f in r.json()["findings"]}
        assert "margin.funds" in stages, stages
        latencies = []
        for _ in range(args.previews):
            t0 = time.perf_counter()
            r = client.post("/api/v1/orders/preview/", body, content_type="application/json")
            latencies.append(time.perf_counter() - t0)
            assert r.status_code == 200
    funds = stages["margin.funds"]
    print(
        f"preview through the API (in-process test client), {args.previews} requests: median "
        f"{statistics.median(latencies) * 1e3:.1f} ms, p99 {_pct(latencies, 0.99) * 1e3:.1f} ms (target < 50 ms); "
        f"margin.funds {funds['outcome']} {funds['code']} in {funds['micros']} µs, source {funds['details']['source']}"
    )
    if args.keep:
        print(f"kept {tmp}")
    else:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child-import":
        child_import(sys.argv[2], sys.argv[3])
    else:
        main()
