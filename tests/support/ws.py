"""A WebSocket test communicator on asgiref's public ApplicationCommunicator.

channels.testing imports daphne, which cannot be installed next to kiteconnect
(django/channels#1942), so this is the small equivalent the tests use.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.testing import ApplicationCommunicator


class WsClient(ApplicationCommunicator):
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]] | None = None, user: Any = None):
        scope: dict[str, Any] = {
            "type": "websocket",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers or [],
            "subprotocols": [],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        if user is not None:
            scope["user"] = user
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            await self._finish(timeout)
            return False, response.get("code")
        return response["type"] == "websocket.accept", None

    async def _finish(self, timeout: float) -> None:
        """A refused socket: let the application end here, inside the test, rather than leave its task for
        the event loop's teardown to cancel (which has hung a CI run for 300 s)."""
        try:
            await self.wait(timeout)
        except Exception:  # noqa: BLE001 - the refusal is what the test asserts; the app's exit is not
            pass

    async def send_json(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json(self, timeout: float = 2) -> Any:
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            raise ConnectionError(f"closed with code {response.get('code')}")
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
