"""The strategy settings panel shows and saves the completion policy (server-rendered)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from orders import services
from orders.completion_models import StrategyCompletionPolicy

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def web(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_panel_shows_the_policy_and_saves_it(web, user, account) -> None:  # noqa: ANN001
    strat = services.strategy_create(
        user=user, account_id=account.pk, name="s1", completion_policy={"unfilled_action": "CHASE", "chase_ticks": 4}
    )
    page = web.get(f"{reverse('strategy-settings')}?strategy={strat.pk}").content.decode()
    assert 'data-testid="completion-policy"' in page and "Unfilled and partly filled orders" in page
    assert '<option value="CHASE" selected>' in page and 'name="cp-chase_ticks" value="4"' in page
    body = {
        "cp-unfilled_action": "CONVERT_MARKET",
        "cp-unfilled_after_seconds": "45",
        "cp-chase_interval_seconds": "10",
        "cp-chase_ticks": "1",
        "cp-chase_max_adjustment_pct": "5",
        "cp-after_chase": "NONE",
        "cp-partial_fill_action": "CANCEL_REMAINING",
        "cp-partial_fill_wait_seconds": "30",
        "cp-partial_fill_price_move_pct": "1",
    }
    r = web.post(reverse("strategy-completion-policy", args=[strat.pk]), body, follow=True)
    assert "completion policy saved" in r.content.decode()
    row = StrategyCompletionPolicy.objects.get(strategy=strat)
    assert (row.unfilled_action, row.unfilled_after_seconds, row.partial_fill_action) == (
        "CONVERT_MARKET",
        45,
        "CANCEL_REMAINING",
    )
    r = web.post(
        reverse("strategy-completion-policy", args=[strat.pk]), {**body, "cp-after_chase": "CANCEL"}, follow=True
    )
    assert "after_chase applies only when unfilled_action is CHASE" in r.content.decode()
    assert StrategyCompletionPolicy.objects.get(strategy=strat).after_chase == "NONE"


def test_another_users_strategy_is_not_found(web, other_user, other_account) -> None:  # noqa: ANN001
    strat = services.strategy_create(user=other_user, account_id=other_account.pk, name="theirs")
    r = web.post(reverse("strategy-completion-policy", args=[strat.pk]), {"cp-unfilled_action": "CANCEL"})
    assert r.status_code == 404
    assert not StrategyCompletionPolicy.objects.exists()


# --- one order's override on its page -------------------------------------------------------------------------
BODY = {
    "oc-unfilled_action": "CHASE",
    "oc-unfilled_after_seconds": "20",
    "oc-chase_interval_seconds": "10",
    "oc-chase_ticks": "2",
    "oc-chase_max_adjustment_pct": "3",
    "oc-after_chase": "NONE",
    "oc-partial_fill_action": "NONE",
    "oc-partial_fill_wait_seconds": "30",
    "oc-partial_fill_price_move_pct": "1",
}


def _working_limit(place: Any, **kw: Any) -> Any:
    from decimal import Decimal

    order = place(order_type="LIMIT", price=Decimal("23900"), **kw)
    order.refresh_from_db()
    assert order.status == "OPEN"
    return order


def test_the_order_page_shows_no_policy_and_sets_one_for_this_order(web, user, account, fut, place) -> None:  # noqa: ANN001
    from orders.completion_models import OrderCompletion

    order = _working_limit(place)
    page = web.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-completion"' in page and 'data-state="OFF"' in page
    assert 'data-testid="completion-override"' in page and 'name="oc-unfilled_action"' in page
    r = web.post(reverse("order-completion", args=[order.pk]), BODY, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    comp = OrderCompletion.objects.get(order=order)
    assert comp.source == "order" and comp.state == "ACTIVE" and comp.stopped_by == ""
    assert (comp.settings["unfilled_action"], comp.settings["chase_ticks"]) == ("CHASE", 2)
    body = r.content.decode()  # the page's body again, with the policy running
    assert 'data-state="ACTIVE"' in body and "policy of this order" in body and "Chase" in body
    assert f"set for this order by user:{user.pk}" in body


def test_switching_off_stops_the_strategys_policy_for_this_order(web, user, account, fut, place) -> None:  # noqa: ANN001
    from orders.completion_models import OrderCompletion

    strat = services.strategy_create(
        user=user, account_id=account.pk, name="s1", completion_policy={"unfilled_action": "CONVERT_MARKET"}
    )
    order = _working_limit(place, strategy_id=strat.pk)
    page = web.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'data-state="PENDING"' in page and 'data-testid="completion-switch-off"' in page
    r = web.post(reverse("order-completion", args=[order.pk]), {**BODY, "switch_off": "1"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0] == reverse("order-detail", args=[order.pk])
    comp = OrderCompletion.objects.get(order=order)
    assert comp.state == "STOPPED" and comp.reason == "switched off for this order"
    page = r.content.decode()
    assert 'data-state="STOPPED"' in page and 'data-testid="completion-override"' not in page  # it has ended


def test_a_bad_override_is_refused_in_the_card_and_nothing_is_stored(web, account, fut, place) -> None:  # noqa: ANN001
    from orders.completion_models import OrderCompletion

    order = _working_limit(place)
    r = web.post(
        reverse("order-completion", args=[order.pk]),
        {**BODY, "oc-unfilled_action": "NONE", "oc-after_chase": "CANCEL"},
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert 'data-testid="completion-error"' in body and "after_chase" in body.replace(" ", "_").lower()
    assert not OrderCompletion.objects.filter(order=order).exists()
    r = web.post(reverse("order-completion", args=[order.pk]), {**BODY, "oc-chase_ticks": "0"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="completion-error"' in r.content.decode() and "ticks per step" in r.content.decode()
    assert not OrderCompletion.objects.filter(order=order).exists()


def test_a_market_order_has_no_policy_card_and_another_users_order_is_not_found(  # noqa: ANN001
    web, account, fut, place, other_user, other_account
) -> None:
    from orders.services import order_place
    from tests.support.orders import intent_for

    filled = place()  # MARKET: fills at once, no policy can apply
    assert 'data-testid="order-completion"' not in web.get(reverse("order-detail", args=[filled.pk])).content.decode()
    theirs = order_place(
        intent_for(other_user, instrument_token=fut.instrument_token, transaction_type="BUY", quantity=75,
                   product="NRML", order_type="LIMIT", price="23900", account_id=other_account.pk),  # fmt: skip
        user=other_user,
    )
    assert web.post(reverse("order-completion", args=[theirs.pk]), BODY).status_code == 404
