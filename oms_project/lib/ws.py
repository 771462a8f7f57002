"""Base consumer: JSON frames, authenticated users only, per-user groups joined before accept."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


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
