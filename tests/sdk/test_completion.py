"""Completion policies through the SDK: the strategy's settings group and its error classes."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import CompletionPolicyInvalidError, StrategyNotFoundError, UnknownFieldError

pytestmark = pytest.mark.django_db


def test_a_strategys_completion_policy_through_the_sdk(sdk_for, user, other_user):  # noqa: ANN001
    client = sdk_for(user)
    strategy = client.strategies.create("chaser")
    assert strategy.completion_policy.unfilled_action == "NONE"  # off by default
    changed = client.strategies.set_completion_policy(
        strategy.id, unfilled_action="CHASE", chase_ticks=2, chase_max_adjustment_pct=D("1.5")
    )
    cp = changed.completion_policy
    assert (cp.unfilled_action, cp.chase_ticks, cp.chase_max_adjustment_pct) == ("CHASE", 2, D("1.50"))
    again = client.strategies.set_settings(strategy.id, completion_policy={"partial_fill_action": "CANCEL_REMAINING"})
    assert again.completion_policy.unfilled_action == "CHASE"  # kept
    assert again.completion_policy.partial_fill_action == "CANCEL_REMAINING"
    assert client.strategies.get(strategy.id).completion_policy.chase_ticks == 2
    with pytest.raises(CompletionPolicyInvalidError):
        client.strategies.set_completion_policy(strategy.id, unfilled_action="CANCEL", after_chase="CANCEL")
    with pytest.raises(UnknownFieldError):
        client.strategies.set_completion_policy(strategy.id, chase_tick=3)
    with pytest.raises(StrategyNotFoundError):
        sdk_for(other_user).strategies.set_completion_policy(strategy.id, unfilled_action="CANCEL")
