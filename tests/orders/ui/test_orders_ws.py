"""`/ws/orders/`: authenticated by session or API key, relays only the owner's pushes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser

from oms_project.asgi import application
from oms_project.lib.realtime import group_send, user_group
from tests.support.ws import WsClient

pytestmark = pytest.mark.django_db(transaction=True)


def _push(user_id: int, frame: dict[str, Any]) -> None:
    group_send(user_group(user_id, "orders"), frame)


async def _connect_with_key(key: str) -> WsClient:
    client = WsClient(application, "/ws/orders/", headers=[(b"authorization", f"Api-Key {key}".encode())])
    ok, code = await client.connect()
    assert ok, code
    return client


async def test_unauthenticated_socket_is_closed() -> None:
    client = WsClient(application, "/ws/orders/", headers=[(b"origin", b"http://testserver")])
    ok, code = await client.connect()
    assert not ok
    assert code == 4401


async def test_bad_api_key_is_closed() -> None:
    client = WsClient(application, "/ws/orders/", headers=[(b"authorization", b"Api-Key not.a-real-key")])
    ok, code = await client.connect()
    assert not ok
    assert code == 4401


async def test_anonymous_scope_user_is_closed() -> None:
    from orders.consumers import OrdersConsumer

    client = WsClient(OrdersConsumer.as_asgi(), "/ws/orders/", user=AnonymousUser())
    ok, _ = await client.connect()
    assert not ok


async def test_push_reaches_owner_socket_via_group_send(user: Any, api_key_for: Any) -> None:
    key = await sync_to_async(api_key_for)(user)
    client = await _connect_with_key(key)
    frame = {"type": "order", "order": {"id": 7, "status": "OPEN", "tradingsymbol": "NIFTY25DECFUT"}}
    await sync_to_async(_push)(user.pk, frame)
    assert await client.receive_json() == frame
    for kind in ("trade", "position"):
        other = {"type": kind, kind: {"id": 1}}
        await sync_to_async(_push)(user.pk, other)
        assert await client.receive_json() == other
    await client.disconnect()


async def test_push_from_sync_code_on_the_event_loop_thread(user: Any, api_key_for: Any) -> None:
    """group_send called directly (no thread hop) schedules on the running loop and still arrives."""
    key = await sync_to_async(api_key_for)(user)
    client = await _connect_with_key(key)
    _push(user.pk, {"type": "position", "position": {"tradingsymbol": "X", "quantity": 75}})
    msg = await client.receive_json()
    assert msg["position"]["quantity"] == 75
    await client.disconnect()


async def test_only_own_updates_are_received(user: Any, other_user: Any, api_key_for: Any) -> None:
    mine = await _connect_with_key(await sync_to_async(api_key_for)(user))
    theirs = await _connect_with_key(await sync_to_async(api_key_for)(other_user))
    await sync_to_async(_push)(other_user.pk, {"type": "order", "order": {"id": 99, "status": "OPEN"}})
    assert (await theirs.receive_json())["order"]["id"] == 99
    assert await mine.receive_nothing(timeout=0.2)
    await sync_to_async(_push)(user.pk, {"type": "order", "order": {"id": 1, "status": "OPEN"}})
    assert (await mine.receive_json())["order"]["id"] == 1
    assert await theirs.receive_nothing(timeout=0.2)
    await mine.disconnect()
    await theirs.disconnect()


async def test_session_authenticated_browser_socket(user: Any, client: Any) -> None:
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    browser = WsClient(
        application,
        "/ws/orders/",
        headers=[(b"cookie", cookie), (b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    ok, code = await browser.connect()
    assert ok, code
    await sync_to_async(_push)(user.pk, {"type": "trade", "trade": {"trade_id": "T1"}})
    assert (await browser.receive_json())["trade"]["trade_id"] == "T1"
    await browser.disconnect()


async def test_ping_is_answered(user: Any, api_key_for: Any) -> None:
    client = await _connect_with_key(await sync_to_async(api_key_for)(user))
    await client.send_json({"action": "ping"})
    assert await client.receive_json() == {"type": "pong"}
    await client.disconnect()


async def test_disconnect_leaves_group(user: Any, api_key_for: Any) -> None:
    from channels.layers import get_channel_layer

    client = await _connect_with_key(await sync_to_async(api_key_for)(user))
    await client.disconnect()
    await asyncio.sleep(0)
    layer = get_channel_layer()
    group = user_group(user.pk, "orders")
    assert not getattr(layer, "groups", {}).get(group)
