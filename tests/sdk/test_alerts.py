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
        assert everything.ids() == [filled.pk, warn.pk, breach.pk]
        assert isinstance(everything.items[0], OrderAlert) and everything.items[0].message == "Bought 75 NIFTY"
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
        assert everything.ids()[3:] == [a.pk for a in missed]  # once each, in order
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
        assert [(u.kind, u.id) for u in got.items] == [("order", 5), ("position", 8)]
        assert got.items[0].status == "COMPLETE"
    finally:
        client.close()
