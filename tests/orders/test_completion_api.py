"""Completion policies through the API: the strategy's `completion_policy` settings group (PUT
/api/v1/strategies/{id}/settings/, the strategies API) and one order's override (/api/v1/orders/{id}/completion/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from orders import services
from orders.completion_models import StrategyCompletionPolicy

pytestmark = [pytest.mark.django_db]
D = Decimal


@pytest.fixture
def strat(user: Any, account: Any) -> Any:
    return services.strategy_create(user=user, account_id=account.pk, name="s1")


def _settings(api: Any, strategy: Any, body: dict) -> Any:
    return api.put(f"/api/v1/strategies/{strategy.pk}/settings/", body, format="json")


def test_a_strategy_has_no_policy_by_default(api, strat) -> None:  # noqa: ANN001
    body = api.get(f"/api/v1/strategies/{strat.pk}/").json()
    assert body["completion_policy"]["unfilled_action"] == "NONE"
    assert body["completion_policy"]["partial_fill_action"] == "NONE"
    assert body["completion_policy"]["chase_max_adjustment_pct"] == "5.00"  # seed 002's 0.05
    assert not StrategyCompletionPolicy.objects.exists()


def test_the_settings_api_sets_the_policy_and_keeps_fields_not_given(api, strat) -> None:  # noqa: ANN001
    r = _settings(
        api,
        strat,
        {
            "completion_policy": {
                "unfilled_action": "CHASE",
                "chase_ticks": 3,
                "chase_max_adjustment_pct": "2.5",
                "after_chase": "CANCEL",
            }
        },
    )
    assert r.status_code == 200, r.json()
    cp = r.json()["completion_policy"]
    assert (cp["unfilled_action"], cp["chase_ticks"], cp["chase_max_adjustment_pct"], cp["after_chase"]) == (
        "CHASE",
        3,
        "2.50",
        "CANCEL",
    )
    r = _settings(api, strat, {"completion_policy": {"partial_fill_action": "TIME_BASED"}, "min_liquidity_score": 40})
    cp = r.json()["completion_policy"]
    assert (cp["unfilled_action"], cp["chase_ticks"], cp["partial_fill_action"]) == ("CHASE", 3, "TIME_BASED")
    assert r.json()["min_liquidity_score"] == 40
    row = StrategyCompletionPolicy.objects.get(strategy=strat)
    assert row.chase_max_adjustment_pct == D("2.5") and row.partial_fill_action == "TIME_BASED"


def test_unknown_and_invalid_fields_are_refused_with_stable_codes(api, strat) -> None:  # noqa: ANN001
    r = _settings(api, strat, {"completion_policy": {"unfilled_action": "CHASE", "chase_tiks": 2}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"
    assert "chase_ticks" in r.json()["error"]["message"]  # the hint
    r = _settings(api, strat, {"completion_policy": {"unfilled_action": "CHASE_HARD"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    r = _settings(api, strat, {"completion_policy": {"chase_ticks": 0}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    r = _settings(api, strat, {"completion_policy": {"chase_max_adjustment_pct": "101"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    r = _settings(api, strat, {"completion_policy": {"unfilled_action": "CANCEL", "after_chase": "CANCEL"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "COMPLETION_POLICY_INVALID"
    r = _settings(
        api,
        strat,
        {"completion_policy": {"after_chase": "CONVERT_MARKET"}, "min_liquidity_score": 10},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "COMPLETION_POLICY_INVALID"
    assert r.json()["error"]["details"]["field"] == "after_chase"
    strat.refresh_from_db()
    assert strat.min_liquidity_score != 10  # the refusal kept the whole change out
    assert not StrategyCompletionPolicy.objects.exists()


def test_a_chase_follow_up_goes_with_the_chase(api, strat) -> None:  # noqa: ANN001
    body = {"completion_policy": {"unfilled_action": "CHASE", "after_chase": "CONVERT_MARKET"}}
    assert _settings(api, strat, body).json()["completion_policy"]["after_chase"] == "CONVERT_MARKET"
    cp = _settings(api, strat, {"completion_policy": {"unfilled_action": "CANCEL"}}).json()["completion_policy"]
    assert (cp["unfilled_action"], cp["after_chase"]) == ("CANCEL", "NONE")


def test_another_users_strategy_is_not_found(other_api, strat) -> None:  # noqa: ANN001
    r = _settings(other_api, strat, {"completion_policy": {"unfilled_action": "CANCEL"}})
    assert r.status_code == 404
    assert not StrategyCompletionPolicy.objects.exists()


def test_a_strategy_can_be_created_with_a_policy(api, account) -> None:  # noqa: ANN001
    r = api.post(
        "/api/v1/strategies/",
        {"name": "chaser", "completion_policy": {"unfilled_action": "CONVERT_MARKET", "unfilled_after_seconds": 45}},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["completion_policy"]["unfilled_action"] == "CONVERT_MARKET"
    assert r.json()["completion_policy"]["unfilled_after_seconds"] == 45


def test_one_orders_policy_can_be_read_and_overridden(api, other_api, user, strat, fut, place, travel_to) -> None:  # noqa: ANN001
    travel_to("2026-12-02 10:30 IST")
    _settings(api, strat, {"completion_policy": {"unfilled_action": "CANCEL", "unfilled_after_seconds": 60}})
    order = place(order_type="LIMIT", price=D("23990"), strategy_id=strat.pk)
    body = api.get(f"/api/v1/orders/{order.pk}/completion/").json()
    assert body["state"] is None and body["settings"]["unfilled_action"] == "CANCEL"
    r = api.put(f"/api/v1/orders/{order.pk}/completion/", {"unfilled_action": "CHASE", "chase_ticks": 2}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["state"], r.json()["source"], r.json()["settings"]["unfilled_action"]) == (
        "ACTIVE",
        "order",
        "CHASE",
    )
    assert r.json()["settings"]["unfilled_after_seconds"] == 60  # the strategy's, kept
    r = api.put(f"/api/v1/orders/{order.pk}/completion/", {"enabled": False}, format="json")
    assert r.json()["state"] == "STOPPED"
    r = api.put(f"/api/v1/orders/{order.pk}/completion/", {"unfilled_action": "CANCEL"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "COMPLETION_NOT_APPLICABLE"
    r = api.put(f"/api/v1/orders/{order.pk}/completion/", {"bogus": 1}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"
    assert other_api.get(f"/api/v1/orders/{order.pk}/completion/").status_code == 404
    market = place(order_type="MARKET", strategy_id=strat.pk)
    r = api.put(f"/api/v1/orders/{market.pk}/completion/", {"unfilled_action": "CHASE"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "COMPLETION_NOT_APPLICABLE"
