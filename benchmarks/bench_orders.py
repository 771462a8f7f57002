#!/usr/bin/env python
"""Order-placement benchmark: paper LIMIT orders through `POST /api/v1/orders/` on PostgreSQL.

What it does (a script that prints figures, never a timed test):
  1. creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth),
  2. migrates it, loads the demo instrument master, creates N users each with an API key
     (every user gets a funded paper account from the accounts signal),
  3. starts `uvicorn oms_project.asgi:application --workers 2` on a free loopback port with
     DATABASE_URL, REDIS_URL (redis://127.0.0.1:6379/<db>) and SECRET_KEY set,
  4. fires paper LIMIT BUY orders priced well below the market (so they rest, never fill) from
     concurrent clients spread across the accounts, bounded by an order count and a duration,
  5. prints p50/p95/p99 latency and sustained orders/s, then kills the server and drops the db.

Target (orders issue): p99 < 30 ms and >= 300 orders/s across accounts.

Where the time goes (2 shared cores, other work running; see the orders section of the final report):
  - Statements per resting LIMIT order: 14 in 4 transactions (was 29 in ~6, with two full replays of the
    account's trades per order): tests/orders/test_query_budget.py pins the count and that it does not
    grow with the account's history.
  - In process (Django test client on PostgreSQL, no HTTP): ~16-26 ms per order serially, ~12-15 ms of
    it Python CPU (ORM query building ~0.5-1 ms per statement, DRF, audit JSON).
  - Under uvicorn (py-spy --gil, c=16): order core ~50 % of the workers' CPU (placement lookups/validation/
    create 19 %, paper venue 16 %, broker update 11 %, PLACED event 3 %, rate governor 1 %; ~42 % of all
    server CPU is ORM/psycopg2 under the order core); Django request/middleware/asgiref 24 %, DRF view
    (parse, auth, response) 8 %, uvicorn/asyncio loop and thread hops 11 %, push sender thread 6 %.
    WhiteNoise's middleware is sync-only, so each request hops loop -> thread -> loop -> thread.
    A fresh PostgreSQL connection per request (CONN_MAX_AGE=0, see settings) costs a backend fork each
    time. uvicorn's workers share one listening socket, so the client's keep-alive connections can land
    unevenly (seen: one worker at ~77 % CPU, the other at ~25 %).
  Meeting p99 < 30 ms at 300 orders/s needs ~6 ms of total CPU per order on 2 cores: connection pooling
  (PgBouncer or psycopg 3's pool), more cores/workers, or an async placement path.

Usage:
  .venv/bin/python benchmarks/bench_orders.py [--users 100] [--concurrency 16] [--orders 4000]
      [--duration 20] [--warmup 200] [--workers 2] [--redis-db 11] [--keep-db]
  Profile the server while it runs (py-spy): add --profile /tmp/orders.svg (needs py-spy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER_LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "bench_orders_server.log"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}

# Runs inside a `manage.py shell` against the benchmark database: seeds users + keys and picks
# instruments to trade; prints one JSON line. Instruments: cheap options (small premium per lot,
# so many resting BUY orders fit in each paper account's funds) with a usable last price.
SEED_CODE = r"""
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.core.management import call_command
from accounts.services import api_key_create
from accounts.selectors import account_resolve
from marketdata.models import Instrument

call_command("seed_demo", verbosity=0)
User = get_user_model()
users = []
for i in range(__N_USERS__):
    user, _ = User.objects.get_or_create(username=f"bench{i:03d}")
    _, key = api_key_create(user=user, name="bench")
    users.append({"username": user.username, "key": key, "account_id": account_resolve(user=user).pk})
from decimal import ROUND_CEILING
from marketdata.selectors import quote_for

qs = (
    Instrument.objects.filter(segment="NFO-OPT", is_active=True, last_price__gt=Decimal("20"))
    .order_by("expiry", "-last_price")
)
instruments = []
for i in qs[: __N_INSTRUMENTS__ * 5]:
    q = quote_for(i)
    # Just inside today's lower price band and below the best bid: a valid BUY that rests.
    tick = i.tick_size
    price = ((q.lower_circuit_limit * Decimal("1.02")) / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    if price <= 0 or q.best_bid is None or price >= q.best_bid:
        continue
    instruments.append({"instrument_token": i.instrument_token, "exchange": i.exchange,
                        "tradingsymbol": i.tradingsymbol, "lot_size": i.lot_size,
                        "price": str(price.quantize(Decimal("0.01")))})
    if len(instruments) >= __N_INSTRUMENTS__:
        break
print("BENCH_SEED=" + json.dumps({"users": users, "instruments": instruments}))
"""


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    sample_error: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def env_for(db_name: str, redis_db: int, conn_max_age: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "oms_project.settings",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "DEBUG": "False",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "2",
            # Under ASGI every request runs its sync view on a fresh thread, so persistent connections
            # (CONN_MAX_AGE > 0) pile up one per thread until PostgreSQL's max_connections (100) refuses
            # more (Django docs, "Databases > Persistent connections"). 0 = connect per request.
            "CONN_MAX_AGE": str(conn_max_age),
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)[:60]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def seed(env: dict[str, str], n_users: int, n_instruments: int) -> dict[str, Any]:
    code = SEED_CODE.replace("__N_USERS__", str(n_users)).replace("__N_INSTRUMENTS__", str(n_instruments))
    out = manage(env, "shell", "-c", code)
    for line in out.splitlines():
        if line.startswith("BENCH_SEED="):
            return json.loads(line.removeprefix("BENCH_SEED="))
    raise RuntimeError(f"seed printed no result:\n{out[-2000:]}")


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    log = open(SERVER_LOG, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "oms_project.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as one, never by name
    )


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not come up; see {SERVER_LOG}")


def order_body(instrument: dict[str, Any], account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "instrument_token": instrument["instrument_token"],
        "transaction_type": "BUY",
        "quantity": instrument["lot_size"],
        "product": "NRML",
        "order_type": "LIMIT",
        "price": instrument["price"],  # inside the band, below the bid: rests (seeded per instrument)
        "validity": "DAY",
        # Bots send an idempotency key; it also keeps repeated identical orders from being near-duplicates.
        "client_order_id": uuid.uuid4().hex,
    }


async def fire(
    base_url: str, seedinfo: dict[str, Any], *, concurrency: int, total: int, duration: float, record: bool
) -> Result:
    users = seedinfo["users"]
    instruments = seedinfo["instruments"]
    result = Result()
    counter = iter(range(total))
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:

        async def worker(wid: int) -> None:
            rng = random.Random(wid)
            for n in counter:
                if time.perf_counter() > deadline:
                    return
                # Round-robin over every account: load is spread evenly, and no account goes past
                # its broker's per-account order rate (Kite: 10 orders/s, orders/domain.py).
                user = users[n % len(users)]
                headers = {"Authorization": f"Api-Key {user['key']}"}
                body = order_body(rng.choice(instruments), user["account_id"])
                t0 = time.perf_counter()
                try:
                    resp = await client.post("/api/v1/orders/", json=body, headers=headers)
                    status = resp.status_code
                except httpx.HTTPError as exc:
                    status, resp = type(exc).__name__, None
                elapsed = (time.perf_counter() - t0) * 1000
                if status in (200, 201):
                    if record:
                        result.latencies_ms.append(elapsed)
                else:
                    code = str(status)
                    if resp is not None:
                        try:
                            code = f"{status} {resp.json().get('error', {}).get('code', '')}"
                        except ValueError:
                            pass
                        if not result.sample_error:
                            result.sample_error = resp.text[:600]
                    result.errors[code] = result.errors.get(code, 0) + 1

        result.started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        result.finished = time.perf_counter()
    return result


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def report(result: Result, args: argparse.Namespace) -> None:
    ok = len(result.latencies_ms)
    wall = result.finished - result.started
    lat = result.latencies_ms
    print()
    print(
        f"orders placed ok : {ok} in {wall:.2f} s  (concurrency {args.concurrency}, {args.users} accounts, "
        f"{args.workers} uvicorn workers)"
    )
    if result.errors:
        print(f"errors           : {result.errors}")
        print(f"first error body : {result.sample_error}")
    if ok:
        print(
            f"latency ms       : p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  p99 {pct(lat, 99):.1f}  "
            f"max {max(lat):.1f}  mean {statistics.fmean(lat):.1f}"
        )
        print(f"throughput       : {ok / wall:.0f} orders/s sustained")
        print(
            f"target           : p99 < 30 ms -> {'MET' if pct(lat, 99) < 30 else 'MISSED'}; "
            f">= 300 orders/s -> {'MET' if ok / wall >= 300 else 'MISSED'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--instruments", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--orders", type=int, default=4000, help="upper bound on measured orders")
    parser.add_argument("--duration", type=float, default=20.0, help="upper bound on measured seconds")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--conn-max-age", type=int, default=0, help="CONN_MAX_AGE for the server (see env_for)")
    parser.add_argument("--profile", default="", help="py-spy flame graph of one worker, e.g. /tmp/orders.svg")
    parser.add_argument(
        "--profile-gil", action="store_true", help="sample only threads holding the GIL (Python CPU, not waits)"
    )
    args = parser.parse_args()

    db_name = f"oms_bench_{uuid.uuid4().hex[:8]}"
    env = env_for(db_name, args.redis_db, args.conn_max_age)
    server: subprocess.Popen | None = None
    profiler: subprocess.Popen | None = None
    try:
        print(f"creating database {db_name} ...", flush=True)
        subprocess.run(["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], db_name], check=True)
        manage(env, "migrate", "--noinput")
        seedinfo = seed(env, args.users, args.instruments)
        print(f"seeded {len(seedinfo['users'])} users, {len(seedinfo['instruments'])} instruments", flush=True)
        if not seedinfo["instruments"]:
            raise RuntimeError("no instruments to trade (demo master empty?)")
        port = free_port()
        server = start_server(env, port, args.workers)
        wait_ready(port)
        base = f"http://127.0.0.1:{port}"
        print(f"server up on {base}; warming up ({args.warmup} orders) ...", flush=True)
        warm = asyncio.run(
            fire(base, seedinfo, concurrency=args.concurrency, total=args.warmup, duration=60, record=False)
        )
        if warm.errors:
            print(f"warm-up errors: {warm.errors}\n{warm.sample_error}", flush=True)
        if args.profile:
            profiler = subprocess.Popen(
                [
                    str(Path(PYTHON).with_name("py-spy")),
                    "record",
                    "-o",
                    args.profile,
                    "--pid",
                    str(server.pid),
                    "--subprocesses",
                    "-d",
                    str(int(args.duration) + 5),
                    # *.txt: collapsed stacks (grep-able); anything else: a flame graph SVG.
                    "--format",
                    "raw" if args.profile.endswith(".txt") else "flamegraph",
                    *(["--gil"] if args.profile_gil else []),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            time.sleep(1)
        print(f"measuring (max {args.orders} orders / {args.duration:.0f} s) ...", flush=True)
        result = asyncio.run(
            fire(base, seedinfo, concurrency=args.concurrency, total=args.orders, duration=args.duration, record=True)
        )
        report(result, args)
        if profiler is not None:
            profiler.wait(timeout=args.duration + 30)
            print(f"profile written to {args.profile}")
        return 0 if result.latencies_ms else 1
    finally:
        if profiler is not None and profiler.poll() is None:
            profiler.terminate()
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if not args.keep_db:
            try:
                psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                print(f"dropped database {db_name}")
            except subprocess.CalledProcessError as exc:
                print(f"could not drop {db_name}: {exc.stderr!r}")


if __name__ == "__main__":
    sys.exit(main())
