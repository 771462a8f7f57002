"""The SDK's client.risk.guards() / set_guards() / release_reducing() in-process against the real API: the stored
guards are what the monitor reads, bad values and another user's strategy come back as typed errors, a REDUCING
strategy is released with a reason."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import (
    PositionGuardsInvalidError,
    RiskStatusNotReducingError,
    RiskStrategyNotFoundError,
    ValidationError,
)

from portfolio.models import Strategy
from risk import monitor
from risk.models import PositionGuardConfig, RiskStatus
from tests.orders.conftest import *  # noqa: F401,F403

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_guards_round_trip_and_refusals(sdk, sdk_for, other_user, user, account):  # noqa: ANN001
    s = Strategy.objects.create(user=user, account=account, name="g")
    start = sdk.risk.guards(s.pk)
    assert start["stored"] is False and D(start["target_pnl"]) == D("2000")  # the house defaults
    out = sdk.risk.set_guards(s.pk, target_pnl="3500", timeout_hours=None, auto_close_on_stop=True)
    assert out["stored"] is True and D(out["target_pnl"]) == D("3500") and out["timeout_hours"] is None
    cfg = PositionGuardConfig.objects.get(strategy=s)
    assert cfg.auto_close_on_stop and not cfg.auto_close_on_target and cfg.timeout_hours is None
    assert monitor._guard_settings({s.pk})[s.pk]["target"] == 3500.0
    assert sdk.risk.set_guards(s.pk, stop_loss_pnl="0")["stop_loss_pnl"] is None  # 0: that guard off
    with pytest.raises(ValidationError):
        sdk.risk.set_guards(s.pk, timeout_hours="10000")  # above the column's 9999.99
    with pytest.raises(TypeError):
        sdk.risk.set_guards(s.pk, trailing=True)
    with pytest.raises(RiskStrategyNotFoundError):
        sdk_for(other_user).risk.guards(s.pk)
    with pytest.raises(RiskStrategyNotFoundError):
        sdk_for(other_user).risk.release_reducing("not mine", strategy_id=s.pk)
    assert PositionGuardsInvalidError.code == "RISK_GUARDS_INVALID"


def test_release_reducing_through_the_sdk(travel_to, sdk, user, account, fut):  # noqa: ANN001
    travel_to("2026-12-01 11:00 IST", tick=True)
    s = Strategy.objects.create(user=user, account=account, name="s", auto_square_off_on_loss_limit=False)
    sdk.orders.place(
        instrument_token=fut.instrument_token, side="BUY", quantity=75, product="NRML", order_type="MARKET",
        strategy_id=s.pk,
    )  # fmt: skip
    with pytest.raises(RiskStatusNotReducingError):
        sdk.risk.release_reducing("nothing to release", strategy_id=s.pk)
    monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23300")})  # past the ₹50,000 cap
    assert RiskStatus.objects.get(strategy=s).status == "REDUCING"
    out = sdk.risk.release_reducing("cut size", strategy_id=s.pk)
    assert out["status"] == "ACTIVE" and out["strategy_id"] == s.pk and out["reason"] == "cut size"
    assert RiskStatus.objects.get(strategy=s).status == "ACTIVE"
