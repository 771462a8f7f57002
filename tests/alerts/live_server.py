"""A real uvicorn server on a thread of the test process (same test database, same channel layer).

The in-memory channel layer belongs to the server's event loop; registering that loop with
`oms_project.lib.realtime` lets the test thread's `alert_raise` push to it (as embedded mode does).
`restart()` drops every WebSocket connection, for reconnect tests.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from oms_project.lib.realtime import register_embedded_loop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from oms_project.asgi import application

        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning", ws_ping_interval=None
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        loop_ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            register_embedded_loop(loop)
            loop_ready.set()
            try:
                loop.run_until_complete(server.serve())
            finally:
                loop.close()

        self._server = server
        self._thread = threading.Thread(target=run, name=f"uvicorn-{self.port}", daemon=True)
        self._thread.start()
        loop_ready.wait(5)
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True
        assert self._thread is not None
        self._thread.join(10)
        register_embedded_loop(None)
        self._server = None

    def restart(self) -> None:
        self.stop()
        self.start()
