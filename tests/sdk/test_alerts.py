"""SDK alerts: the HTTP API in-process, and the EventHub against a real uvicorn server."""

from __future__ import annotations

import threading

import pytest
from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.alerts import wait_for
from stocksblitz_sdk.exceptions import (
    AlertActionInvalidError,
    AlertAlreadyRespondedError,
    AlertNotFoundError,
    InsufficientMarginError,
    NotFoundError,
)
from stocksblitz_sdk.models.alerts import (
    Alert,
    KillSwitchAlert,
    MarginCallAlert,
    MarginWarningAlert,
    OrderAlert,
    RiskBreachAlert,
    WideSpreadAlert,
    alert_from_dict,
)

from alerts import services
from alerts.types import AlertLevel, AlertType
from tests.alerts.live_server import ThreadedServer


@pytest.mark.django_db
class TestAlertsApi:
    def test_list_typed_filters_and_privacy(self, sdk, user, other_user, sdk_for):
        services.alert_raise(
            user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="a", links={"order_id": 7}
        )
        services.alert_raise(user=user, type=AlertType.MARGIN_CALL, level=AlertLevel.CRITICAL, message="b")
        services.alert_raise(user=other_user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="theirs")
        alerts = sdk.alerts.list()
        assert [type(a) for a in alerts] == [MarginCallAlert, OrderAlert]
        assert alerts[1].order_id == 7
        assert [a.message for a in sdk.alerts.list(level="CRITICAL")] == ["b"]
        assert [a.message for a in sdk.alerts.iter(type="ORDER_FILLED")] == ["a"]
        assert len(sdk.alerts.list_for_user(user.pk)) == 2
        with pytest.raises(NotFoundError):
            sdk.alerts.list_for_user(other_user.pk)
        theirs = sdk_for(other_user).alerts.list()[0]
        with pytest.raises(AlertNotFoundError):
            sdk.alerts.get(theirs.id)

    def test_respond_once_and_read_state(self, sdk, user):
        alert = services.alert_raise(
            user=user,
            type=AlertType.WIDE_SPREAD,
            level=AlertLevel.WARNING,
            message="spread",
            actions=["Use LIMIT", "Proceed anyway"],
        )
        with pytest.raises(AlertActionInvalidError) as exc:
            sdk.alerts.respond(alert.id, "Nope")
        assert exc.value.details["actions"] == ["Use LIMIT", "Proceed anyway"]
        answered = sdk.alerts.respond(alert.id, "Use LIMIT")
        assert (
            isinstance(answered, WideSpreadAlert)
            and answered.response == "Use LIMIT"
            and answered.status == "RESPONDED"
        )
        with pytest.raises(AlertAlreadyRespondedError) as exc:
            sdk.alerts.respond(alert.id, "Proceed anyway")
        assert exc.value.status_code == 409
        services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x")
        assert sdk.alerts.mark_all_read() == 1
        assert sdk.alerts.list(unread=True) == []

    def test_preferences(self, sdk):
        prefs = sdk.alerts.update_preferences(
            min_level="WARNING", muted_types=["ORDER_FILLED"], quiet_start="22:00", quiet_end="07:00"
        )
        assert prefs.min_level == "WARNING" and prefs.quiet_start.hour == 22
        assert sdk.alerts.preferences().muted_types == ["ORDER_FILLED"]


def test_typed_alert_classes():
    assert isinstance(alert_from_dict({"id": 1, "type": "MARGIN_WARNING", "level": "WARNING"}), MarginWarningAlert)
    assert isinstance(alert_from_dict({"id": 1, "type": "KILL_SWITCH", "level": "URGENT"}), RiskBreachAlert)
    assert isinstance(alert_from_dict({"id": 1, "type": "KILL_SWITCH", "level": "URGENT"}), KillSwitchAlert)
    plain = alert_from_dict({"id": 1, "type": "SOMETHING_NEW", "level": "INFO", "extra": 1})
    assert type(plain) is Alert


@pytest.fixture
def server():
    srv = ThreadedServer()
    srv.start()
    yield srv
    srv.stop()


class Recorder:
    def __init__(self) -> None:
        self.items: list = []
        self.lock = threading.Lock()

    def __call__(self, item) -> None:  # noqa: ANN001
        with self.lock:
            self.items.append(item)

    def ids(self) -> list[int]:
        with self.lock:
            return [i.id for i in self.items]


def raise_(user, type_=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="m"):  # noqa: ANN001
    return services.alert_raise(user=user, type=type_, level=level, message=message)


@pytest.mark.django_db(transaction=True)
def test_event_hub_dispatches_live_private_and_replays_after_reconnect(server, user, other_user, api_key_for):
    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(user))
    other = StocksBlitzClient(api_url=server.url, api_key=api_key_for(other_user))
    everything, margin, risk, others = Recorder(), Recorder(), Recorder(), Recorder()
    client.on_alert(everything)
    client.on_margin_warning(margin)
    client.on_risk_breach(risk)
    other.on_alert(others)
    client.events._initial_backoff = 0.1
    client.start_listening()
    other.start_listening()
    try:
        assert client.events.wait_connected(10) and other.events.wait_connected(10)
        filled = raise_(user, AlertType.ORDER_FILLED, message="Bought 75 NIFTY")
        warn = raise_(user, AlertType.MARGIN_WARNING, AlertLevel.WARNING, "80% used")
        breach = raise_(user, AlertType.RISK_BREACH, AlertLevel.CRITICAL, "loss limit")
        assert wait_for(lambda: len(everything.items) == 3, 10), client.events.last_error
        # Each exactly once; the Redis layer does not promise delivery order (channels_redis#89).
        assert sorted(everything.ids()) == [filled.pk, warn.pk, breach.pk]
        first = next(a for a in everything.items if a.id == filled.pk)
        assert isinstance(first, OrderAlert) and first.message == "Bought 75 NIFTY"
        assert margin.ids() == [warn.pk] and isinstance(margin.items[0], MarginWarningAlert)
        assert risk.ids() == [breach.pk] and isinstance(risk.items[0], RiskBreachAlert)

        # The server goes away; alerts raised meanwhile are replayed after the SDK reconnects.
        connections_before = client.events.connections["/ws/alerts/"]
        server.stop()
        assert wait_for(lambda: not client.events.connected["/ws/alerts/"].is_set(), 10)
        missed = [raise_(user, AlertType.ORDER_REJECTED, AlertLevel.WARNING, f"missed {i}") for i in range(3)]
        server.start()
        assert wait_for(lambda: len(everything.items) == 6, 20), client.events.last_error
        assert client.events.connections["/ws/alerts/"] > connections_before
        assert everything.ids()[3:] == [a.pk for a in missed]  # replayed once each, in id order
        after = raise_(user, AlertType.ORDER_FILLED, message="live again")
        assert wait_for(lambda: len(everything.items) == 7, 10)
        assert everything.ids()[-1] == after.pk
        assert client.events.last_alert_id == after.pk
        # Nothing of user's reached the other bot.
        assert wait_for(lambda: other.events.connected["/ws/alerts/"].is_set(), 20)
        mine = raise_(other_user, AlertType.SYSTEM, message="for other")
        assert wait_for(lambda: len(others.items) == 1, 10)
        assert others.ids() == [mine.pk]
        assert len(everything.items) == 7
    finally:
        client.close()
        other.close()


@pytest.mark.django_db(transaction=True)
def test_event_hub_with_bad_key_never_dispatches(server, user):
    client = StocksBlitzClient(api_url=server.url, api_key="bad.key")
    got = Recorder()
    client.on_alert(got)
    client.events._initial_backoff = 0.1
    client.start_listening()
    try:
        raise_(user)
        assert wait_for(lambda: client.events.last_error is not None, 10)
        assert got.items == [] and client.events.connections["/ws/alerts/"] == 0
    finally:
        client.close()


@pytest.mark.django_db(transaction=True)
def test_event_hub_order_updates_from_ws_orders(server, user, other_user, api_key_for):
    """on_order_update listens on /ws/orders/ (frames as the orders core pushes them), own user only."""
    from django.db import transaction

    from oms_project.lib.realtime import group_send_on_commit, user_group

    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(user))
    got = Recorder()
    client.on_order_update(got)
    client.start_listening()
    try:
        assert client.events.wait_connected(10, "/ws/orders/")
        with transaction.atomic():
            group_send_on_commit(
                user_group(other_user.pk, "orders"), {"type": "order", "order": {"id": 99, "status": "OPEN"}}
            )
            group_send_on_commit(
                user_group(user.pk, "orders"), {"type": "order", "order": {"id": 5, "status": "COMPLETE"}}
            )
            group_send_on_commit(
                user_group(user.pk, "orders"), {"type": "position", "position": {"id": 8, "quantity": 75}}
            )
        assert wait_for(lambda: len(got.items) == 2, 10), client.events.last_error
        # Both, and only the user's own. Not in a promised order: the Redis channel layer does not keep the order of
        # two messages (channels_redis#89, #151; docs/architecture.md "Pushes"); clients order by content.
        assert sorted((u.kind, u.id) for u in got.items) == [("order", 5), ("position", 8)]
        assert next(u for u in got.items if u.kind == "order").status == "COMPLETE"
    finally:
        client.close()


@pytest.fixture
def paper_market(monkeypatch, user):  # noqa: ANN001, ANN201
    """A NIFTY future with a quote the test controls, and a funded paper account for `user`.

    The threaded server runs in this process, so the patched quote source is the one it uses."""
    import datetime
    from decimal import Decimal

    from marketdata.models import Instrument
    from tests.orders.conftest import FakeMarket, _paper_account

    Instrument.objects.create(
        instrument_token=1001,
        exchange_token=4,
        tradingsymbol="NIFTY26DECFUT",
        name="NIFTY",
        last_price=Decimal("24000"),
        tick_size=Decimal("0.05"),
        lot_size=75,
        instrument_type="FUT",
        segment="NFO-FUT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
        expiry=datetime.date.today() + datetime.timedelta(days=30),
    )
    fm = FakeMarket()
    fm.set(1001, "24000")
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)  # the order core and the venue read it
    account = _paper_account(user)
    account.paper_capital = Decimal("1000000")  # the default starting capital (settings.PAPER_STARTING_CAPITAL)
    account.save()
    return fm


@pytest.mark.django_db(transaction=True)
def test_event_hub_gets_alerts_and_updates_of_its_own_sdk_orders_and_replays_once(
    server, user, other_user, api_key_for, paper_market
):
    """Real order events (placed through the SDK against a real server) reach on_alert and
    on_order_update; an order filled while the alerts socket is down is replayed once on reconnect."""
    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(user))
    other = StocksBlitzClient(api_url=server.url, api_key=api_key_for(other_user))
    alerts, updates, others = Recorder(), Recorder(), Recorder()
    client.on_alert(alerts)
    client.on_order_update(updates)
    other.on_alert(others)
    # A long reconnect backoff holds the dropped socket down while an order fills (checked below).
    client.events._initial_backoff = 5.0
    client.start_listening()
    other.start_listening()
    try:
        assert client.events.wait_connected(10) and client.events.wait_connected(10, "/ws/orders/")
        assert other.events.wait_connected(10)

        # 1. A MARKET order placed through the SDK fills on the paper broker -> ORDER_FILLED + order update.
        order = client.orders.place_market(instrument_token=1001, quantity=75, side="BUY")
        assert order.status == "COMPLETE"
        assert wait_for(lambda: len(alerts.items) == 1, 10), client.events.last_error
        filled = alerts.items[0]
        assert isinstance(filled, OrderAlert) and filled.type == "ORDER_FILLED" and filled.level == "INFO"
        assert filled.links == {"order_id": order.id} and f"#{order.id}" in filled.message
        assert wait_for(
            lambda: any(u.kind == "order" and u.id == order.id and u.status == "COMPLETE" for u in updates.items), 10
        )
        assert any(u.kind == "trade" and u.data.get("order_id") == order.id for u in updates.items)
        assert any(u.kind == "position" for u in updates.items)

        # 2. 1,800 units need ~₹53 lakh margin on ₹10 lakh capital: the pre-trade margin stage refuses it
        #    before an order exists (the SDK raises; no alert, no order to update).
        with pytest.raises(InsufficientMarginError) as refused:
            client.orders.place_market(instrument_token=1001, quantity=1800, side="BUY", confirm_duplicate=True)
        assert refused.value.code == "INSUFFICIENT_MARGIN" and refused.value.shortfall > 0
        assert len(alerts.items) == 1

        # 3. Drop the alerts socket; an order fills while it is down; the reconnect replays its alert once.
        connections = client.events.connections["/ws/alerts/"]
        client.events._sockets["/ws/alerts/"].close()
        assert wait_for(lambda: not client.events.connected["/ws/alerts/"].is_set(), 5)
        missed = client.orders.place_market(instrument_token=1001, quantity=75, side="SELL", confirm_duplicate=True)
        assert missed.status == "COMPLETE"
        # Still down when the alert was raised (so it can only come back through the replay).
        assert client.events.connections["/ws/alerts/"] == connections and len(alerts.items) == 1
        assert wait_for(lambda: len(alerts.items) == 2, 20), client.events.last_error
        assert client.events.connections["/ws/alerts/"] == connections + 1
        assert alerts.items[1].type == "ORDER_FILLED" and alerts.items[1].links == {"order_id": missed.id}

        # Exactly once: a later live alert arrives right after it, with no duplicate in between.
        later = client.orders.place_market(instrument_token=1001, quantity=75, side="BUY", confirm_duplicate=True)
        assert wait_for(lambda: len(alerts.items) == 3, 10), client.events.last_error
        assert [a.links["order_id"] for a in alerts.items] == [order.id, missed.id, later.id]
        assert len(set(alerts.ids())) == 3

        # Private: the other bot got none of it.
        assert others.items == []
    finally:
        client.close()
        other.close()


@pytest.mark.django_db(transaction=True)
def test_event_hub_resyncs_alert_changes_made_while_disconnected(server, user, api_key_for):
    """on_alert_update sees a change made while the socket was down (from the reconnect's resync),
    once, and live changes once too (the server's re-send window never duplicates a dispatch)."""
    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(user))
    alerts, updates = Recorder(), Recorder()
    client.on_alert(alerts)
    client.events.on_alert_update(updates)
    client.events._initial_backoff = 5.0  # hold the dropped socket down while things change
    client.start_listening()
    try:
        assert client.events.wait_connected(10)
        question = services.alert_raise(
            user=user, type=AlertType.APPROVAL_REQUIRED, level=AlertLevel.WARNING, message="ok?", actions=["Approve"]
        )
        # Two pushes raised back to back travel independently; the order asserted below is the order raised.
        assert wait_for(lambda: len(alerts.items) == 1, 10), client.events.last_error
        info = raise_(user, AlertType.ORDER_FILLED, message="filled")
        assert wait_for(lambda: len(alerts.items) == 2, 10), client.events.last_error
        services.alert_mark_read(user=user, alert_id=info.pk)  # live update
        assert wait_for(lambda: len(updates.items) == 1, 10)

        connections = client.events.connections["/ws/alerts/"]
        client.events._sockets["/ws/alerts/"].close()
        assert wait_for(lambda: not client.events.connected["/ws/alerts/"].is_set(), 5)
        services.alert_respond(user=user, alert_id=question.pk, action="Approve", actor="user:web")  # while away
        assert client.events.connections["/ws/alerts/"] == connections
        assert wait_for(lambda: len(updates.items) == 2, 20), client.events.last_error
        assert client.events.connections["/ws/alerts/"] == connections + 1
        resynced = updates.items[1]
        assert (resynced.id, resynced.status, resynced.response) == (question.pk, "RESPONDED", "Approve")
        # The mark-read above is inside the re-send window but was dispatched already: not again.
        later = raise_(user, AlertType.SYSTEM, message="live again")
        assert wait_for(lambda: len(alerts.items) == 3, 10)
        assert alerts.ids() == [question.pk, info.pk, later.pk]
        assert [(u.id, u.is_read) for u in updates.items] == [(info.pk, True), (question.pk, True)]
        assert client.events.synced_at is not None
    finally:
        client.close()
