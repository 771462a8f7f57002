"""Base consumer: JSON frames, authenticated users only, per-user groups joined before accept."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from oms_project.lib.api.parsers import loads
from oms_project.lib.errors import DomainError


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    """Closes anonymous sockets (4401). Joins `groups_for(user)` BEFORE accepting, so once a
    client sees the accept no push to those groups can be missed; leaves them on disconnect."""

    def groups_for(self, user: Any) -> list[str]:
        return []

    @property
    def user(self) -> Any:
        return self.scope.get("user")

    async def connect(self) -> None:
        user = self.user
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.joined_groups = self.groups_for(user)
        for group in self.joined_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.on_authenticated()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined_groups", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def on_authenticated(self) -> None:
        """Send any initial state once connected."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Frames are read like API bodies (`lib/api/parsers.py`): a frame that is not JSON, nests too deeply
        or names a field twice is answered with an error frame, and the socket stays open."""
        text = text_data if text_data is not None else bytes_data
        if text is None:
            return
        try:
            content = loads(text)
        except DomainError as exc:
            await self.send_json({"type": "error", **exc.as_body()})
            return
        except ValueError:
            await self.send_json(
                {"type": "error", "error": {"code": "MALFORMED_REQUEST", "message": "Send JSON.", "details": {}}}
            )
            return
        await self.receive_json(content, **kwargs)
