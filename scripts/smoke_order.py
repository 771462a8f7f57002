"""Place one paper order through the API with an API key and wait until the OMS has settled it (used by
scripts/docker-smoke; works against any running OMS). Standard library only, so it runs on a bare host.

    python3 scripts/smoke_order.py http://127.0.0.1:8000 <api key>

Exit 0 when /health/ready answers 200 with the database and Redis ok, the order is accepted (201) and
reaches a non-rejected state within 30 s; 1 otherwise, with what went wrong."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid

SETTLED = {"OPEN", "COMPLETE", "TRIGGER PENDING", "PARTIALLY_FILLED"}
FAILED = {"REJECTED", "CANCELLED", "EXPIRED"}


def call(base: str, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Api-Key {key}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def fail(message: str) -> int:
    print(f"smoke_order: FAILED: {message}", file=sys.stderr)
    return 1


def main(base: str, key: str) -> int:
    base = base.rstrip("/")
    code, health = call(base, key, "GET", "/health/ready")
    checks = health.get("checks", {})
    if code != 200 or checks.get("database", {}).get("status") != "ok":
        return fail(f"/health/ready answered {code}: {json.dumps(health)[:400]}")
    summary = ", ".join(f"{name}={c.get('status')}" for name, c in checks.items())
    print(f"health: {health.get('status')} ({summary})")
    code, page = call(base, key, "GET", "/api/v1/instruments/?exchange=NSE&instrument_type=EQ")
    rows = page.get("results", page) if isinstance(page, dict) else page
    if code != 200 or not rows:
        return fail(f"no NSE equity in the instrument master (GET /api/v1/instruments/ answered {code}); SEED_DEMO=1?")
    inst = rows[0]
    order = {"instrument_token": inst["instrument_token"], "transaction_type": "BUY", "quantity": 1,
             "order_type": "MARKET", "product": "CNC", "client_order_id": f"smoke-{uuid.uuid4().hex[:12]}"}  # fmt: skip
    code, placed = call(base, key, "POST", "/api/v1/orders/", order)
    if code != 201:
        return fail(f"POST /api/v1/orders/ answered {code}: {json.dumps(placed)[:400]}")
    print(f"placed order #{placed['id']} BUY 1 {inst['tradingsymbol']}: {placed['status']}")
    deadline = time.monotonic() + 30
    status = placed["status"]
    while time.monotonic() < deadline:
        if status in SETTLED:
            print(f"order #{placed['id']} is {status}")
            return 0
        if status in FAILED:
            return fail(f"order #{placed['id']} ended {status}: {json.dumps(placed)[:400]}")
        time.sleep(1)
        code, placed = call(base, key, "GET", f"/api/v1/orders/{placed['id']}/")
        status = placed.get("status", f"HTTP {code}")
    return fail(f"order #{placed['id']} still {status} after 30 s")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
