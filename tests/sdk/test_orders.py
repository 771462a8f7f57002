"""The SDK's orders/positions/trades against the real app in-process."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import (
    IdempotencyKeyReusedError,
    LotSizeMismatchError,
    OrderNotFoundError,
    OrderValidationError,
    StocksBlitzError,
)
from stocksblitz_sdk.models.orders import Order, Position

from tests.orders.conftest import FakeMarket, _paper_account  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_test_connection_open():  # noqa: ANN202
    """WSGI requests end with close_old_connections, which would close the test transaction's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def market(monkeypatch, user, make_user):  # noqa: ANN001, ANN201
    from marketdata.models import Instrument

    Instrument.objects.create(
        instrument_token=1001,
        exchange_token=4,
        tradingsymbol="NIFTY26DECFUT",
        name="NIFTY",
        last_price=D("24000"),
        tick_size=D("0.05"),
        lot_size=75,
        instrument_type="FUT",
        segment="NFO-FUT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
        expiry=__import__("datetime").date.today() + __import__("datetime").timedelta(days=30),
    )
    fm = FakeMarket()
    fm.set(1001, "24000")
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)  # the order core and the venue read it
    _paper_account(user)
    return fm


def test_place_market_limit_modify_cancel_and_read(sdk, market):
    order = sdk.orders.place_market(instrument_token=1001, quantity=75, side="BUY")
    assert isinstance(order, Order)
    assert order.status == "COMPLETE" and order.average_price == D("24000.05")
    limit = sdk.orders.place_limit(instrument_token=1001, quantity=75, side="SELL", price=D("24100"))
    assert limit.status == "OPEN" and limit.is_open
    limit = sdk.orders.modify(limit.id, price=D("24100.05"))
    assert limit.price == D("24100.05")
    assert sdk.orders.get(limit.id).modification_count == 1
    cancelled = sdk.orders.cancel(limit.id)
    assert cancelled.status == "CANCELLED"
    assert [e.kind for e in sdk.orders.history(limit.id)][0] == "CREATED"
    assert {o.id for o in sdk.orders.list()} == {order.id, limit.id}
    assert [o.id for o in sdk.orders.list(status="open")] == []
    trades = sdk.trades.list()
    assert len(trades) == 1 and trades[0].order_id == order.id
    positions = sdk.positions.list()
    assert isinstance(positions[0], Position) and positions[0].quantity == 75
    exit_order = sdk.positions.exit(positions[0].id)
    assert exit_order.transaction_type == "SELL" and exit_order.status == "COMPLETE"
    assert sdk.positions.current() == []
    assert sdk.orders.metrics().filled_today == 2


def test_errors_map_to_one_class_per_code(sdk, sdk_for, other_user, market):
    with pytest.raises(LotSizeMismatchError) as exc:
        sdk.orders.place_market(instrument_token=1001, quantity=70, side="BUY")
    assert isinstance(exc.value, OrderValidationError) and exc.value.code == "LOT_SIZE_MISMATCH"
    order = sdk.orders.place_limit(instrument_token=1001, quantity=75, price=D("23000"), client_order_id="c1")
    again = sdk.orders.place_limit(instrument_token=1001, quantity=75, price=D("23000"), client_order_id="c1")
    assert again.id == order.id
    with pytest.raises(IdempotencyKeyReusedError):
        sdk.orders.place_limit(instrument_token=1001, quantity=150, price=D("23000"), client_order_id="c1")
    _paper_account(other_user)
    with pytest.raises(OrderNotFoundError):
        sdk_for(other_user).orders.get(order.id)
    with pytest.raises(StocksBlitzError):
        sdk_for(other_user).orders.cancel(order.id)


def test_strategies_and_preferences_through_the_sdk(sdk_for, user, other_user):
    from stocksblitz_sdk.exceptions import StrategyNameTakenError, StrategyNotFoundError

    client = sdk_for(user)
    strategy = client.strategies.create("iron-condor", preset="aggressive", margin_buffer_pct="6")
    assert strategy.allow_orphaned_orders is True and str(strategy.margin_buffer_pct) == "6.00"
    with pytest.raises(StrategyNameTakenError):
        client.strategies.create("iron-condor")
    assert client.strategies.update(strategy.id, allow_orphaned_orders=False).allow_orphaned_orders is False
    assert [s.name for s in client.strategies.list()] == ["iron-condor"]
    assert set(client.strategies.presets()) == {"conservative", "aggressive"}
    with pytest.raises(StrategyNotFoundError):
        sdk_for(other_user).strategies.get(strategy.id)
    assert client.orders.update_preferences(duplicate_action="CONFIRM").duplicate_action == "CONFIRM"
    assert client.orders.preferences().duplicate_action == "CONFIRM"


def test_preview_answers_every_check_and_places_nothing(sdk, market):
    from stocksblitz_sdk.models.orders import OrderPreview

    from orders.models import Order as OrderRow

    preview = sdk.orders.preview(
        instrument_token=1001, quantity=70, side="BUY", order_type="LIMIT", price=D("24000.03")
    )
    assert isinstance(preview, OrderPreview) and preview.verdict == "deny" and not preview.would_place
    assert [(f.stage, f.code) for f in preview.denials] == [("orders.validate", "LOT_SIZE_MISMATCH")]
    ok = sdk.orders.preview(instrument_token=1001, lots=2, side="SELL")
    assert ok.verdict == "pass" and ok.order["quantity"] == 150 and ok.order["slices"] == [150]
    assert {f.stage for f in ok.findings} >= {"orders.validate", "orders.rate_slot"}
    assert OrderRow.objects.count() == 0
    with pytest.raises(TypeError):
        sdk.orders.preview(instrument_token=1001, quantity=75, side="BUY", acount_id=3)
