from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.utils.dateparse import parse_datetime

from accounts.services import api_key_create
from alerts import selectors, services
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


@pytest.mark.clock_free
async def test_unauthenticated_is_closed():
    ws = WsClient(application, "/ws/alerts/")
    ok, code = await ws.connect()
    assert not ok and code == 4401


@pytest.mark.clock_free
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
    done = got[3]
    assert (done["type"], done["last_id"], done["count"], done["updated"]) == ("replay.done", missed[-1].pk, 3, 0)
    await ws.send_json({"action": "replay", "since_id": "x"})
    assert (await ws.receive_json())["error"]["code"] == "VALIDATION_ERROR"
    await ws.disconnect()


async def test_hello_reports_last_id(user):
    alert = await raise_alert(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x")
    _, raw = await sync_to_async(api_key_create)(user=user, name="ws")
    ws = WsClient(application, "/ws/alerts/", headers=key_header(raw))
    assert (await ws.connect())[0]
    hello = await ws.receive_json()
    assert (hello["type"], hello["last_id"]) == ("hello", alert.pk)
    assert parse_datetime(hello["server_time"]) is not None
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


@pytest.mark.parametrize("broadcast", [False, True], ids=["per-user", "broadcast"])
async def test_raise_many_reaches_each_owner_live(user, other_user, make_user, monkeypatch, broadcast):
    from alerts.models import Alert

    monkeypatch.setattr(services, "BROADCAST_MIN_RECIPIENTS", 2 if broadcast else 100)
    bystander = await sync_to_async(make_user)("bystander")  # connected, not a recipient
    muted = await sync_to_async(make_user)("muted")  # a recipient who muted the type
    await sync_to_async(services.preference_update)(user=muted, muted_types=["BROKER_DOWN"])
    sockets = [await connect_as(u) for u in (user, other_user, bystander, muted)]
    mine, theirs, by, mu = sockets
    await sync_to_async(services.alert_raise_many)(
        users=[user, other_user, muted], type=AlertType.BROKER_DOWN, level=AlertLevel.CRITICAL, message="Kite down"
    )
    a, b = await mine.receive_json(), await theirs.receive_json()
    assert a["type"] == b["type"] == "alert"
    assert a["alert"]["user_id"] == user.pk and b["alert"]["user_id"] == other_user.pk
    assert a["alert"]["id"] != b["alert"]["id"]
    stored = await sync_to_async(lambda: selectors.alert_as_dict(Alert.objects.get(pk=a["alert"]["id"])))()
    assert a["alert"] == stored and stored["user_id"] == user.pk
    for ws in (mine, by, mu):
        assert await ws.receive_nothing(timeout=0.2)
    for ws in sockets:
        await ws.disconnect()


async def test_replay_resyncs_changes_made_while_disconnected(user, other_user, monkeypatch):
    """Alerts read/answered while a client was away come back as alert.updated (current state),
    alerts changed before its cursor (minus the slack) don't, other users' never do."""
    import datetime

    from django.utils import timezone

    from alerts import consumers

    old = await raise_alert(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="old, untouched")
    answered = await raise_alert(
        user=user, type=AlertType.APPROVAL_REQUIRED, level=AlertLevel.WARNING, message="ok?", actions=["Approve"]
    )
    read = await raise_alert(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="filled")
    theirs = await raise_alert(user=other_user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="theirs")
    monkeypatch.setattr(consumers, "REPLAY_SLACK", datetime.timedelta(0))
    ws = await connect_as(user)
    await ws.disconnect()  # the client goes away, knowing everything up to `read`
    cursor = timezone.now()
    # While it is away: one alert answered, one read, a new one raised, and the other user's read.
    await sync_to_async(services.alert_respond)(user=user, alert_id=answered.pk, action="Approve", actor="bot:x")
    await sync_to_async(services.alert_mark_read)(user=user, alert_id=read.pk)
    await sync_to_async(services.alert_mark_read)(user=other_user, alert_id=theirs.pk)
    new = await raise_alert(user=user, type=AlertType.ORDER_REJECTED, level=AlertLevel.WARNING, message="new")

    ws = await connect_as(user)
    await ws.send_json({"action": "replay", "since_id": read.pk, "changed_since": cursor.isoformat()})
    got = [await ws.receive_json() for _ in range(4)]
    assert [(m["type"], m["alert"]["id"]) for m in got[:3]] == [
        ("alert.updated", answered.pk),
        ("alert.updated", read.pk),
        ("alert", new.pk),
    ]
    assert all(m["replay"] for m in got[:3])
    assert got[0]["alert"]["status"] == "RESPONDED" and got[0]["alert"]["response"] == "Approve"
    assert got[1]["alert"]["is_read"] is True
    assert (got[3]["type"], got[3]["last_id"], got[3]["count"], got[3]["updated"]) == ("replay.done", new.pk, 1, 2)
    assert parse_datetime(got[3]["server_time"]) >= cursor
    assert old.pk not in {m["alert"]["id"] for m in got[:3]}

    # Without changed_since: only new alerts (the old protocol). A bad time is a clear error.
    await ws.send_json({"action": "replay", "since_id": read.pk})
    assert [(await ws.receive_json())["type"] for _ in range(2)] == ["alert", "replay.done"]
    await ws.send_json({"action": "replay", "since_id": 0, "changed_since": "yesterday"})
    assert (await ws.receive_json())["error"]["code"] == "VALIDATION_ERROR"
    await ws.send_json({"action": "replay", "since_id": 0, "changed_since": "2026-01-01T10:00:00"})
    assert (await ws.receive_json())["error"]["code"] == "VALIDATION_ERROR"  # naive: no offset
    assert await ws.receive_nothing(timeout=0.2)
    await ws.disconnect()


async def test_replay_slack_resends_recent_changes(user):
    """A change stamped just before the cursor (its transaction committed late) is still re-sent."""
    from django.utils import timezone

    alert = await raise_alert(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x")
    await sync_to_async(services.alert_mark_read)(user=user, alert_id=alert.pk)
    ws = await connect_as(user)
    await ws.send_json({"action": "replay", "since_id": alert.pk, "changed_since": timezone.now().isoformat()})
    msg = await ws.receive_json()
    assert (msg["type"], msg["alert"]["id"], msg["alert"]["is_read"]) == ("alert.updated", alert.pk, True)
    assert (await ws.receive_json())["type"] == "replay.done"
    await ws.disconnect()


@pytest.mark.django_db
def test_every_change_moves_updated_at(user):
    import datetime

    from django.utils import timezone

    from alerts.models import Alert

    def stamp(alert_id: int) -> datetime.datetime:
        return Alert.objects.get(pk=alert_id).updated_at

    a = services.alert_raise(
        user=user,
        type=AlertType.SYSTEM,
        level=AlertLevel.INFO,
        message="a",
        actions=["Ok"],
        expires_in=datetime.timedelta(minutes=5),
    )
    b = services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="b")
    c = services.alert_raise(
        user=user,
        type=AlertType.SYSTEM,
        level=AlertLevel.INFO,
        message="c",
        actions=["Ok"],
        expires_in=datetime.timedelta(seconds=1),
    )
    before = {x.pk: stamp(x.pk) for x in (a, b, c)}
    services.alert_respond(user=user, alert_id=a.pk, action="Ok", actor="user:x")
    assert stamp(a.pk) > before[a.pk]
    services.alert_mark_all_read(user=user)
    assert stamp(b.pk) > before[b.pk]
    after_read = stamp(c.pk)
    assert after_read > before[c.pk]
    services.alerts_expire_due(now=timezone.now() + datetime.timedelta(seconds=5))
    assert Alert.objects.get(pk=c.pk).status == "EXPIRED" and stamp(c.pk) > after_read
    d = services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="d")
    services.alert_mark_read(user=user, alert_id=d.pk)
    assert stamp(d.pk) > d.updated_at
