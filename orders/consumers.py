"""`/ws/orders/`: relays the order core's pushes (orders, trades, positions) to their owner.

The core's write services push on commit to `user.<id>.orders` with a channel-layer message
`{"type": "order.push", "payload": {"type": "order"|"trade"|"position", ...}}` OR the
frame itself (`{"type": "order"|"trade"|"position", ...}`): both shapes are relayed as the frame
`{"type": ..., "<type>": {...}}` the browser/bot sees. Each socket only joins its own user's
group, so nobody ever receives another user's updates. Unauthenticated sockets are closed (4401).
"""

from __future__ import annotations

from typing import Any

from oms_project.lib.realtime import user_group
from oms_project.lib.ws import AuthenticatedJsonConsumer

ORDERS_TOPIC = "orders"


def orders_group(user_id: int) -> str:
    return user_group(user_id, ORDERS_TOPIC)


class OrdersConsumer(AuthenticatedJsonConsumer):
    def groups_for(self, user: Any) -> list[str]:
        return [orders_group(user.pk)]

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Clients only listen; answer pings so bots can check liveness.
        if isinstance(content, dict) and content.get("action") == "ping":
            await self.send_json({"type": "pong"})

    # Channels dispatches a group message of type "a.b" to the method a_b. The core pushes the
    # frame itself ({"type": "order", "order": {...}}), so each frame type has a relay handler.
    async def order(self, message: dict[str, Any]) -> None:
        await self._relay(message)

    async def trade(self, message: dict[str, Any]) -> None:
        await self._relay(message)

    async def position(self, message: dict[str, Any]) -> None:
        await self._relay(message)

    async def order_push(self, message: dict[str, Any]) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict):
            await self._relay(payload)

    async def _relay(self, message: dict[str, Any]) -> None:
        await self.send_json(message)
