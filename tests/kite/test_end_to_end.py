"""The whole Kite path: an order placed through orders.services on a Kite account goes through
the real kiteconnect client to the sandbox, fills on the paper engine's simulated market, and the
sandbox's postback (delivered to our endpoint) brings the order to its final state."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.services import kite_account_add
from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, SandboxUser
from devtools.kite_sandbox.paper_venue import SandboxPaperVenue
from marketdata.models import Instrument

from .conftest import API_KEY, API_SECRET, KITE_USER_ID

POSTBACK_PATH = "/api/v1/broker/kite/postback/"


@pytest.fixture
def infy(db: Any) -> Instrument:
    return Instrument.objects.create(
        instrument_token=408065, exchange_token=1594, tradingsymbol="INFY", name="INFOSYS", tick_size=Decimal("0.05"),
        lot_size=1, instrument_type="EQ", segment="NSE", exchange="NSE", source="demo",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _market_open(monkeypatch: pytest.MonkeyPatch) -> None:
    # Kite accounts always follow real NSE hours; pin "open" so the test runs at any hour.
    monkeypatch.setattr("orders.market.market_open", lambda instrument, at=None, *, simulated: True)


@pytest.fixture
def paper_sandbox(settings: Any, infy: Instrument):
    sent: list[dict[str, Any]] = []
    venue = SandboxPaperVenue(f"kite-sandbox:{KITE_USER_ID}", match_interval=0)
    app = KiteSandboxApp(
        [SandboxUser(user_id=KITE_USER_ID, api_key=API_KEY, api_secret=API_SECRET, venue=venue,
                     postback_url="http://testserver" + POSTBACK_PATH)],
        postback_sink=lambda url, payload: sent.append(payload),
    )  # fmt: skip
    with KiteSandboxServer(app) as server:
        settings.KITE_API_ROOT = server.url
        yield app, venue, sent


def deliver(app: KiteSandboxApp, sent: list[dict[str, Any]]) -> list[int]:
    assert app.postbacks.wait_idle()
    codes = []
    while sent:
        payload = sent.pop(0)
        response = Client().post(POSTBACK_PATH, data=json.dumps(payload), content_type="application/json")
        codes.append(response.status_code)
    return codes


@pytest.mark.django_db(transaction=True)
def test_order_through_the_order_core_completes_via_postback(user, paper_sandbox):
    from orders.models import Order
    from tests.support.orders import place_order as order_place

    app, venue, sent = paper_sandbox
    account = kite_account_add(
        user=user, api_key=API_KEY, api_secret=API_SECRET, access_token=app.issue_access_token(API_KEY),
        name="Kite sandbox", kite_user_id=KITE_USER_ID,
    )  # fmt: skip

    order = order_place(
        user, account_id=account.pk, exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
        product="MIS", order_type="MARKET", quantity=2, market_protection=-1,
    )  # fmt: skip
    order = Order.objects.get(pk=order.pk)
    assert order.broker_order_id  # accepted by the sandbox through kiteconnect
    [venue_order] = venue.orders()
    assert venue_order.broker_order_id == order.broker_order_id
    assert venue_order.tag == order.tag

    codes = deliver(app, sent)
    assert codes and set(codes) == {200}
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    assert order.filled_quantity == 2
    assert order.trades.count() == 1

    # A replayed postback changes nothing.
    last = app.postbacks.sent[-1]
    again = Client().post(POSTBACK_PATH, data=json.dumps(last), content_type="application/json")
    assert again.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.filled_quantity, order.trades.count()) == ("COMPLETE", 2, 1)


@pytest.mark.django_db(transaction=True)
def test_resting_limit_order_is_open_then_cancelled_via_postback(user, paper_sandbox, infy):
    from marketdata.selectors import quote_for
    from orders.models import Order
    from orders.services import order_cancel
    from tests.support.orders import place_order as order_place

    app, venue, sent = paper_sandbox
    account = kite_account_add(
        user=user, api_key=API_KEY, api_secret=API_SECRET, access_token=app.issue_access_token(API_KEY),
        name="Kite sandbox", kite_user_id=KITE_USER_ID,
    )  # fmt: skip
    far_below = quote_for(infy).lower_circuit_limit + Decimal("1")  # inside the band, far below the market
    order = order_place(
        user, account_id=account.pk, exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
        product="MIS", order_type="LIMIT", quantity=1, price=far_below,
    )  # fmt: skip
    deliver(app, sent)
    order = Order.objects.get(pk=order.pk)
    assert order.status == "OPEN"

    order_cancel(user=user, order_id=order.pk)
    deliver(app, sent)
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert venue.orders()[0].status == "CANCELLED"


def _account(user: Any, app: KiteSandboxApp) -> Any:
    return kite_account_add(
        user=user, api_key=API_KEY, api_secret=API_SECRET, access_token=app.issue_access_token(API_KEY),
        name="Kite sandbox", kite_user_id=KITE_USER_ID,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_dropped_answer_leaves_unknown_then_the_resolver_finds_it_by_tag(user, paper_sandbox):
    from devtools.kite_sandbox import Fault
    from orders.models import Order
    from orders.services import order_resolve_unknown
    from tests.support.orders import place_order as order_place

    app, venue, sent = paper_sandbox
    account = _account(user, app)
    app.inject_fault(Fault(route="order.place", mode="drop"))  # recorded at the venue, answer lost
    order = order_place(
        user, account_id=account.pk, exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
        product="MIS", order_type="MARKET", quantity=1, market_protection=-1,
    )  # fmt: skip
    order = Order.objects.get(pk=order.pk)
    assert order.status == "UNKNOWN"
    assert not order.broker_order_id
    [venue_order] = venue.orders()

    order = order_resolve_unknown(order_id=order.pk)
    assert order.broker_order_id == venue_order.broker_order_id
    assert order.status == "COMPLETE"
    assert len(venue.orders()) == 1  # never sent twice


@pytest.mark.django_db(transaction=True)
def test_expired_token_during_placement_clears_the_session(user, paper_sandbox):
    from orders.models import Order
    from tests.support.orders import place_order as order_place

    app, venue, sent = paper_sandbox
    account = _account(user, app)
    app.expire_sessions()
    order = order_place(
        user, account_id=account.pk, exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
        product="MIS", order_type="MARKET", quantity=1, market_protection=-1,
    )  # fmt: skip
    order = Order.objects.get(pk=order.pk)
    assert order.status == "REJECTED"
    assert "Log in to Kite again" in order.status_message
    account.refresh_from_db()
    assert not account.has_kite_session
    assert venue.orders() == []


@pytest.mark.django_db(transaction=True)
def test_quotes_come_from_the_simulated_market(paper_sandbox, infy):
    from kiteconnect import KiteConnect

    from devtools.kite_sandbox.wiring import default_quotes
    from marketdata.selectors import quote_for

    app, venue, sent = paper_sandbox
    app.quote_source = default_quotes
    from django.conf import settings

    kite = KiteConnect(API_KEY, access_token=app.issue_access_token(API_KEY), root=settings.KITE_API_ROOT)
    full = kite.quote("NSE:INFY", "NSE:NOPE")
    assert list(full) == ["NSE:INFY"]
    entry = full["NSE:INFY"]
    assert entry["instrument_token"] == 408065 and len(entry["depth"]["buy"]) == 5
    band = quote_for(infy)
    assert band.lower_circuit_limit <= Decimal(str(entry["last_price"])) <= band.upper_circuit_limit
    assert kite.ltp("NSE:INFY")["NSE:INFY"]["instrument_token"] == 408065
    assert set(kite.ohlc("NSE:INFY")["NSE:INFY"]["ohlc"]) == {"open", "high", "low", "close"}
