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
