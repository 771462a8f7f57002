"""The SDK's client.risk.greeks() / sizing() in-process, and the monitor's RISK_REDUCING_ONLY as its typed error."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import RiskReducingOnlyError

from portfolio.models import Strategy
from risk import monitor
from tests.orders.conftest import *  # noqa: F401,F403

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_greeks_sizing_and_reducing_only(travel_to, sdk, user, account, fut):  # noqa: ANN001
    travel_to("2026-12-01 11:00 IST", tick=True)
    s = Strategy.objects.create(user=user, account=account, name="s", auto_square_off_on_loss_limit=False)
    sdk.orders.place(
        instrument_token=fut.instrument_token,
        side="BUY",
        quantity=75,
        product="NRML",
        order_type="MARKET",
        strategy_id=s.pk,
    )
    book = sdk.risk.greeks()
    assert book.account.delta_inr > 0 and book.by_strategy[0].strategy_id == s.pk
    assert book.by_underlying[0].underlying == "NIFTY" and book.by_underlying[0].delta_units == D("75")
    advice = sdk.risk.sizing(fut.instrument_token, stop_distance=20)
    assert advice.lots == min(advice.by_constraint.values())
    monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23300")})  # past the ₹50,000 cap
    with pytest.raises(RiskReducingOnlyError):
        sdk.orders.place(
            instrument_token=fut.instrument_token,
            side="BUY",
            quantity=75,
            product="NRML",
            order_type="MARKET",
            strategy_id=s.pk,
        )
