"""Process hygiene with real processes on loopback ports (bounded waits):

- the documented production web process (the Procfile's `web` line: uvicorn with workers): after `kill -9` of
  uvicorn's parent, its workers stop serving and free the port, so a restart binds it again;
- a normal shutdown (SIGTERM) is bounded by SHUTDOWN_TIMEOUT_SECONDS even when a request is stuck in a
  database lock wait (web), or a background service ignores `stop` and blocks a thread (`run_service`, `serve`).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from . import procs

SHUTDOWN_TIMEOUT = 2.0  # SHUTDOWN_TIMEOUT_SECONDS given to the processes under test
SLACK = 4.0  # process start-up of the hard-exit timer, interpreter teardown, a loaded 2-core machine


@pytest.fixture(scope="module")
def db(product_db: tuple[Path, dict]) -> tuple[Path, dict]:
    """The product's database, the hygiene user's API key and the demo future."""
    path, facts = product_db
    return path, {**facts["hygiene"], **facts["future"]}


def _web(db: tuple[Path, dict], tmp_path: Path, **extra: str) -> tuple[object, str, int, Path]:
    port = procs.free_port()
    env = procs.product_env(
        db[0], HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="2", SHUTDOWN_TIMEOUT_SECONDS=str(SHUTDOWN_TIMEOUT)
    )
    env.update(extra)
    log = tmp_path / f"web-{port}.log"
    process = procs.start(procs.procfile_command("web", env), env, log)
    url = f"http://127.0.0.1:{port}"
    procs.wait_healthy(url, process, log)
    return process, url, port, log


def _workers(parent: int) -> list[int]:
    def is_worker(pid: int) -> bool:
        try:
            return "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return False

    return procs.wait_until(
        lambda: [p for p in procs.children_of(parent) if is_worker(p)] or None, timeout=10, what="uvicorn workers"
    )


def _serving(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=1)
        return True
    except httpx.HTTPError:
        return False


def test_kill_9_of_the_uvicorn_parent_leaves_no_worker_holding_the_port(db, tmp_path) -> None:
    process, url, port, log = _web(db, tmp_path)
    workers = _workers(process.pid)
    assert len(workers) == 2, workers

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=5)
    killed = time.monotonic()
    procs.wait_until(lambda: not any(procs.alive(w) for w in workers), timeout=SHUTDOWN_TIMEOUT + SLACK, what="workers")
    gone_after = time.monotonic() - killed
    assert not _serving(url)
    procs.wait_until(lambda: procs.port_bindable(port), timeout=5, what=f"port {port} to be free")
    print(f"orphaned workers gone {gone_after:.2f} s after kill -9 of the parent")  # noqa: T201
    # A restart can bind the port (uvicorn binds with SO_REUSEADDR, as port_bindable does).


def test_web_shutdown_is_bounded_while_a_request_waits_on_a_database_lock(db, tmp_path) -> None:
    path, facts = db
    headers = {"Authorization": f"Api-Key {facts['key']}"}
    # uvicorn's graceful timeout (the Procfile's default, 5 s) is longer than SHUTDOWN_TIMEOUT here: the hard exit
    # is what bounds this shutdown (without either, it waited for SQLite's 20 s lock timeout: 18.9 s measured).
    process, url, port, log = _web(db, tmp_path)
    workers = _workers(process.pid)
    depth = httpx.get(f"{url}/api/v1/market/depth/{facts['token']}/", headers=headers, timeout=10).json()
    body = {
        "instrument_token": facts["token"],
        "transaction_type": "BUY",
        "quantity": facts["lot"],
        "product": "NRML",
        "order_type": "LIMIT",
        "price": str((Decimal(depth["last_price"]) * Decimal("0.97")).quantize(Decimal("1"))),
    }
    lock = sqlite3.connect(path, isolation_level=None, timeout=1)
    lock.execute("BEGIN IMMEDIATE")  # hold the write lock: placing the order waits for it (SQLite: up to 20 s)
    outcome: dict[str, object] = {}

    def request() -> None:
        try:
            outcome["status"] = httpx.post(f"{url}/api/v1/orders/", json=body, headers=headers, timeout=40).status_code
        except httpx.HTTPError as exc:
            outcome["error"] = type(exc).__name__

    client = threading.Thread(target=request, daemon=True)
    try:
        client.start()
        time.sleep(1.5)
        assert not outcome, f"the request should be waiting on the lock: {outcome}"
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=SHUTDOWN_TIMEOUT + SLACK + 5)
        took = time.monotonic() - started
        procs.wait_until(lambda: not any(procs.alive(w) for w in workers), timeout=5, what="workers")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        procs.stop(process)  # type: ignore[arg-type]
    print(f"web shutdown with a request stuck on a DB lock took {took:.2f} s")  # noqa: T201
    assert took < SHUTDOWN_TIMEOUT + SLACK, procs.log_tail(log)
    assert f"did not finish within {SHUTDOWN_TIMEOUT:.1f} s" in procs.log_tail(log, 20000)
    assert procs.port_bindable(port)


STUBBORN = (
    "from django.conf import settings\n"
    "settings.BACKGROUND_SERVICES['stubborn'] = 'tests.project.stubborn_service.run'\n"
    "from django.core.management import call_command\n"
)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param("call_command('run_service', 'stubborn')", id="run_service"),
        pytest.param("call_command('serve', '--host', '127.0.0.1', '--port', '{port}', '--no-celery')", id="serve"),
    ],
)
def test_sigterm_stops_a_stubborn_background_service_within_the_bound(db, tmp_path, command) -> None:
    port = procs.free_port()
    env = procs.product_env(db[0], SHUTDOWN_TIMEOUT_SECONDS=str(SHUTDOWN_TIMEOUT))
    log = tmp_path / "service.log"
    process = procs.start(["manage.py", "shell", "-c", STUBBORN + command.format(port=port)], env, log)
    try:
        procs.wait_until(
            lambda: "STUBBORN READY" in procs.log_tail(log) or process.poll() is not None,
            timeout=45,
            interval=0.2,
            what="the stubborn service",
        )
        assert process.poll() is None, procs.log_tail(log)
        if "serve" in command:
            procs.wait_healthy(f"http://127.0.0.1:{port}", process, log)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=SHUTDOWN_TIMEOUT + SLACK + 5)
        took = time.monotonic() - started
    finally:
        procs.stop(process)
    print(f"{command.split(',')[0]} shutdown with a stubborn service took {took:.2f} s")  # noqa: T201
    assert took < SHUTDOWN_TIMEOUT + SLACK, procs.log_tail(log)
    assert "did not finish within" in procs.log_tail(log, 20000)  # the thread never ended: the hard exit did it
    assert sys.platform != "linux" or procs.port_bindable(port)
