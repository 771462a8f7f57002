"""The depth-aware split through the API (POST /api/v1/orders/depth-split/) and the /algos/ panel (issue #11)."""

from __future__ import annotations

import pytest

from orders.execution_models import AdvancedOrderExecution
from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"
BODY = {"instrument_token": 1001, "transaction_type": "BUY", "lots": 20}


def test_start_a_depth_split_and_follow_it(api, other_api, account, other_account, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    r = api.post("/api/v1/orders/depth-split/", {**BODY, "max_impact_bps": 30, "interval_seconds": 3}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["algorithm"] == "DEPTH_SPLIT" and body["status"] == "RUNNING" and body["slices"] == []
    assert body["params"]["max_impact_bps"] == "30" and body["params"]["interval_seconds"] == 3
    assert body["time_left_seconds"] == algos.MAX_DURATION_SECONDS and body["arrival_price"] == "24000.0000"
    # The fake book shows 10 lots (5 levels of 2, 0.25 bps deep): the first child takes what it shows; 3 s later
    # the venue has given back 60% of it (5 s for the whole side), so the next child takes 6 lots, then the rest.
    for _ in range(4):
        algos.algos_tick()
        clock.shift(3)
    one = api.get(f"/api/v1/executions/{body['id']}/").json()
    assert one["status"] == "COMPLETED" and one["filled_quantity"] == 1500, one
    assert [s["send_quantity"] for s in one["slices"]] == [750, 450, 300]
    assert all(s["order_status"] == "COMPLETE" for s in one["slices"]) and one["slices_total"] == 3
    assert "visible depth" in one["slices"][0]["note"]
    assert [e["id"] for e in api.get("/api/v1/executions/?algorithm=DEPTH_SPLIT").json()["results"]] == [body["id"]]
    r = other_api.get(f"/api/v1/executions/{body['id']}/")
    assert r.status_code == 404 and r.json()["error"]["code"] == "EXECUTION_NOT_FOUND"


def test_bodies_are_strict(api, account, fut) -> None:  # noqa: ANN001
    r = api.post("/api/v1/orders/depth-split/", {**BODY, "slices": 4}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"
    r = api.post("/api/v1/orders/depth-split/", {**BODY, "interval_seconds": 1}, format="json")
    assert r.status_code == 400
    r = api.post("/api/v1/orders/depth-split/", {**BODY, "max_child_quantity": 100}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "LOT_SIZE_MISMATCH"
    assert not AdvancedOrderExecution.objects.exists()


def test_the_panel_starts_and_lists_a_depth_split(client, user, account, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    client.force_login(user)
    page = client.get("/algos/").content.decode()
    assert 'value="DEPTH_SPLIT"' in page
    r = client.post(
        "/algos/",
        {
            "algorithm": "DEPTH_SPLIT",
            "exchange": "NFO",
            "tradingsymbol": "NIFTY26DECFUT",
            "transaction_type": "SELL",
            "lots": 4,
            "product": "NRML",
            "max_impact_bps": 25,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    ex = AdvancedOrderExecution.objects.get(user=user)
    assert (ex.algorithm, ex.total_quantity, ex.params["max_impact_bps"]) == ("DEPTH_SPLIT", 300, "25")
    algos.algos_tick()
    page = client.get("/algos/").content.decode()
    assert f'id="algo-row-{ex.pk}"' in page and "DEPTH_SPLIT" in page
