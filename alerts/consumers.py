"""/ws/alerts/: the owner's alerts live, and a resync of what a client missed after a reconnect.

Protocol (server → client): `hello {last_id, server_time}` on connect; `alert {alert}` for a new
alert; `alert.updated {alert}` when one is read/answered/expired; `alerts.read_all {marked}`.
Client → server: `{"action": "replay", "since_id": N, "changed_since": "<ISO time>"}` asks for the
alerts with id > N (as `alert` frames with `"replay": true`) and, when `changed_since` is given, the
alerts with id <= N that changed after that time (as `alert.updated` frames with `"replay": true`),
then `replay.done {last_id, count, updated, server_time}`. A client keeps as its cursor the
`server_time` of the `hello` whose replay completed (or of the first `hello`) and the newest
`updated_at` it has seen; the server widens the window by REPLAY_SLACK so a change committed late
(its `updated_at` is set before its commit) is never missed. Re-sent updates are idempotent.
"""

from __future__ import annotations

import datetime
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oms_project.lib.realtime import user_group
from oms_project.lib.ws import AuthenticatedJsonConsumer

from .selectors import alert_as_dict, alert_last_id, alerts_changed_since, alerts_since
from .services import ALERTS_TOPIC, BROADCAST_GROUP

# Longest a write transaction of an alert is expected to stay open between setting `updated_at` and
# its commit (the push); changes this much older than the client's cursor are re-sent too.
REPLAY_SLACK = datetime.timedelta(seconds=5)


@database_sync_to_async
def _replay(
    user_id: int, since_id: int, changed_since: datetime.datetime | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    alerts = alerts_since(user_id=user_id, since_id=since_id)
    changed = (
        alerts_changed_since(user_id=user_id, changed_since=changed_since - REPLAY_SLACK, max_id=since_id)
        if changed_since is not None
        else []
    )
    last_id = alerts[-1].pk if alerts else max(since_id, 0)
    return [alert_as_dict(a) for a in changed], [alert_as_dict(a) for a in alerts], last_id


@database_sync_to_async
def _last_id(user_id: int) -> int:
    return alert_last_id(user_id=user_id)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message}}


class AlertConsumer(AuthenticatedJsonConsumer):
    async def on_authenticated(self) -> None:
        self.group = user_group(self.user.pk, ALERTS_TOPIC)
        # Join first: anything committed from here on is pushed live, so `server_time` below is a
        # safe resync cursor for this connection.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(BROADCAST_GROUP, self.channel_name)
        server_time = timezone.now().isoformat()
        await self.send_json({"type": "hello", "last_id": await _last_id(self.user.pk), "server_time": server_time})

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)
            await self.channel_layer.group_discard(BROADCAST_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json(_error("MALFORMED_REQUEST", "Send a JSON object."))
            return
        action = content.get("action")
        if action == "replay":
            try:
                since_id = int(content.get("since_id") or 0)
            except (TypeError, ValueError):
                await self.send_json(_error("VALIDATION_ERROR", "since_id must be an integer."))
                return
            changed_since = None
            raw_since = content.get("changed_since")
            if raw_since:
                try:
                    changed_since = parse_datetime(str(raw_since))
                except ValueError:
                    changed_since = None
                if changed_since is None or timezone.is_naive(changed_since):
                    await self.send_json(
                        _error("VALIDATION_ERROR", "changed_since must be an ISO 8601 time with a UTC offset.")
                    )
                    return
            server_time = timezone.now().isoformat()
            changed, alerts, last_id = await _replay(self.user.pk, since_id, changed_since)
            for alert in changed:
                await self.send_json({"type": "alert.updated", "alert": alert, "replay": True})
            for alert in alerts:
                await self.send_json({"type": "alert", "alert": alert, "replay": True})
            await self.send_json(
                {
                    "type": "replay.done",
                    "last_id": last_id,
                    "count": len(alerts),
                    "updated": len(changed),
                    "server_time": server_time,
                }
            )
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(_error("UNKNOWN_ACTION", f"Unknown action {action!r}."))

    async def alert_push(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def alert_broadcast(self, event: dict[str, Any]) -> None:
        """One alert raised for many users: forward this socket's user's own row, if it has one."""
        alert_id = event["ids"].get(str(self.user.pk))
        if alert_id is not None:
            await self.send_json(
                {"type": "alert", "alert": {**event["alert"], "id": alert_id, "user_id": self.user.pk}}
            )
