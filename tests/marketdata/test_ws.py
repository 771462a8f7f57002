"""/ws/market/: authenticated only; subscribe, then a tick from one feed iteration arrives."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from marketdata import consumers
from marketdata.feed import feed_once
from marketdata.models import Instrument
from oms_project.asgi import application
from tests.marketdata.conftest import make_instrument
from tests.support.ws import WsClient

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def _master() -> Instrument:
    make_instrument(instrument_token=408065, tradingsymbol="INFY", name="INFOSYS")
    return make_instrument(
        instrument_token=9000002,
        tradingsymbol="NIFTY26NOVFUT",
        name="NIFTY",
        exchange="NFO",
        segment="NFO-FUT",
        instrument_type="FUT",
        lot_size=65,
    )


@sync_to_async
def _user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("ws-trader", password="x")


async def _next_of_type(ws: WsClient, kind: str) -> dict[str, Any]:
    for _ in range(20):
        frame = await ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


@pytest.mark.clock_free
async def test_anonymous_is_refused() -> None:
    ws = WsClient(application, "/ws/market/", headers=[(b"origin", b"http://testserver")])
    connected, code = await ws.connect()
    assert not connected and code == 4401


async def test_subscribe_then_feed_tick(django_user_model: Any) -> None:
    fut = await _master()
    user = await _user(django_user_model)
    ws = WsClient(application, "/ws/market/", user=user)
    assert (await ws.connect())[0]
    await ws.send_json({"action": "subscribe", "tokens": [fut.pk, 77]})
    error = await ws.receive_json()
    assert error["type"] == "error" and error["error"]["code"] == "INSTRUMENT_NOT_FOUND"
    assert error["error"]["details"]["tokens"] == [77]
    subscribed = await ws.receive_json()
    assert subscribed == {"type": "subscribed", "tokens": [fut.pk], "subscribed": [fut.pk]}
    snapshot = await _next_of_type(ws, "tick")
    assert snapshot["tick"]["instrument_token"] == fut.pk

    sent = await feed_once()
    assert sent == 1
    tick = (await _next_of_type(ws, "tick"))["tick"]
    assert tick["instrument_token"] == fut.pk
    assert len(tick["depth"]["buy"]) == 5 and {"open", "high", "low", "close"} <= set(tick["ohlc"])
    assert {"last_price", "volume", "oi", "timestamp"} <= set(tick)

    await ws.send_json({"action": "unsubscribe", "tokens": [fut.pk]})
    assert (await ws.receive_json())["subscribed"] == []
    await ws.disconnect()


async def test_subscription_cap(django_user_model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    await _master()
    user = await _user(django_user_model)
    monkeypatch.setattr(consumers, "MAX_SUBSCRIPTIONS", 1)
    ws = WsClient(application, "/ws/market/", user=user)
    assert (await ws.connect())[0]
    await ws.send_json({"action": "subscribe", "tokens": [408065, 9000002]})
    frame = await ws.receive_json()
    assert frame["type"] == "error" and frame["error"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    await ws.send_json({"action": "subscribe", "tokens": "all"})
    assert (await ws.receive_json())["error"]["code"] == "VALIDATION_ERROR"
    await ws.disconnect()
