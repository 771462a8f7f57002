"""The parent executions API (issue #11): start, list, read, pause / resume / cancel; owner-scoped, strict."""

from __future__ import annotations

import pytest

from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"
TWAP = {
    "instrument_token": 1001,
    "transaction_type": "BUY",
    "quantity": 750,
    "duration_seconds": 600,
    "slices": 5,
    "size_jitter_pct": 0,
    "time_jitter_pct": 0,
}


def test_start_a_twap_then_follow_it_to_the_end(api, account, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    r = api.post("/api/v1/orders/twap/", TWAP, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["algorithm"] == "TWAP" and body["status"] == "RUNNING" and body["slices_total"] == 5
    assert [s["quantity"] for s in body["slices"]] == [150] * 5 and body["time_left_seconds"] == 600
    assert body["arrival_price"] == "24000.0000" and body["progress_pct"] == "0.0"
    for _ in range(5):
        clock.shift(120)
        algos.algos_tick()
    one = api.get(f"/api/v1/executions/{body['id']}/").json()
    assert one["status"] == "COMPLETED" and one["filled_quantity"] == 750 and one["progress_pct"] == "100.0"
    assert one["slices_done"] == 5 and all(s["order_status"] == "COMPLETE" for s in one["slices"])
    assert one["time_left_seconds"] == 0 and float(one["slippage_bps"]) > 0  # bought above the mid
    listed = api.get("/api/v1/executions/?status=COMPLETED").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]


def test_pause_resume_cancel_and_state_conflicts(api, account, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    ex = api.post("/api/v1/orders/twap/", TWAP, format="json").json()
    base = f"/api/v1/executions/{ex['id']}"
    assert api.post(f"{base}/pause/").json()["status"] == "PAUSED"
    r = api.post(f"{base}/pause/")
    assert r.status_code == 409 and r.json()["error"]["code"] == "EXECUTION_STATE_CONFLICT"
    assert api.post(f"{base}/resume/").json()["status"] == "RUNNING"
    assert api.post(f"{base}/cancel/").json()["status"] == "CANCELLED"
    assert api.post(f"{base}/resume/").status_code == 409
    r = api.post(f"{base}/cancel/", {"why": "x"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"


def test_another_users_execution_is_not_found(api, other_api, account, other_account, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    ex = api.post("/api/v1/orders/twap/", TWAP, format="json").json()
    for r in (
        other_api.get(f"/api/v1/executions/{ex['id']}/"),
        other_api.post(f"/api/v1/executions/{ex['id']}/cancel/"),
    ):
        assert r.status_code == 404 and r.json()["error"]["code"] == "EXECUTION_NOT_FOUND"
    assert other_api.get("/api/v1/executions/").json()["results"] == []


def test_bodies_are_strict(api, account, fut) -> None:  # noqa: ANN001
    r = api.post("/api/v1/orders/twap/", {**TWAP, "speed": "fast"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"
    r = api.post("/api/v1/orders/twap/", {**TWAP, "interval_seconds": 60}, format="json")  # and slices
    assert r.status_code == 400
    r = api.post("/api/v1/orders/twap/", {**TWAP, "quantity": 100}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "LOT_SIZE_MISMATCH"
    r = api.post(
        "/api/v1/orders/iceberg/",
        {"instrument_token": 1001, "transaction_type": "SELL", "quantity": 300, "visible_lots": 1},
        format="json",
    )
    assert r.status_code == 400  # an iceberg needs its limit price


def test_start_an_iceberg(api, account, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    r = api.post(
        "/api/v1/orders/iceberg/",
        {"instrument_token": 1001, "transaction_type": "SELL", "lots": 4, "visible_lots": 1, "limit_price": "24100"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["params"] == {"visible_quantity": 75} and r.json()["slices_total"] == 0
    assert algos.algos_tick() == 1
    one = api.get(f"/api/v1/executions/{r.json()['id']}/").json()
    assert one["slices_sent"] == 1 and one["slices"][0]["order_status"] == "OPEN"  # resting above the bid
