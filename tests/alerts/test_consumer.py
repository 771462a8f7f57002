from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from accounts.services import api_key_create
from alerts import services
from alerts.types import AlertLevel, AlertType
from oms_project.asgi import application
from tests.support.ws import WsClient

pytestmark = pytest.mark.django_db(transaction=True)


def key_header(raw: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Api-Key {raw}".encode())]


async def connect_as(user) -> WsClient:  # noqa: ANN001
    _, raw = await sync_to_async(api_key_create)(user=user, name="ws")
    ws = WsClient(application, "/ws/alerts/", headers=key_header(raw))
    ok, _ = await ws.connect()
    assert ok
    hello = await ws.receive_json()
    assert hello["type"] == "hello"
    return ws


raise_alert = sync_to_async(services.alert_raise)


async def test_unauthenticated_is_closed():
    ws = WsClient(application, "/ws/alerts/")
    ok, code = await ws.connect()
    assert not ok and code == 4401


async def test_bad_key_is_closed():
    ws = WsClient(application, "/ws/alerts/", headers=key_header("nope.nope"))
    ok, code = await ws.connect()
    assert not ok and code == 4401


async def test_live_push_reaches_owner_only(user, other_user):
    mine = await connect_as(user)
    theirs = await connect_as(other_user)
    alert = await raise_alert(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="Bought 75")
    msg = await mine.receive_json()
    assert msg["type"] == "alert" and msg["alert"]["id"] == alert.pk and msg["alert"]["message"] == "Bought 75"
    assert await theirs.receive_nothing(timeout=0.3)
    answered = await sync_to_async(services.alert_raise)(
        user=user, type=AlertType.APPROVAL_REQUIRED, level=AlertLevel.WARNING, message="ok?", actions=["Approve"]
    )
    assert (await mine.receive_json())["alert"]["id"] == answered.pk
    await sync_to_async(services.alert_respond)(user=user, alert_id=answered.pk, action="Approve", actor="user:x")
    update = await mine.receive_json()
    assert update["type"] == "alert.updated" and update["alert"]["status"] == "RESPONDED"
    assert await theirs.receive_nothing(timeout=0.2)
    await mine.disconnect()
    await theirs.disconnect()


async def test_replay_since_id_returns_only_own_missed(user, other_user):
    first = await raise_alert(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="seen")
    missed = [
        await raise_alert(user=user, type=AlertType.ORDER_REJECTED, level=AlertLevel.WARNING, message=f"m{i}")
        for i in range(3)
    ]
    await raise_alert(user=other_user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="not yours")
    ws = await connect_as(user)
    await ws.send_json({"action": "replay", "since_id": first.pk})
    got = [await ws.receive_json() for _ in range(4)]
    assert [m["alert"]["id"] for m in got[:3]] == [a.pk for a in missed]
    assert all(m["replay"] for m in got[:3])
    assert got[3] == {"type": "replay.done", "last_id": missed[-1].pk, "count": 3}
    await ws.send_json({"action": "replay", "since_id": "x"})
    assert (await ws.receive_json())["error"]["code"] == "VALIDATION_ERROR"
    await ws.disconnect()


async def test_hello_reports_last_id(user):
    alert = await raise_alert(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x")
    _, raw = await sync_to_async(api_key_create)(user=user, name="ws")
    ws = WsClient(application, "/ws/alerts/", headers=key_header(raw))
    assert (await ws.connect())[0]
    assert await ws.receive_json() == {"type": "hello", "last_id": alert.pk}
    await ws.disconnect()


async def test_push_across_processes_through_redis(redis_url, user):
    """Real Redis channel layer: a separate layer instance (another process's view) receives the push."""
    from channels_redis.core import RedisChannelLayer

    listener = RedisChannelLayer(hosts=[redis_url])
    channel = await listener.new_channel()
    await listener.group_add(f"user.{user.pk}.alerts", channel)
    try:
        alert = await raise_alert(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="via redis")
        event = await asyncio.wait_for(listener.receive(channel), timeout=3)
        assert event["type"] == "alert.push" and event["message"]["alert"]["id"] == alert.pk
    finally:
        await listener.group_discard(f"user.{user.pk}.alerts", channel)
        await listener.flush()


async def test_raise_many_reaches_each_owner_live(user, other_user):
    mine = await connect_as(user)
    theirs = await connect_as(other_user)
    await sync_to_async(services.alert_raise_many)(
        users=[user, other_user], type=AlertType.BROKER_DOWN, level=AlertLevel.CRITICAL, message="Kite down"
    )
    a, b = await mine.receive_json(), await theirs.receive_json()
    assert a["alert"]["user_id"] == user.pk and b["alert"]["user_id"] == other_user.pk
    assert await mine.receive_nothing(timeout=0.2)
    await mine.disconnect()
    await theirs.disconnect()
