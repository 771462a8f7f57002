"""The SDK's risk API (summary, kill switch, limits, typed errors, square_off_all) in-process, and the seed's
`client.on_risk_breach(lambda alert: client.strategies.square_off_all())` as written against a real server: a
daily-loss breach raises RISK_BREACH, the EventHub delivers it, the handler flattens the book."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.alerts import wait_for
from stocksblitz_sdk.exceptions import (
    KillSwitchEngagedError,
    KillSwitchNotEngagedError,
    PriceDeviationLimitError,
    RiskLimitError,
    UnknownFieldError,
)

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from portfolio.models import Position
from tests.alerts.live_server import ThreadedServer
from tests.orders.conftest import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db


def _open(account) -> int:  # noqa: ANN001
    return sum(p.quantity for p in Position.objects.filter(account=account))


@pytest.mark.risk_limits
def test_risk_summary_limits_and_typed_refusals(sdk, user, account, fut):
    sdk.orders.place(
        instrument_token=fut.instrument_token, side="BUY", quantity=75, product="NRML", order_type="MARKET"
    )
    summary = sdk.risk.summary()
    assert summary.capital == D("10000000") and summary.limit("open_positions").value == 1
    assert summary.kill_switch.state == "ACTIVE"
    with pytest.raises(PriceDeviationLimitError) as exc:
        sdk.orders.place(
            instrument_token=fut.instrument_token,
            side="BUY",
            quantity=75,
            product="NRML",
            order_type="LIMIT",
            price=D("27000"),
        )
    assert isinstance(exc.value, RiskLimitError) and exc.value.limit_name == "price_sanity"
    assert sdk.risk.set_limits({"price_sanity": {"pct": "30"}})["limits"]["price_sanity"]["pct"] == "30"
    with pytest.raises(UnknownFieldError):
        sdk.risk.set_limits({"price_sanity": {"percent": "30"}})


def test_kill_switch_and_square_off_all(sdk, user, account, fut):
    sdk.orders.place(
        instrument_token=fut.instrument_token, side="BUY", quantity=150, product="NRML", order_type="MARKET"
    )
    assert _open(account) == 150
    results = sdk.strategies.square_off_all()
    assert [r.account_id for r in results] == [account.pk] and results[0].flat and len(results[0].exits) == 1
    assert _open(account) == 0
    state = sdk.risk.kill_switch("engage", reason="sdk stop")
    assert state.engaged and state.reason == "sdk stop" and sdk.risk.kill_switch().engaged
    with pytest.raises(KillSwitchEngagedError):
        sdk.orders.place(
            instrument_token=fut.instrument_token, side="BUY", quantity=75, product="NRML", order_type="MARKET"
        )
    assert sdk.risk.kill_switch("release", reason="go").state == "ACTIVE"
    with pytest.raises(KillSwitchNotEngagedError):
        sdk.risk.kill_switch("release", reason="again")
    assert [e.kind for e in sdk.risk.events()][:2] == ["KILL_SWITCH_RELEASED", "KILL_SWITCH_ENGAGED"]


@pytest.fixture
def server():
    srv = ThreadedServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.django_db(transaction=True)
def test_seed_on_risk_breach_square_off_all_runs_as_written(server, user, account, fut, api_key_for):
    from tests.support.orders import place_order

    place_order(
        user,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        order_type="MARKET",
        instrument_token=fut.instrument_token,
    )
    assert _open(account) == 75
    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(user))

    # --- seed 000, "Handle risk breaches", as written ---
    client.on_risk_breach(lambda alert: client.strategies.square_off_all())
    # ---
    seen: list = []
    client.on_risk_breach(seen.append)
    client.start_listening()
    try:
        alert_raise(
            user=user, type=AlertType.RISK_BREACH, level=AlertLevel.CRITICAL, message="Daily loss limit reached"
        )
        assert wait_for(lambda: _open(account) == 0, 15), client.events.last_error
        assert wait_for(lambda: len(seen) == 1, 10) and seen[0].type == "RISK_BREACH"  # handlers run in order
    finally:
        client.stop_listening()
        client.close()
