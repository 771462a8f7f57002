"""Crash drill: the real product is killed between the broker's answer and our commit; the order and the
position in the OMS must match the paper venue (its own tables, like an external broker) within 30 s, and the
order must then behave normally. Embedded `serve` (killed, restarted: the start-up pass settles every earlier
claim at once) and the production layout (the Procfile's `web` and `paper_matcher`: a killed worker's claim is
settled by the matcher once its lease has run out).

`OMS_FAULT_AFTER_SEND=kill` (read once, in orders.services.submission) makes the process SIGKILL itself right
after the venue committed the order and before any of the result reached the OMS.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from . import procs

REPAIR_BUDGET_SECONDS = 30

VENUE = """
# the newest order in the OMS, and what the venue says through the broker interface (as for any broker)
import json
from orders.brokers import broker_for
from orders.models import Order
o = Order.objects.select_related("account").latest("id")
broker = broker_for(o.account)
bo = next((b for b in broker.orders() if b.tag == o.tag), None)
bp = next((p for p in broker.positions() if p.instrument_token == o.instrument_token), None)
print("JSON " + json.dumps({
    "oms": {"id": o.pk, "status": o.status, "submitted_at": bool(o.submitted_at),
            "broker_order_id": o.broker_order_id},
    "venue_order": bo and {"id": bo.broker_order_id, "status": bo.status, "filled": bo.filled_quantity,
                           "average": str(bo.average_price)},
    "venue_position": bp and {"quantity": bp.quantity, "average": str(bp.average_price)},
}))
"""


class Product:
    def __init__(self, db_path: Path, facts: dict[str, Any]) -> None:
        self.port = procs.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = procs.product_env(db_path, MARKET_FEED_INTERVAL_SECONDS="0.5")
        self.log = db_path.parent / "serve.log"
        self.process: Any = None
        self.facts = {**facts["crash-drill"], **facts["future"]}

    def start(self, **extra_env: str) -> float:
        started = time.monotonic()
        self.process = procs.start(
            ["manage.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            {**self.env, **extra_env},
            self.log,
        )
        procs.wait_healthy(self.url, self.process, self.log)
        return started

    def venue(self) -> dict:
        return procs.shell_json(self.env, VENUE)


@pytest.fixture(scope="module")
def product(product_db: tuple[Path, dict[str, Any]]) -> Iterator[Product]:
    p = Product(*product_db)
    yield p
    if p.process is not None:
        procs.stop(p.process)


def _api(product: Product) -> httpx.Client:
    return httpx.Client(
        base_url=product.url,
        headers={"Authorization": f"Api-Key {product.facts['key']}"},
        timeout=15,
    )


def _crash_placing(product: Product, make_body: Callable[[httpx.Client], dict]) -> tuple[int, dict]:
    """Place with the drill armed: the request dies with the process. Returns the order id and the DB state."""
    product.start(OMS_FAULT_AFTER_SEND="kill")
    with _api(product) as api:
        body = make_body(api)
        with pytest.raises(httpx.TransportError):  # the connection drops with the process
            api.post("/api/v1/orders/", json=body, timeout=60)
    assert product.process.wait(timeout=30) == -signal.SIGKILL, procs.log_tail(product.log)
    assert "OMS_FAULT_AFTER_SEND=kill" in procs.log_tail(product.log)
    state = product.venue()
    order_id = state["oms"].pop("id")
    # The drill hit the gap: claimed in the OMS, nothing recorded, while the venue has the order.
    assert state["oms"] == {"status": "PENDING_SUBMIT", "submitted_at": True, "broker_order_id": None}, state
    assert state["venue_order"] is not None, state
    return order_id, state


def _restart_and_wait(product: Product, order_id: int, done: set[str], **env: str) -> tuple[dict, float]:
    started = product.start(**env)
    ready = time.monotonic()
    with _api(product) as api:

        def settled() -> dict | None:
            r = api.get(f"/api/v1/orders/{order_id}/")
            assert r.status_code == 200, r.text
            return r.json() if r.json()["status"] in done else None

        order = procs.wait_until(settled, timeout=REPAIR_BUDGET_SECONDS, interval=0.25, what=f"order {order_id}")
    repaired_after = time.monotonic() - ready
    print(  # noqa: T201
        f"order {order_id} repaired {repaired_after:.1f} s after the restarted server answered "
        f"({ready - started:.1f} s to start)"
    )
    assert repaired_after < REPAIR_BUDGET_SECONDS
    return order, repaired_after


def test_killed_after_the_venue_filled_a_market_order_the_restart_adopts_it(product: Product) -> None:
    facts = product.facts
    body = {
        "instrument_token": facts["token"],
        "transaction_type": "BUY",
        "quantity": facts["lot"],
        "product": "NRML",
        "order_type": "MARKET",
    }
    order_id, crashed = _crash_placing(product, lambda api: body)
    assert crashed["venue_order"]["status"] == "COMPLETE"

    order, _ = _restart_and_wait(product, order_id, {"COMPLETE"})
    venue = product.venue()
    assert order["broker_order_id"] == venue["venue_order"]["id"]
    assert order["filled_quantity"] == venue["venue_order"]["filled"] == facts["lot"]
    assert Decimal(order["average_price"]) == Decimal(venue["venue_order"]["average"])
    with _api(product) as api:
        rows = api.get("/api/v1/positions/").json()["results"]
        positions = [p for p in rows if p["instrument_token"] == facts["token"]]
        assert len(positions) == 1, positions
        assert positions[0]["quantity"] == venue["venue_position"]["quantity"] == facts["lot"]
        assert Decimal(positions[0]["average_price"]).quantize(Decimal("0.01")) == Decimal(
            venue["venue_position"]["average"]
        ).quantize(Decimal("0.01"))
        history = api.get(f"/api/v1/orders/{order_id}/history/").json()
        kinds = [e["kind"] for e in (history["results"] if isinstance(history, dict) else history)]
        assert "RESOLVED" in kinds, kinds
        # Treated normally afterwards: a filled order is not cancellable (as any filled order), and the position
        # exits through the usual path, flat in the OMS and at the venue.
        r = api.delete(f"/api/v1/orders/{order_id}/")
        assert r.status_code == 409 and "COMPLETE" in r.json()["error"]["message"], r.text
        r = api.post(f"/api/v1/positions/{positions[0]['id']}/exit/", json={})
        assert r.status_code in (200, 201), r.text

        def flat() -> bool:
            rows = api.get("/api/v1/positions/").json()["results"]
            return all(p["quantity"] == 0 for p in rows if p["instrument_token"] == facts["token"])

        procs.wait_until(flat, timeout=10, what="a flat position after the exit")
    flat_at_venue = product.venue()["venue_position"]
    assert flat_at_venue is None or flat_at_venue["quantity"] == 0  # a broker may list or omit a flat position
    procs.stop(product.process)


def test_production_layout_a_worker_killed_mid_send_is_repaired_by_the_matcher_after_the_lease(
    product: Product,
) -> None:
    """The Procfile's `web` (uvicorn, 2 workers) and `paper_matcher` processes: the drill kills the worker that
    sent a resting LIMIT order (uvicorn replaces it); other senders may be alive, so nothing is settled before
    the lease runs out; then the matcher's resolver adopts the order, and it cancels normally."""
    facts = product.facts
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    # A lease long enough that reading the crashed state (a `manage.py shell` under a loaded CI machine can take
    # several seconds) always happens before the matcher may repair it.
    lease = 20.0
    env = {**product.env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2",
           "ORDER_SUBMIT_LEASE_SECONDS": str(lease)}
    log = product.log.parent / "production.log"
    matcher = procs.start(procs.procfile_command("paper_matcher", env), env, log)
    web = procs.start(procs.procfile_command("web", env), {**env, "OMS_FAULT_AFTER_SEND": "kill"}, log)
    try:
        procs.wait_healthy(url, web, log)
        with httpx.Client(base_url=url, headers={"Authorization": f"Api-Key {facts['key']}"}, timeout=15) as api:
            depth = api.get(f"/api/v1/market/depth/{facts['token']}/").json()
            price = (Decimal(depth["last_price"]) * Decimal("0.97")).quantize(Decimal("1"))  # rests, in the band
            body = {
                "instrument_token": facts["token"],
                "transaction_type": "BUY",
                "quantity": facts["lot"],
                "product": "NRML",
                "order_type": "LIMIT",
                "price": str(price),
            }
            with pytest.raises(httpx.TransportError):  # the worker dies mid-request
                api.post("/api/v1/orders/", json=body, timeout=60)
            killed = time.monotonic()
            crashed = product.venue()
            order_id = crashed["oms"]["id"]
            assert crashed["oms"]["status"] == "PENDING_SUBMIT" and crashed["venue_order"]["status"] == "OPEN"
            procs.wait_healthy(url, web, log)  # uvicorn replaced the killed worker

            def settled() -> dict | None:
                order = api.get(f"/api/v1/orders/{order_id}/").json()
                return order if order["status"] != "PENDING_SUBMIT" else None

            order = procs.wait_until(settled, timeout=lease + REPAIR_BUDGET_SECONDS, interval=0.25, what="the matcher")
            repaired_after = time.monotonic() - killed
            print(f"production layout: order {order_id} repaired {repaired_after:.1f} s after the kill")  # noqa: T201
            assert order["status"] == "OPEN" and order["broker_order_id"] == crashed["venue_order"]["id"]
            assert repaired_after >= lease - 1.0 - 0.5  # not before the lease (from the claim, ~1 s earlier)
            r = api.delete(f"/api/v1/orders/{order_id}/")
            assert r.status_code == 200, r.text
            procs.wait_until(
                lambda: api.get(f"/api/v1/orders/{order_id}/").json()["status"] == "CANCELLED",
                timeout=10,
                what="cancel",
            )
        assert product.venue()["venue_order"]["status"] == "CANCELLED"
    finally:
        procs.stop(web)
        procs.stop(matcher)
