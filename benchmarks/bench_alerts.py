#!/usr/bin/env python
"""Alert push benchmark: raise → WebSocket receive latency, and a 1,000-client broadcast.

What it does (prints figures; never a timed test):
  1. creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth),
     migrates it and creates N users (default 1000), each with an API key (`manage.py shell`),
  2. starts `uvicorn oms_project.asgi:application --workers 2` (production mode: DATABASE_URL +
     REDIS_URL=redis://127.0.0.1:6379/<db>, so pushes cross processes through Redis),
  3. connects one WebSocket client per user to /ws/alerts/ with `Authorization: Api-Key <key>`,
  4. runs a SEPARATE raiser process (`manage.py shell -c`, the same alerts.services.alert_raise
     the order code calls) which
       a. latency: raises --samples alerts one at a time to user 0 (20 ms apart); each payload
          carries the wall-clock time just before alert_raise, so the figure covers the DB insert,
          commit, Redis publish, the worker's relay and the socket write;
       b. broadcast: `alert_raise_many` stores one alert for EVERY user (one row each, private to
          its owner) in one transaction; on commit ONE broadcast message (shared body + user id ->
          alert id map) goes to the `alerts.broadcast` group, i.e. one Redis message per web
          process, and each socket forwards only its own user's row. `--per-user` forces the old
          path instead (one group_send per user's group). Reported: from the commit (push start)
          to the last of the N clients receiving its alert, and from the start of the batch
          (N inserts included).
  5. prints p50/p95/p99/max latency and the broadcast times, then stops the server and drops the db.

Targets (alerts issue): p99 < 100 ms; 1,000 connected clients receive a broadcast within 1 s.

Usage: .venv/bin/python benchmarks/bench_alerts.py [--users 1000] [--samples 200] [--workers 2] [--redis-db 12]
       [--per-user] [--keep-db]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER_LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "bench_alerts_server.log"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]

SEED_CODE = r"""
import json
from django.contrib.auth import get_user_model
from accounts.services import api_key_create
User = get_user_model()
out = []
for i in range(__N__):
    user, _ = User.objects.get_or_create(username=f"alertbench{i:04d}")
    _, key = api_key_create(user=user, name="bench")
    out.append({"id": user.pk, "key": key})
print("BENCH_SEED=" + json.dumps(out))
"""

RAISE_CODE = r"""
import json, time
from django.contrib.auth import get_user_model
from django.db import transaction
from alerts import services
from alerts.services import alert_raise, alert_raise_many
if __PER_USER__:
    services.BROADCAST_MIN_RECIPIENTS = 10**9
User = get_user_model()
users = list(User.objects.filter(username__startswith="alertbench").order_by("id"))
first = users[0]
for i in range(__SAMPLES__):
    alert_raise(user=first, type="ORDER_FILLED", level="INFO", message=f"latency {i}",
                payload={"phase": "latency", "t0": time.time()})
    time.sleep(0.02)
time.sleep(1.0)
marks = {}
t0 = time.time()
with transaction.atomic():
    transaction.on_commit(lambda: marks.setdefault("push_start", time.time()))  # runs first on commit
    alert_raise_many(users=users, type="BROKER_DOWN", level="CRITICAL", message="broadcast",
                     payload={"phase": "broadcast", "t0": t0})
print("BENCH_RAISE=" + json.dumps({"batch_start": t0, **marks}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def marker(output: str, name: str) -> object:
    line = next(line for line in output.splitlines() if line.startswith(name + "="))
    return json.loads(line.split("=", 1)[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run_clients(
    port: int, seed: list[dict], expect_latency: int, raise_cmd: list[str], env: dict[str, str]
) -> dict:
    latencies: list[float] = []
    broadcast_recv: list[float] = []
    broadcast_users: set[int] = set()
    done = asyncio.Event()
    n = len(seed)

    async def client(entry: dict, ready: asyncio.Event) -> None:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/alerts/",
            additional_headers={"Authorization": f"Api-Key {entry['key']}"},
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
        ) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            ready.set()
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=1)
                except TimeoutError:
                    continue
                now = time.time()
                msg = json.loads(raw)
                if msg.get("type") != "alert":
                    continue
                payload = msg["alert"]["payload"]
                if msg["alert"]["user_id"] != entry["id"]:
                    raise AssertionError("received another user's alert")
                if payload.get("phase") == "latency":
                    latencies.append((now - payload["t0"]) * 1000)
                elif payload.get("phase") == "broadcast":
                    broadcast_recv.append(now)
                    broadcast_users.add(entry["id"])
                if len(broadcast_recv) == n and len(latencies) >= expect_latency:
                    done.set()

    t_conn = time.perf_counter()
    readies = [asyncio.Event() for _ in seed]
    tasks = []
    for i, entry in enumerate(seed):  # connect in waves so the accept queue isn't flooded
        tasks.append(asyncio.create_task(client(entry, readies[i])))
        if i % 50 == 49:
            await asyncio.gather(*(r.wait() for r in readies[: i + 1]))
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=180)
    connect_s = time.perf_counter() - t_conn
    print(f"connected {n} WebSocket clients in {connect_s:.1f} s")

    proc = await asyncio.create_subprocess_exec(
        *raise_cmd, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"raiser failed: {err.decode()[-3000:]}")
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    except TimeoutError:
        got = f"{len(latencies)}/{expect_latency} latency samples, {len(broadcast_recv)}/{n} broadcast"
        print(f"WARNING: timed out: {got}")
    done.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        print(f"WARNING: {len(failures)} clients failed, e.g. {failures[0]!r}")
    missing = [e["id"] for e in seed if e["id"] not in broadcast_users]
    if missing:
        print(f"WARNING: users without the broadcast alert: {missing[:20]}")
    problems = [line for line in err.decode().splitlines() if "fail" in line.lower() or "error" in line.lower()]
    if problems:
        print("raiser reported:\n  " + "\n  ".join(problems[:10]))
    return {
        "latencies": latencies,
        "broadcast_recv": broadcast_recv,
        "marks": marker(out.decode(), "BENCH_RAISE"),
        "connect_s": connect_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--redis-db", type=int, default=12)
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--per-user", action="store_true", help="one group_send per user instead of one broadcast")
    args = ap.parse_args()

    db = f"oms_bench_alerts_{os.getpid()}"
    subprocess.run(["createdb", *PG, db], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        SECRET_KEY="bench-alerts-secret-key-not-for-production-8f7e6d5c4b3a",
        DJANGO_SETTINGS_MODULE="oms_project.settings",
        WEB_CONCURRENCY=str(args.workers),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    server = None
    log = SERVER_LOG.open("wb")
    try:
        t = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v", "0")
        seed = marker(manage(env, "shell", "-c", SEED_CODE.replace("__N__", str(args.users))), "BENCH_SEED")
        print(f"database {db} migrated and seeded with {len(seed)} users in {time.perf_counter() - t:.1f} s")
        port = free_port()
        server = subprocess.Popen(
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
                str(args.workers),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start, see {SERVER_LOG}")
            time.sleep(0.3)
        print(f"uvicorn --workers {args.workers} on 127.0.0.1:{port} (PostgreSQL + Redis db {args.redis_db})")
        code = RAISE_CODE.replace("__SAMPLES__", str(args.samples)).replace("__PER_USER__", str(args.per_user))
        raise_cmd = [PYTHON, "manage.py", "shell", "-c", code]
        result = asyncio.run(run_clients(port, seed, args.samples, raise_cmd, env))

        lat = result["latencies"]
        print(f"\nraise -> receive latency over {len(lat)} alerts (one client, alerts 20 ms apart):")
        if lat:
            p50, p95, p99 = statistics.median(lat), pct(lat, 95), pct(lat, 99)
            print(
                f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   max {max(lat):.1f} ms"
                "   (target p99 < 100 ms)"
            )
        recv, marks = result["broadcast_recv"], result["marks"]
        how = "one group_send per user's group" if args.per_user else "one broadcast message"
        print(f"\nbroadcast: one alert for each of {len(seed)} users in one transaction, pushed on commit ({how}):")
        print(f"  clients that received it: {len(recv)}/{len(seed)}")
        if recv:
            last_ms = (max(recv) - marks["push_start"]) * 1000
            median_ms = (statistics.median(recv) - marks["push_start"]) * 1000
            batch_ms = (max(recv) - marks["batch_start"]) * 1000
            print(f"  commit (push start) -> last client received: {last_ms:.0f} ms   (target < 1000 ms)")
            print(f"  commit -> median client received:            {median_ms:.0f} ms")
            print(f"  batch start ({len(seed)} inserts) -> last received: {batch_ms:.0f} ms")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()
        if not args.keep_db:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", db], check=False)
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-n", str(args.redis_db), "flushdb"], check=False, capture_output=True
        )


if __name__ == "__main__":
    main()
