"""/ws/alerts/: the owner's alerts live, and a replay of what a client missed after a reconnect."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from oms_project.lib.realtime import user_group
from oms_project.lib.ws import AuthenticatedJsonConsumer

from .selectors import alert_as_dict, alert_last_id, alerts_since
from .services import ALERTS_TOPIC


@database_sync_to_async
def _replay(user_id: int, since_id: int) -> tuple[list[dict[str, Any]], int]:
    alerts = alerts_since(user_id=user_id, since_id=since_id)
    last_id = alerts[-1].pk if alerts else max(since_id, 0)
    return [alert_as_dict(a) for a in alerts], last_id


@database_sync_to_async
def _last_id(user_id: int) -> int:
    return alert_last_id(user_id=user_id)


class AlertConsumer(AuthenticatedJsonConsumer):
    async def on_authenticated(self) -> None:
        self.group = user_group(self.user.pk, ALERTS_TOPIC)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "hello", "last_id": await _last_id(self.user.pk)})

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json(
                {"type": "error", "error": {"code": "MALFORMED_REQUEST", "message": "Send a JSON object."}}
            )
            return
        action = content.get("action")
        if action == "replay":
            try:
                since_id = int(content.get("since_id") or 0)
            except (TypeError, ValueError):
                await self.send_json(
                    {"type": "error", "error": {"code": "VALIDATION_ERROR", "message": "since_id must be an integer."}}
                )
                return
            alerts, last_id = await _replay(self.user.pk, since_id)
            for alert in alerts:
                await self.send_json({"type": "alert", "alert": alert, "replay": True})
            await self.send_json({"type": "replay.done", "last_id": last_id, "count": len(alerts)})
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {"type": "error", "error": {"code": "UNKNOWN_ACTION", "message": f"Unknown action {action!r}."}}
            )

    async def alert_push(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])
