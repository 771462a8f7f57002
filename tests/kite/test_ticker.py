"""Order updates over KiteTicker, end to end: the sandbox's WebSocket ticker endpoint, the real
kiteconnect KiteTicker (Twisted, one reactor per process: the service starts it once and it stays
up across these tests), the `kite_order_updates` service and the order core.

The Kite account here has NO postback URL configured in the sandbox, so only the ticker can bring
the order to its final state."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import websockets.sync.client as ws_client
from websockets.exceptions import InvalidStatus

from accounts.services import kite_account_add
from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, SandboxUser
from devtools.kite_sandbox.paper_venue import SandboxPaperVenue
from marketdata.models import Instrument
from orders.brokers.kite import ticker as kite_ticker

from .conftest import API_KEY, API_SECRET, KITE_USER_ID

DEADLINE_SECONDS = 15


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
def ticker_sandbox(settings: Any, infy: Instrument) -> Iterator[tuple[KiteSandboxApp, KiteSandboxServer, Any]]:
    venue = SandboxPaperVenue(f"kite-sandbox:{KITE_USER_ID}", match_interval=0)
    app = KiteSandboxApp(
        [SandboxUser(user_id=KITE_USER_ID, api_key=API_KEY, api_secret=API_SECRET, venue=venue, postback_url="")]
    )
    with KiteSandboxServer(app, ticker_port=0) as server:
        settings.KITE_API_ROOT = server.url
        settings.KITE_TICKER_ROOT = server.ticker_url
        yield app, server, venue


class ServiceRunner:
    """`kite_order_updates` on its own asyncio loop in a thread, like `run_service` would run it."""

    def __init__(self, refresh_seconds: float = 0.2) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.refresh_seconds = refresh_seconds
        import threading

        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.stop_event = asyncio.Event()
            await kite_ticker.run(self.stop_event, refresh_seconds=self.refresh_seconds)

        try:
            self.loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def start(self) -> ServiceRunner:
        self.thread.start()
        wait_for(lambda: self.stop_event is not None, "service started")
        return self

    def stop(self) -> None:
        assert self.stop_event is not None
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=DEADLINE_SECONDS)
        assert not self.thread.is_alive(), "the service did not stop"
        assert self.error is None, self.error


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = DEADLINE_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


def _add_account(user: Any, access_token: str) -> Any:
    return kite_account_add(
        user=user, api_key=API_KEY, api_secret=API_SECRET, access_token=access_token,
        name="Kite sandbox", kite_user_id=KITE_USER_ID,
    )  # fmt: skip


def test_sandbox_ticker_refuses_a_bad_token_and_pushes_order_frames(ticker_sandbox: Any) -> None:
    app, server, _venue = ticker_sandbox
    with pytest.raises(InvalidStatus) as refused:
        ws_client.connect(f"{server.ticker_url}?api_key={API_KEY}&access_token=nope", open_timeout=5)
    assert refused.value.response.status_code == 403

    token = app.issue_access_token(API_KEY)
    with ws_client.connect(f"{server.ticker_url}?api_key={API_KEY}&access_token={token}", open_timeout=5) as conn:
        conn.send(json.dumps({"a": "subscribe", "v": [408065]}))
        conn.send(json.dumps({"a": "mode", "v": ["full", [408065]]}))
        wait_for(lambda: len(server.ticker.messages_seen) == 2, "subscribe and mode recorded")
        server.ticker.publish_order(API_KEY, {"order_id": "X1", "status": "COMPLETE"})
        frames = []
        while True:
            frame = conn.recv(timeout=5)
            if isinstance(frame, str):
                frames.append(json.loads(frame))
                break
            assert frame == b"\x00"  # heartbeat
    assert frames == [{"type": "order", "data": {"order_id": "X1", "status": "COMPLETE"}}]
    assert server.ticker.messages_seen[0] == (API_KEY, {"a": "subscribe", "v": [408065]})


@pytest.mark.django_db(transaction=True)
def test_market_order_completes_via_the_ticker_only(user: Any, ticker_sandbox: Any) -> None:
    from orders.models import Order
    from tests.support.orders import place_order as order_place

    app, server, venue = ticker_sandbox
    account = _add_account(user, app.issue_access_token(API_KEY))
    service = ServiceRunner().start()
    try:
        wait_for(lambda: server.ticker.connection_count(API_KEY) == 1, "the KiteTicker connected")
        order = order_place(
            user, account_id=account.pk, exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
            product="MIS", order_type="MARKET", quantity=2, market_protection=-1,
        )  # fmt: skip
        assert app.postbacks.sent == []  # no postback URL: nothing else can deliver the update

        def completed() -> bool:
            return Order.objects.get(pk=order.pk).status == "COMPLETE"

        wait_for(completed, "the order reached COMPLETE through the ticker")
        order = Order.objects.get(pk=order.pk)
        assert order.filled_quantity == 2
        assert order.trades.count() == 1
        assert any(data["order_id"] == order.broker_order_id for _, data in server.ticker.sent)
        assert all(data["checksum"] == "" for _, data in server.ticker.sent)
    finally:
        service.stop()
    # Stopping closed the connection.
    wait_for(lambda: server.ticker.connection_count(API_KEY) == 0, "the ticker connection closed")


@pytest.mark.django_db(transaction=True)
def test_bad_token_is_refused_without_crashing_and_a_new_login_connects(
    user: Any, ticker_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from accounts.services import kite_session_store

    app, server, _venue = ticker_sandbox
    account = _add_account(user, "expired-token")
    service = ServiceRunner().start()
    try:
        # The handshake is refused (403); the service stays up and stops retrying that token.
        wait_for(lambda: "refused the session" in caplog.text, "the refusal was noticed")
        time.sleep(0.5)
        assert server.ticker.connection_count() == 0
        assert service.thread.is_alive() and service.error is None

        kite_session_store(
            user=user, account_id=account.pk, access_token=app.issue_access_token(API_KEY), kite_user_id=KITE_USER_ID
        )
        wait_for(lambda: server.ticker.connection_count(API_KEY) == 1, "the new session connected")
    finally:
        service.stop()


@pytest.mark.django_db(transaction=True)
def test_no_kite_accounts_means_no_connection(user: Any, ticker_sandbox: Any) -> None:
    _app, server, _venue = ticker_sandbox
    updates = kite_ticker.KiteOrderUpdates()
    updates.sync(kite_ticker.kite_ticker_accounts())
    assert updates.tickers == {} and updates._reactor is None
    updates.close()
    assert server.ticker.connection_count() == 0
