"""Order API: placement, replay protection (incl. 50 concurrent identical requests), scoping, history, positions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connection
from rest_framework.test import APIClient

from orders.models import Order, OrderEvent

BODY = {"instrument_token": 1001, "transaction_type": "BUY", "quantity": 75, "product": "NRML", "order_type": "MARKET"}


@pytest.mark.django_db
def test_place_returns_order_with_current_status(api, account, fut):
    r = api.post("/api/v1/orders/", BODY, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "COMPLETE"
    assert body["filled_quantity"] == 75
    assert body["market_protection"] == -1
    assert len(body["tag"]) <= 20


@pytest.mark.django_db
def test_place_with_lots(api, account, fut):
    r = api.post("/api/v1/orders/", {**BODY, "quantity": None, "lots": 2}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["quantity"] == 150


@pytest.mark.django_db
def test_idempotency_key_returns_original(api, account, fut):
    r1 = api.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    r2 = api.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r1.status_code == 201 and r2.status_code == 200
    assert r1.json()["id"] == r2.json()["id"]
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_same_key_different_body_refused(api, account, fut):
    api.post("/api/v1/orders/", {**BODY, "client_order_id": "abc"}, format="json")
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 150, "client_order_id": "abc"}, format="json")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.django_db
def test_same_key_from_another_user_is_a_new_order(api, other_api, account, other_account, fut):
    r1 = api.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    r2 = other_api.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] != r2.json()["id"]


@pytest.mark.django_db
def test_near_duplicate_refused_without_key(api, account, fut):
    assert api.post("/api/v1/orders/", BODY, format="json").status_code == 201
    r = api.post("/api/v1/orders/", BODY, format="json")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "DUPLICATE_ORDER"
    assert api.post("/api/v1/orders/", {**BODY, "confirm_duplicate": True}, format="json").status_code == 201


@pytest.mark.django_db
def test_near_duplicate_needs_confirmation_per_setting(user, api, account, fut):
    from alerts.models import Alert
    from alerts.services import alert_respond
    from orders.services import preferences_update

    preferences_update(user=user, duplicate_action="CONFIRM")
    api.post("/api/v1/orders/", BODY, format="json")
    r = api.post("/api/v1/orders/", BODY, format="json")
    assert r.status_code == 201
    assert r.json()["status"] == "PENDING_APPROVAL"
    alert = Alert.objects.get(type="APPROVAL_REQUIRED", user=user)
    assert alert.links["order_id"] == r.json()["id"]
    from django.db import transaction  # noqa: F401
    from django.test.utils import CaptureQueriesContext  # noqa: F401

    alert_respond(user=user, alert_id=alert.pk, action="Approve", actor="user:test")
    order = Order.objects.get(pk=r.json()["id"])
    assert order.status in ("PENDING_SUBMIT", "COMPLETE")


@pytest.mark.django_db
def test_validation_error_body_and_nothing_stored(api, account, fut):
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 70}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "LOT_SIZE_MISMATCH"
    assert "lot size 75" in r.json()["error"]["message"]
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_other_users_order_is_404_everywhere(api, other_api, account, other_account, fut):
    oid = api.post("/api/v1/orders/", {**BODY, "order_type": "LIMIT", "price": "23000"}, format="json").json()["id"]
    assert other_api.get(f"/api/v1/orders/{oid}/").status_code == 404
    assert other_api.patch(f"/api/v1/orders/{oid}/", {"price": "23100"}, format="json").status_code == 404
    assert other_api.delete(f"/api/v1/orders/{oid}/").status_code == 404
    assert other_api.get(f"/api/v1/orders/{oid}/history/").status_code == 404
    assert other_api.get("/api/v1/orders/").json()["count"] == 0
    assert api.get("/api/v1/orders/").json()["count"] == 1


@pytest.mark.django_db
def test_modify_cancel_history(api, account, fut):
    oid = api.post("/api/v1/orders/", {**BODY, "order_type": "LIMIT", "price": "23000"}, format="json").json()["id"]
    r = api.patch(f"/api/v1/orders/{oid}/", {"price": "23000.10"}, format="json")
    assert r.status_code == 200 and r.json()["price"] == "23000.10"
    r = api.patch(f"/api/v1/orders/{oid}/", {"price": "23000.12"}, format="json")
    assert r.json()["error"]["code"] == "TICK_SIZE_MISMATCH"
    r = api.delete(f"/api/v1/orders/{oid}/")
    assert r.json()["status"] == "CANCELLED"
    kinds = [e["kind"] for e in api.get(f"/api/v1/orders/{oid}/history/").json()]
    assert kinds[0] == "CREATED" and "MODIFIED" in kinds and kinds[-1] == "CANCELLED"
    assert all(
        e["actor"].startswith("api_key:")
        for e in api.get(f"/api/v1/orders/{oid}/history/").json()
        if e["kind"] in ("CREATED", "MODIFIED")
    )


@pytest.mark.django_db
def test_cancel_all(api, account, fut):
    for p in ("23000", "23100"):
        api.post(
            "/api/v1/orders/", {**BODY, "order_type": "LIMIT", "price": p, "confirm_duplicate": True}, format="json"
        )
    r = api.post("/api/v1/orders/cancel-all/", {}, format="json")
    assert r.status_code == 200
    assert sorted(o["status"] for o in r.json()) == ["CANCELLED", "CANCELLED"]


@pytest.mark.django_db
def test_positions_trades_exit_and_metrics(api, other_api, account, other_account, fut, fake_market):
    api.post("/api/v1/orders/", BODY, format="json")
    trades = api.get("/api/v1/trades/").json()
    assert trades["count"] == 1 and trades["results"][0]["quantity"] == 75
    fake_market.set(1001, "24100")
    pos = api.get("/api/v1/positions/").json()["results"][0]
    assert pos["quantity"] == 75
    assert D(pos["unrealized_pnl"]) == (D("24100") - D("24000.05")) * 75
    assert api.get("/api/v1/orders/positions/current/").json()["count"] == 1
    assert other_api.post(f"/api/v1/positions/{pos['id']}/exit/").status_code == 404
    r = api.post(f"/api/v1/positions/{pos['id']}/exit/")
    assert r.status_code == 201, r.json()
    assert r.json()["transaction_type"] == "SELL" and r.json()["status"] == "COMPLETE"
    assert api.get("/api/v1/orders/positions/current/").json()["count"] == 0
    m = api.get("/api/v1/orders/metrics/summary/").json()
    assert m["total"] == 2 and m["filled_today"] == 2
    assert D(m["realized_pnl"]) == (D("24099.95") - D("24000.05")) * 75


@pytest.mark.clock_free  # idempotency under concurrency: the same on any day
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_requests_make_one_order(user, account, fut, api_key_for):
    key = api_key_for(user)

    def post(_: int) -> tuple[int, int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        try:
            r = client.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same-50")
            return r.status_code, r.json().get("id")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(post, range(50)))
    codes = [c for c, _ in results]
    ids = {i for _, i in results}
    assert Order.objects.filter(user=user).count() == 1
    assert len(ids) == 1, results
    assert codes.count(201) == 1 and codes.count(200) == 49, codes
    assert OrderEvent.objects.filter(kind="CREATED").count() == 1
