"""Base consumer: JSON frames, and only authenticated users may stay connected."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    groups_for_user: tuple[str, ...] = ()

    @property
    def user(self) -> Any:
        return self.scope.get("user")

    async def connect(self) -> None:
        user = self.user
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()
        await self.on_authenticated()

    async def on_authenticated(self) -> None:
        """Join groups and send any initial state."""
