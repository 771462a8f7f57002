#!/usr/bin/env python
"""Order-placement benchmark: the product's `POST /api/v1/orders/` against a "Django floor", same run, same stack.

What it does (a script that prints figures, never a timed test):
  1. creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth), migrates it with
     the benchmark settings (`benchmarks.floor.settings`: the product's settings plus the floor app, its URL
     and a statement counter; the product's own settings never mount them), loads the demo instrument master
     and creates N users with an API key each (every user gets a funded paper account);
  2. starts `uvicorn oms_project.asgi:application --workers 2` on a free loopback port (production mode:
     DATABASE_URL, REDIS_URL redis://127.0.0.1:6379/<db>, SECRET_KEY set);
  3. sends paper LIMIT BUY orders priced below the market (they rest, never fill) round-robin over the accounts,
     and, alternating with it round by round, the same bodies to the floor: `POST /bench/floor/orders/`, a DRF
     view authenticated by our API-key class (one indexed key lookup with its user) doing one 31-column INSERT;
  4. per segment: p50/p99 latency, throughput, and server CPU per order = utime+stime of the web worker
     processes (/proc/<pid>/stat, before/after) / orders answered. Modes: closed loop at concurrency 1 and 16
     (`c1`, `c16`) and open loop at a fixed arrival rate (`r100` = 100 orders/s for --seconds; latency from
     the scheduled send time, so a slow server cannot slow the arrivals: no coordinated omission);
  5. statements and transactions per order, as the server counted them (`X-Bench-Count` probe requests);
  6. prints the table (medians over the alternating rounds), product/floor ratios and the targets, then kills
     the server and drops the database.

`--embedded`: the same against `manage.py serve` (SQLite, everything in one process: feed, matcher, Celery),
modes c1 and c8 by default; CPU is the serve process's.

Targets (issue #8, item 9): server CPU per order <= 1.5x the floor's, throughput at concurrency 16 >= 0.7x the
floor's, p99 < 30 ms at concurrency 1. Embedded: p99 < 0.5 s at concurrency 8.

Everything is bounded: orders per segment (rate x seconds, or --max-orders), seconds per segment, in-flight
orders in the open loop (64; later arrivals are shed and counted), a 10 s drain, a rate a target could not
sustain is not tried higher, no segment starts after --budget (90 s), loopback only. Default run: 5 modes x
2 targets x 3 rounds x 2.5 s, under 2 min with set-up.

Usage:
  .venv/bin/python benchmarks/bench_orders.py [--modes c1,c16,r100,r200,r400] [--rounds 3] [--seconds 2.5]
      [--users 100] [--workers 2] [--redis-db 11] [--keep-db] [--embedded] [--profile /tmp/orders.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
CLK_TCK = os.sysconf("SC_CLK_TCK")
PRODUCT_URL = "/api/v1/orders/"
FLOOR_URL = "/bench/floor/orders/"
DRAIN_TIMEOUT = 10.0
MAX_IN_FLIGHT = 64  # open loop: an arrival finding this many orders unanswered is shed (counted), not sent

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
    # Below the best bid, inside today's price band and inside the risk engine's price-sanity limit
    # (7% under the last price; the default limit is 10%): a valid BUY that rests and passes every stage.
    tick = i.tick_size
    floor = max(q.lower_circuit_limit * Decimal("1.02"), q.last_price * Decimal("0.93"))
    price = (floor / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    if price <= 0 or q.best_bid is None or price >= q.best_bid:
        continue
    instruments.append({"instrument_token": i.instrument_token, "exchange": i.exchange,
                        "tradingsymbol": i.tradingsymbol, "lot_size": i.lot_size,
                        "price": str(price.quantize(Decimal("0.01")))})
    if len(instruments) >= __N_INSTRUMENTS__:
        break
print("BENCH_SEED=" + json.dumps({"users": users, "instruments": instruments}))
"""


# --- measurements -------------------------------------------------------------------------------------------
@dataclass
class Segment:
    target: str  # "product" | "floor"
    mode: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu_s: float = 0.0
    sample_error: str = ""

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else float("nan")

    @property
    def cpu_ms_per_order(self) -> float:
        return self.cpu_s * 1000 / self.ok if self.ok else float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime (all threads) of the given processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # fields 14, 15 of proc(5): utime, stime
    return total / CLK_TCK


class Bench:
    def __init__(self, base_url: str, seedinfo: dict[str, Any], server_pids: list[int]) -> None:
        self.base_url = base_url
        self.users = seedinfo["users"]
        self.instruments = seedinfo["instruments"]
        self.server_pids = server_pids
        self.n = 0
        self.rng = random.Random(7)

    def next_request(self, target: str) -> tuple[str, dict[str, Any], dict[str, str]]:
        # Round-robin over every account: load is spread evenly, and no account goes past its broker's
        # per-account order rate (Kite: 10 orders/s, orders/domain.py).
        user = self.users[self.n % len(self.users)]
        self.n += 1
        instrument = self.rng.choice(self.instruments)
        body = {
            "account_id": user["account_id"],
            "instrument_token": instrument["instrument_token"],
            "transaction_type": "BUY",
            "quantity": instrument["lot_size"],
            "product": "NRML",
            "order_type": "LIMIT",
            "price": instrument["price"],  # inside the band, below the bid: rests
            "validity": "DAY",
            # Bots send an idempotency key; it also keeps repeated identical orders from being near-duplicates.
            "client_order_id": uuid.uuid4().hex,
        }
        return (PRODUCT_URL if target == "product" else FLOOR_URL), body, {"Authorization": f"Api-Key {user['key']}"}

    async def _one(self, client: httpx.AsyncClient, seg: Segment, target: str, since: float, record: bool) -> None:
        url, body, headers = self.next_request(target)
        try:
            resp = await client.post(url, json=body, headers=headers)
            status: Any = resp.status_code
        except httpx.HTTPError as exc:
            status, resp = type(exc).__name__, None
        elapsed = (time.perf_counter() - since) * 1000
        if status in (200, 201):
            if record:
                seg.latencies_ms.append(elapsed)
            return
        code = str(status)
        if resp is not None:
            try:
                code = f"{status} {resp.json().get('error', {}).get('code', '')}"
            except ValueError:
                pass
            if not seg.sample_error:
                seg.sample_error = resp.text[:600]
        seg.errors[code] = seg.errors.get(code, 0) + 1

    async def closed(
        self, target: str, concurrency: int, seconds: float, max_orders: int, record: bool = True
    ) -> Segment:
        seg = Segment(target, f"c{concurrency}")
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30, limits=limits) as client:
            await client.get("/healthz")  # connections up before the clock starts
            budget = iter(range(max_orders))
            cpu0, t0 = cpu_seconds(self.server_pids), time.perf_counter()
            deadline = t0 + seconds

            async def worker() -> None:
                for _ in budget:
                    if time.perf_counter() > deadline:
                        return
                    await self._one(client, seg, target, time.perf_counter(), record)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            seg.wall = time.perf_counter() - t0
            seg.cpu_s = cpu_seconds(self.server_pids) - cpu0
        return seg

    async def open(self, target: str, rate: float, seconds: float, max_orders: int) -> Segment:
        """Arrivals at a fixed rate; each order's latency counts from its scheduled send time."""
        seg = Segment(target, f"r{rate:g}")
        n = min(max_orders, int(rate * seconds))
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30, limits=limits) as client:
            await client.get("/healthz")
            cpu0 = cpu_seconds(self.server_pids)
            t0 = time.perf_counter() + 0.02
            tasks: list[asyncio.Task] = []
            shed = 0
            for i in range(n):
                scheduled = t0 + i / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks = [t for t in tasks if not t.done()] if len(tasks) >= MAX_IN_FLIGHT else tasks
                if len(tasks) >= MAX_IN_FLIGHT:
                    shed += 1  # the server is not keeping up with the arrival rate
                    continue
                tasks.append(asyncio.create_task(self._one(client, seg, target, scheduled, True)))
            if shed:
                seg.errors[f"shed (>{MAX_IN_FLIGHT} in flight)"] = shed
            done, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT) if tasks else (set(), set())
            for task in pending:
                task.cancel()
            if pending:
                seg.errors["not answered within the drain timeout"] = len(pending)
            seg.wall = time.perf_counter() - t0
            seg.cpu_s = cpu_seconds(self.server_pids) - cpu0
        return seg

    async def probe_statements(self, target: str, n: int = 10) -> tuple[float, float]:
        """Statements and transactions per order as the server counted them (median of n sequential orders)."""
        stmts, txns = [], []
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            for _ in range(n):
                url, body, headers = self.next_request(target)
                resp = await client.post(url, json=body, headers={**headers, "X-Bench-Count": "1"})
                if resp.status_code in (200, 201) and "X-Bench-Statements" in resp.headers:
                    stmts.append(int(resp.headers["X-Bench-Statements"]))
                    txns.append(int(resp.headers["X-Bench-Transactions"]))
        return (statistics.median(stmts) if stmts else float("nan"), statistics.median(txns) if txns else float("nan"))


def parse_mode(mode: str) -> tuple[str, float]:
    kind, value = mode[0], float(mode[1:])
    if kind not in "cr" or value <= 0:
        raise argparse.ArgumentTypeError(f"mode {mode!r}: c<concurrency> or r<orders per second>")
    return kind, value


async def run_rounds(bench: Bench, args: argparse.Namespace, targets: list[str]) -> list[Segment]:
    """Every mode, `rounds` times, the targets alternating who goes first. Bounded: an open-loop rate a target
    could not sustain (shed arrivals, or under 80 % of the rate answered per second) is not tried higher for
    that target, and no segment starts after --budget seconds."""
    segments: list[Segment] = []
    saturated: dict[str, float] = {}
    started = time.monotonic()
    for mode in args.modes:
        kind, value = parse_mode(mode)
        for r in range(args.rounds):
            order = targets if r % 2 == 0 else list(reversed(targets))  # alternate who goes first
            for target in order:
                if time.monotonic() - started > args.budget:
                    print(f"  {mode:>5} round {r + 1} {target:<7}: skipped (time budget of {args.budget:g} s spent)")
                    continue
                if kind == "r" and target in saturated and value > saturated[target]:
                    print(f"  {mode:>5} round {r + 1} {target:<7}: skipped (saturated at r{saturated[target]:g})")
                    continue
                if kind == "c":
                    seg = await bench.closed(target, int(value), args.seconds, args.max_orders)
                else:
                    seg = await bench.open(target, value, args.seconds, args.max_orders)
                seg.mode = mode
                segments.append(seg)
                if kind == "r" and (seg.errors or seg.throughput < 0.8 * value):
                    saturated[target] = min(value, saturated.get(target, value))
                print(
                    f"  {mode:>5} round {r + 1} {target:<7}: {seg.ok:5d} ok  p50 {pct(seg.latencies_ms, 50):7.1f} ms"
                    f"  p99 {pct(seg.latencies_ms, 99):7.1f} ms  {seg.throughput:6.0f}/s  "
                    f"cpu {seg.cpu_ms_per_order:5.2f} ms/order" + (f"  errors {seg.errors}" if seg.errors else ""),
                    flush=True,
                )
                if seg.sample_error:
                    print(f"     first error body: {seg.sample_error[:300]}")
    return segments


def med(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def summarise(segments: list[Segment], args: argparse.Namespace, probes: dict[str, tuple[float, float]]) -> dict:
    table: dict[tuple[str, str], dict[str, float]] = {}
    for mode in args.modes:
        for target in ("product", "floor"):
            segs = [s for s in segments if s.mode == mode and s.target == target]
            if not segs:
                continue
            table[(mode, target)] = {
                "p50": med([pct(s.latencies_ms, 50) for s in segs]),
                "p99": med([pct(s.latencies_ms, 99) for s in segs]),
                "thr": med([s.throughput for s in segs]),
                "cpu": med([s.cpu_ms_per_order for s in segs]),
                "errors": sum(sum(s.errors.values()) for s in segs),
                "ok": sum(s.ok for s in segs),
            }
    print()
    print(f"Medians of {args.rounds} alternating rounds of {args.seconds:g} s per mode ({args.label}).")
    head = (
        f"{'mode':>5} | {'product p50':>11} {'p99':>7} {'ord/s':>6} {'cpu ms':>6} | "
        f"{'floor p50':>9} {'p99':>7} {'ord/s':>6} {'cpu ms':>6} | {'cpu x':>5} {'thr x':>5} {'p99 x':>5}"
    )
    print(head)
    print("-" * len(head))
    for mode in args.modes:
        p, f = table.get((mode, "product")), table.get((mode, "floor"))
        if p is None:
            continue
        f = f or {k: float("nan") for k in p}
        print(
            f"{mode:>5} | {p['p50']:11.1f} {p['p99']:7.1f} {p['thr']:6.0f} {p['cpu']:6.2f} | "
            f"{f['p50']:9.1f} {f['p99']:7.1f} {f['thr']:6.0f} {f['cpu']:6.2f} | "
            f"{p['cpu'] / f['cpu']:5.2f} {p['thr'] / f['thr']:5.2f} {p['p99'] / f['p99']:5.2f}"
        )
    errs = {k: v["errors"] for k, v in table.items() if v["errors"]}
    if errs:
        print(f"errors: {errs}")
    for target, (st, tx) in probes.items():
        print(f"statements per order ({target}): {st:g} in {tx:g} transactions (server-counted)")
    print()
    cpu_p = med([v["cpu"] for (m, t), v in table.items() if t == "product"])
    cpu_f = med([v["cpu"] for (m, t), v in table.items() if t == "floor"])
    print(
        f"server CPU per order (median over modes): product {cpu_p:.2f} ms, floor {cpu_f:.2f} ms, "
        f"ratio {cpu_p / cpu_f:.2f} (target <= 1.5) -> {'MET' if cpu_p / cpu_f <= 1.5 else 'MISSED'}"
    )
    hi = "c16" if ("c16", "product") in table else ("c8" if ("c8", "product") in table else None)
    if hi and (hi, "floor") in table:
        ratio = table[(hi, "product")]["thr"] / table[(hi, "floor")]["thr"]
        print(f"throughput at {hi}: product/floor {ratio:.2f} (target >= 0.7) -> {'MET' if ratio >= 0.7 else 'MISSED'}")
    if ("c1", "product") in table:
        p99 = table[("c1", "product")]["p99"]
        print(f"p99 at c1: {p99:.1f} ms (target < 30 ms) -> {'MET' if p99 < 30 else 'MISSED'}")
    if args.embedded and ("c8", "product") in table:
        p99 = table[("c8", "product")]["p99"]
        print(f"embedded p99 at c8: {p99:.0f} ms (target < 500 ms) -> {'MET' if p99 < 500 else 'MISSED'}")
    return {f"{m}/{t}": v for (m, t), v in table.items()}


# --- set-up ----------------------------------------------------------------------------------------------------
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


def env_for(db_name: str, redis_db: int, *, embedded_db: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.floor.settings",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "DEBUG": "False",
            "LOG_LEVEL": "WARNING",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
        }
    )
    if embedded_db is not None:
        env["DATABASE_URL"] = f"sqlite:///{embedded_db}"
    else:
        env.update(
            {
                "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}",
                "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
                "WEB_CONCURRENCY": "2",
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


def start_server(env: dict[str, str], port: int, args: argparse.Namespace) -> subprocess.Popen:
    log = open(SERVER_LOG, "w")  # noqa: SIM115 - closed with the process
    if args.embedded:
        cmd = [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [
            PYTHON, "-m", "uvicorn", "oms_project.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(args.workers), "--no-access-log", "--log-level", "warning", "--lifespan", "off",
        ]  # fmt: skip
    return subprocess.Popen(
        cmd,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="", help="comma-separated: c<N> closed loop, r<N> open loop orders/s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.5, help="length of one measured segment")
    parser.add_argument("--max-orders", type=int, default=3000, help="upper bound on orders in one segment")
    parser.add_argument("--budget", type=float, default=90, help="no segment starts after this many seconds")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--instruments", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--no-floor", action="store_true", help="measure the product only")
    parser.add_argument("--embedded", action="store_true", help="manage.py serve on SQLite (one process)")
    parser.add_argument("--profile", default="", help="py-spy of the server meanwhile: *.txt raw stacks, else SVG")
    parser.add_argument("--profile-gil", action="store_true", help="py-spy --gil (Python CPU only)")
    parser.add_argument("--json", default="", help="also write the summary table to this file")
    args = parser.parse_args()
    args.modes = [m.strip() for m in (args.modes or ("c1,c8" if args.embedded else "c1,c16,r100,r200,r400")).split(",")]
    for m in args.modes:
        parse_mode(m)
    args.label = (
        "embedded: manage.py serve, SQLite, one process"
        if args.embedded
        else f"PostgreSQL, {args.workers} uvicorn workers, {args.users} accounts, resting LIMIT orders"
    )
    targets = ["product"] if args.no_floor else ["product", "floor"]

    db_name = f"oms_bench_{uuid.uuid4().hex[:8]}"
    tmpdir = Path(tempfile.mkdtemp(prefix="oms_bench_")) if args.embedded else None
    env = env_for(db_name, args.redis_db, embedded_db=(tmpdir / "bench.sqlite3") if tmpdir else None)
    server: subprocess.Popen | None = None
    profiler: subprocess.Popen | None = None
    started = time.monotonic()
    try:
        if not args.embedded:
            print(f"creating database {db_name} ...", flush=True)
            subprocess.run(["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], db_name], check=True)
        manage(env, "migrate", "--noinput")
        seedinfo = seed(env, args.users, args.instruments)
        print(f"seeded {len(seedinfo['users'])} users, {len(seedinfo['instruments'])} instruments", flush=True)
        if not seedinfo["instruments"]:
            raise RuntimeError("no instruments to trade (demo master empty?)")
        port = free_port()
        server = start_server(env, port, args)
        wait_ready(port)
        pids = [server.pid] if args.embedded else children_of(server.pid)
        print(f"server up on 127.0.0.1:{port}; cpu measured on pids {pids}; warming up ...", flush=True)
        bench = Bench(f"http://127.0.0.1:{port}", seedinfo, pids)

        async def session() -> tuple[list[Segment], dict[str, tuple[float, float]]]:
            for target in targets:
                warm = await bench.closed(target, 8, 30, args.warmup, record=False)
                if warm.errors:
                    print(f"warm-up errors ({target}): {warm.errors}\n{warm.sample_error}", flush=True)
            probes = {t: await bench.probe_statements(t) for t in targets}
            return await run_rounds(bench, args, targets), probes

        if args.profile:
            profiler = subprocess.Popen(
                [
                    shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy")),
                    "record",
                    "-o",
                    args.profile,
                    "--pid",
                    str(server.pid),
                    "--subprocesses",
                    "-d",
                    "600",
                    "--format",
                    "raw" if args.profile.endswith(".txt") else "flamegraph",
                    *(["--gil"] if args.profile_gil else []),
                ],  # fmt: skip
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            time.sleep(1)
        segments, probes = asyncio.run(session())
        summary = summarise(segments, args, probes)
        if args.json:
            Path(args.json).write_text(json.dumps({"label": args.label, "table": summary, "probes": probes}, indent=1))
        print(f"(run took {time.monotonic() - started:.0f} s)")
        return 0 if segments and all(s.ok for s in segments) else 1
    finally:
        if profiler is not None and profiler.poll() is None:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                profiler.wait(timeout=20)
            except subprocess.TimeoutExpired:
                profiler.kill()
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
        elif not args.keep_db:
            try:
                psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                print(f"dropped database {db_name}")
            except subprocess.CalledProcessError as exc:
                print(f"could not drop {db_name}: {exc.stderr!r}")


if __name__ == "__main__":
    sys.exit(main())
