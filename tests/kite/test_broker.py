"""KiteBroker through the real kiteconnect client against the local sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.models import TradingAccount
from devtools.kite_sandbox import Fault
from oms_project.lib.brokers import BrokerAuthError, BrokerOrderRequest, BrokerUnavailable, ReportOutcome
from orders.brokers.kite import KiteBroker

pytestmark = pytest.mark.django_db


def req(**kw) -> BrokerOrderRequest:
    base = dict(
        tag="oms-1", exchange="NFO", tradingsymbol="NIFTY26DEC26000CE", instrument_token=12073986,
        transaction_type="BUY", quantity=65, product="NRML", order_type="LIMIT", price=Decimal("101.05"),
    )  # fmt: skip
    base.update(kw)
    return BrokerOrderRequest(**base)


def test_place_market_fills_and_shows_in_orders_trades_positions(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("120.35"))
    broker = KiteBroker(kite_account)
    report = broker.place_order(req(order_type="MARKET", price=None, tag="mkt-1"))
    assert report.outcome == ReportOutcome.ACCEPTED and report.executions == ()  # updates come by postback
    order_id = report.broker_order_id

    [order] = broker.orders()
    assert order.broker_order_id == order_id
    assert order.status == "COMPLETE"
    assert order.tag == "mkt-1"
    assert order.filled_quantity == 65 and order.pending_quantity == 0
    assert order.average_price == Decimal("120.35")
    assert isinstance(order.average_price, Decimal)
    assert order.order_timestamp.tzinfo is not None and order.order_timestamp.utcoffset() == timedelta(0)
    assert abs(order.order_timestamp - datetime.now(UTC)) < timedelta(minutes=1)

    [trade] = broker.trades()
    assert (trade.broker_order_id, trade.quantity, trade.price) == (order_id, 65, Decimal("120.35"))
    assert trade.fill_timestamp.tzinfo is not None
    assert broker.order_trades(order_id) == [trade]

    [position] = broker.positions()
    assert (position.tradingsymbol, position.quantity, position.average_price) == (
        "NIFTY26DEC26000CE",
        65,
        Decimal("120.35"),
    )


def test_market_protection_is_sent_automatically(kite_account, sandbox):
    broker = KiteBroker(kite_account)
    broker.place_order(req(order_type="MARKET", price=None, market_protection=None))
    assert broker.orders()[0].status == "COMPLETE"  # the sandbox rejects MARKET without protection


def test_limit_rests_open_then_modify_and_cancel(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("120"))
    broker = KiteBroker(kite_account)
    order_id = broker.place_order(req(price=Decimal("101.05"))).broker_order_id
    assert broker.order_history(order_id)[-1].status == "OPEN"
    assert broker.order_history(order_id)[-1].price == Decimal("101.05")

    assert broker.modify_order(order_id, price=Decimal("102.10"), quantity=130).broker_order_id == order_id
    latest = broker.order_history(order_id)[-1]
    assert (latest.price, latest.quantity, latest.status) == (Decimal("102.10"), 130, "OPEN")

    assert broker.cancel_order(order_id).broker_order_id == order_id
    latest = broker.order_history(order_id)[-1]
    assert (latest.status, latest.cancelled_quantity) == ("CANCELLED", 130)
    assert len(broker.order_history(order_id)) == 3


def test_limit_fills_when_market_crosses(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("120"))
    broker = KiteBroker(kite_account)
    order_id = broker.place_order(req(price=Decimal("110"))).broker_order_id
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("109.5"))
    order = broker.order_history(order_id)[-1]
    assert (order.status, order.average_price) == ("COMPLETE", Decimal("109.5"))


def test_funds_from_margins(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("100"))
    broker = KiteBroker(kite_account)
    before = broker.funds()
    assert before.available_cash == Decimal("1000000")
    broker.place_order(req(order_type="MARKET", price=None))
    after = broker.funds()
    assert after.used_margin == Decimal("6500")
    assert after.available_cash == Decimal("993500")
    assert broker.margins()["equity"]["available"]["live_balance"] == 993500


def test_bad_order_is_rejected_with_the_kite_message(kite_account):
    broker = KiteBroker(kite_account)
    no_price = broker.place_order(req(price=None))
    assert no_price.outcome == ReportOutcome.REFUSED and "price" in no_price.message
    long_tag = broker.place_order(req(tag="x" * 21))
    assert long_tag.outcome == ReportOutcome.REFUSED and "20 characters" in long_tag.message
    assert broker.orders() == []


def test_modify_a_completed_order_is_rejected(kite_account):
    broker = KiteBroker(kite_account)
    order_id = broker.place_order(req(order_type="MARKET", price=None)).broker_order_id
    refused = broker.modify_order(order_id, price=Decimal("1"))
    assert refused.outcome == ReportOutcome.REFUSED and "cannot be modified" in refused.message


def test_insufficient_funds_order_is_recorded_rejected(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("100000"))
    broker = KiteBroker(kite_account)
    order_id = broker.place_order(req(order_type="MARKET", price=None)).broker_order_id
    order = broker.order_history(order_id)[-1]
    assert order.status == "REJECTED"
    assert "Insufficient funds" in order.status_message


def test_token_expiry_raises_auth_error_and_clears_the_session(kite_account, sandbox):
    sandbox.expire_sessions()
    with pytest.raises(BrokerAuthError):
        KiteBroker(kite_account).orders()
    kite_account.refresh_from_db()
    assert not kite_account.has_kite_session
    with pytest.raises(BrokerAuthError):  # no session left: refused before calling Kite
        KiteBroker(kite_account).orders()


def test_burst_over_ten_orders_a_second_is_rate_limited(kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("120"))
    broker = KiteBroker(kite_account)
    outcomes = []
    for _ in range(25):
        report = broker.place_order(req(price=Decimal("1")))
        if report.outcome == ReportOutcome.RATE_LIMITED:
            outcomes.append("429")
            assert report.retry_after == 1.0 and report.broker_order_id is None
        else:
            assert report.outcome == ReportOutcome.ACCEPTED
            outcomes.append("ok")
    assert "429" in outcomes
    assert outcomes.count("ok") <= 20  # at most 10 per calendar second, over at most 2 seconds
    assert len(broker.orders()) == outcomes.count("ok")


def test_server_errors_map_to_unavailable(kite_account, sandbox):
    sandbox.inject_fault(Fault(route="orders", mode="error", status=503, error_type="NetworkException"))
    with pytest.raises(BrokerUnavailable):
        KiteBroker(kite_account).orders()
    sandbox.inject_fault(Fault(route="order.place", mode="error", status=502, error_type="DataException"))
    assert KiteBroker(kite_account).place_order(req()).outcome == ReportOutcome.UNAVAILABLE
    assert KiteBroker(kite_account).orders() == []


def test_gateway_timeout_on_place_is_unknown(kite_account, sandbox):
    sandbox.inject_fault(Fault(route="order.place", mode="error", status=504, error_type="GeneralException"))
    assert KiteBroker(kite_account).place_order(req()).outcome == ReportOutcome.UNKNOWN


def test_dropped_answer_after_recording_is_unknown_and_resolvable_by_tag(kite_account, sandbox, capfd):
    sandbox.inject_fault(Fault(route="order.place", mode="drop"))
    broker = KiteBroker(kite_account)
    assert broker.place_order(req(tag="resolve-me")).outcome == ReportOutcome.UNKNOWN
    [order] = broker.orders()  # the order did reach the venue
    assert order.tag == "resolve-me"
    assert "Traceback" not in capfd.readouterr().err  # the drop is quiet in the sandbox's server thread


def test_slow_answer_after_recording_is_unknown(kite_account, sandbox, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", Decimal("120"))
    sandbox.inject_fault(Fault(route="order.cancel", mode="delay", seconds=1.5))
    broker = KiteBroker(kite_account, timeout=0.5)
    order_id = broker.place_order(req()).broker_order_id
    assert broker.cancel_order(order_id).outcome == ReportOutcome.UNKNOWN
    assert broker.order_history(order_id)[-1].status == "CANCELLED"


def test_connection_refused_is_unavailable(kite_account, settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.KITE_API_ROOT = f"http://127.0.0.1:{port}"
    assert KiteBroker(kite_account).place_order(req()).outcome == ReportOutcome.UNAVAILABLE


def test_account_without_session_is_refused_before_calling(db, user):
    account = TradingAccount.objects.create(user=user, kind="kite", name="k", kite_api_key="a", kite_api_secret="b")
    with pytest.raises(BrokerAuthError):
        KiteBroker(account).orders()


def test_sandbox_control_endpoints_answer_on_loopback_only(sandbox):
    import io
    import json

    import requests

    answer = requests.post(f"{sandbox.server_url}/_sandbox/expire", json={"api_key": "sbx_api_key"}, timeout=5)
    assert answer.status_code == 200 and answer.json()["data"] is True

    statuses = []
    body = json.dumps({"route": "*", "mode": "error"}).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/_sandbox/faults", "REMOTE_ADDR": "10.1.2.3",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
    }  # fmt: skip
    sandbox(environ, lambda status, headers: statuses.append(status))
    assert statuses[0].startswith("403") and sandbox.faults == []
