"""`manage.py run_kite_sandbox` serves Kite Connect v3 that the real client can use."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from kiteconnect import KiteConnect

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_serves_the_kite_api():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_kite_sandbox", "--port", str(port), "--memory",
         "--api-key", "cmd_key", "--api-secret", "cmd_secret", "--user-id", "CM0001"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "sandbox did not start"
                time.sleep(0.2)
        root = f"http://127.0.0.1:{port}"
        # The sandbox's stand-in for Kite's login page redirects with a request_token.
        import requests

        login = requests.get(f"{root}/connect/login", params={"api_key": "cmd_key", "v": 3}, allow_redirects=False)
        assert login.status_code == 302 and "request_token=" in login.headers["Location"]
        token = login.headers["Location"].split("request_token=")[1].split("&")[0]
        kite = KiteConnect("cmd_key", root=root, timeout=30)  # the first calls build the sandbox's market: slow on a busy machine
        assert kite.generate_session(token, "cmd_secret")["user_id"] == "CM0001"
        order_id = kite.place_order(
            variety="regular", exchange="NSE", tradingsymbol="INFY", transaction_type="BUY", quantity=1,
            product="MIS", order_type="MARKET", market_protection=-1,
        )  # fmt: skip
        assert kite.order_history(order_id)[-1]["status"] == "COMPLETE"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_command_is_dev_tooling():
    """`run_kite_sandbox` comes from the devtools app, not from a product app (issue 8, item 6)."""
    from django.core.management import get_commands

    assert get_commands()["run_kite_sandbox"] == "devtools"
