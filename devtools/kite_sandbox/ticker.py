"""The sandbox's KiteTicker endpoint: a WebSocket server (the `websockets` package) in its own thread.

Wire facts follow /work/shared/research/kite-api.md §4.2 and §5:
- the client connects to `<root>?api_key=...&access_token=...`; a bad key/token is refused at the
  handshake with HTTP 403 (as Kite does for an expired session);
- client text frames (`{"a": "subscribe"|"unsubscribe"|"mode", "v": ...}`) are accepted and ignored
  (the sandbox streams no ticks);
- a 1-byte binary heartbeat goes out every `heartbeat_seconds` (the client ignores it);
- order updates are TEXT frames `{"type": "order", "data": <postback shape, blank checksum>}` sent to
  every open connection of the user whose order changed. No WebSocket pongs are sent unsolicited
  (kiteconnect drops a connection whose pongs stop arriving, §5.1).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

if TYPE_CHECKING:
    from .app import KiteSandboxApp

logger = logging.getLogger(__name__)

HEARTBEAT = b"\x00"  # Kite's heartbeat is a 1-byte binary frame (kite-api.md §5.3)


class KiteTickerServer:
    """`KiteTickerServer(app, port=0).start()`; `url` is the KITE_TICKER_ROOT for the product."""

    def __init__(
        self, app: KiteSandboxApp, host: str = "127.0.0.1", port: int = 0, *, heartbeat_seconds: float = 1.0
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.heartbeat_seconds = heartbeat_seconds
        self.loop: asyncio.AbstractEventLoop | None = None
        self._connections: dict[str, set[ServerConnection]] = {}  # api_key -> open connections
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None  # one sender keeps the order
        self._error: BaseException | None = None
        self.messages_seen: list[tuple[str, Any]] = []  # (api_key, client text message), for tests
        self.sent: list[tuple[str, dict[str, Any]]] = []  # (api_key, order update frame) actually sent

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def connection_count(self, api_key: str | None = None) -> int:
        if api_key is not None:
            return len(self._connections.get(api_key, ()))
        return sum(len(c) for c in self._connections.values())

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> KiteTickerServer:
        self._thread = threading.Thread(target=self._run, name="kite-sandbox-ticker", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("The sandbox ticker did not start in 10 s.")
        if self._error is not None:
            raise RuntimeError(f"The sandbox ticker could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # loop already closed
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._outbox = asyncio.Queue()
        async with serve(
            self._handler, self.host, self.port, process_request=self._process_request, ping_interval=None
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            tasks = [asyncio.create_task(self._heartbeat()), asyncio.create_task(self._sender())]
            await self._stop.wait()
            for task in tasks:
                task.cancel()
            server.close()

    # --- handshake and connections ---------------------------------------------------------------

    def _credentials(self, path: str) -> tuple[str, str]:
        query = parse_qs(urlsplit(path).query)
        return (query.get("api_key") or [""])[0], (query.get("access_token") or [""])[0]

    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        api_key, access_token = self._credentials(request.path)
        if not self.app.access_token_valid(api_key, access_token):
            return connection.respond(HTTPStatus.FORBIDDEN, "Incorrect `api_key` or `access_token`.\n")
        return None

    async def _handler(self, connection: ServerConnection) -> None:
        api_key, _ = self._credentials(connection.request.path if connection.request else "")
        self._connections.setdefault(api_key, set()).add(connection)
        try:
            async for message in connection:
                if isinstance(message, str):
                    try:
                        self.messages_seen.append((api_key, json.loads(message)))
                    except ValueError:
                        self.messages_seen.append((api_key, message))
                # subscribe/unsubscribe/mode: accepted; the sandbox streams no ticks.
        except ConnectionClosed:
            pass
        finally:
            self._connections.get(api_key, set()).discard(connection)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            for conns in list(self._connections.values()):
                for conn in list(conns):
                    try:
                        await conn.send(HEARTBEAT)
                    except ConnectionClosed:
                        pass

    # --- order updates ---------------------------------------------------------------------------

    def publish_order(self, api_key: str, data: dict[str, Any]) -> None:
        """Send `{"type": "order", "data": data}` to every connection of this user (any thread)."""
        loop, outbox = self.loop, self._outbox
        if loop is None or outbox is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(outbox.put_nowait, (api_key, data))
        except RuntimeError:  # stopped meanwhile
            pass

    async def _sender(self) -> None:
        assert self._outbox is not None
        while True:
            api_key, data = await self._outbox.get()
            frame = json.dumps({"type": "order", "data": data})
            for conn in list(self._connections.get(api_key, ())):
                try:
                    await conn.send(frame)
                    self.sent.append((api_key, data))
                except ConnectionClosed:
                    pass
