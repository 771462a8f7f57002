from decimal import Decimal

import pytest

from orders.models import Order
from portfolio.models import Strategy

pytestmark = pytest.mark.django_db


def test_create_from_preset_with_overrides_and_list(api, user):
    created = api.post(
        "/api/v1/strategies/", {"name": "straddle", "preset": "aggressive", "margin_buffer_pct": "7.5"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["preset"] == "aggressive" and body["allow_orphaned_orders"] is True
    assert body["auto_cleanup_enabled"] is False  # from the aggressive preset (seed 001)
    assert Decimal(body["margin_buffer_pct"]) == Decimal("7.5")  # overridden
    listed = api.get("/api/v1/strategies/").json()["results"]
    assert [s["name"] for s in listed] == ["straddle"]


def test_conservative_is_the_default_preset(api):
    body = api.post("/api/v1/strategies/", {"name": "safe"}, format="json").json()
    assert body["preset"] == "conservative"
    assert body["allow_orphaned_orders"] is False and Decimal(body["max_loss_per_strategy_pct"]) == Decimal("5.0")


def test_duplicate_name_is_a_conflict(api):
    api.post("/api/v1/strategies/", {"name": "dup"}, format="json")
    again = api.post("/api/v1/strategies/", {"name": "dup"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "STRATEGY_NAME_TAKEN"


def test_update_settings_and_scoping(api, other_api, user):
    strategy_id = api.post("/api/v1/strategies/", {"name": "s1"}, format="json").json()["id"]
    patched = api.patch(f"/api/v1/strategies/{strategy_id}/", {"allow_orphaned_orders": True, "is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["allow_orphaned_orders"] is True
    assert Strategy.objects.get(pk=strategy_id).is_active is False
    assert other_api.get(f"/api/v1/strategies/{strategy_id}/").status_code == 404
    assert other_api.patch(f"/api/v1/strategies/{strategy_id}/", {"name": "mine"}, format="json").status_code == 404
    assert Strategy.objects.get(pk=strategy_id).name == "s1"


def test_bad_settings_are_refused(api):
    response = api.post("/api/v1/strategies/", {"name": "x", "min_liquidity_score": 150}, format="json")
    assert response.status_code == 400 and "min_liquidity_score" in response.json()["error"]["details"]["fields"]


def test_presets_endpoint_lists_both_presets(api):
    presets = api.get("/api/v1/strategies/presets/").json()
    assert set(presets) == {"conservative", "aggressive"}
    assert presets["aggressive"]["allow_orphaned_orders"] is True


def test_orders_can_be_grouped_by_strategy(api, user, fut):
    strategy_id = api.post("/api/v1/strategies/", {"name": "grp"}, format="json").json()["id"]
    placed = api.post(
        "/api/v1/orders/",
        {"instrument_token": fut.instrument_token, "transaction_type": "BUY", "quantity": fut.lot_size,
         "order_type": "MARKET", "product": "NRML", "strategy_id": strategy_id},
        format="json",
    )
    assert placed.status_code == 201, placed.json()
    assert Order.objects.get(pk=placed.json()["id"]).strategy_id == strategy_id
    positions = api.get(f"/api/v1/positions/?strategy_id={strategy_id}").json()["results"]
    assert len(positions) == 1 and positions[0]["strategy_id"] == strategy_id


def test_order_preferences_round_trip(api):
    assert api.get("/api/v1/orders/preferences/").json()["duplicate_action"] == "REFUSE"
    updated = api.put("/api/v1/orders/preferences/", {"duplicate_action": "CONFIRM", "duplicate_window_seconds": "5"}, format="json")
    assert updated.status_code == 200 and updated.json()["duplicate_action"] == "CONFIRM"
    assert api.get("/api/v1/orders/preferences/").json()["duplicate_window_seconds"] == "5.00"


def test_another_users_strategy_cannot_be_used(api, other_api, fut):
    strategy_id = api.post("/api/v1/strategies/", {"name": "mine"}, format="json").json()["id"]
    response = other_api.post(
        "/api/v1/orders/",
        {"instrument_token": fut.instrument_token, "transaction_type": "BUY", "quantity": fut.lot_size,
         "order_type": "MARKET", "product": "NRML", "strategy_id": strategy_id},
        format="json",
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "STRATEGY_NOT_FOUND"
    assert not Order.objects.filter(strategy_id=strategy_id).exists()
