"""Serve the sandbox app over HTTP from a thread (tests) or the foreground (the command)."""

from __future__ import annotations

import socket
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.handlers import SimpleHandler
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from .app import DropConnection, KiteSandboxApp
from .ticker import KiteTickerServer


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            # Fault injection: the order is recorded, the answer never comes (connection reset).
            try:
                self.request_handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close()
            return
        super().handle_error()

    def close(self) -> None:
        # ServerHandler.close only writes the access log line (silenced below) and fails with
        # AttributeError on `self.status.split` when no answer was started (a dropped connection).
        SimpleHandler.close(self)


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def handle(self) -> None:
        # Same as WSGIRequestHandler.handle, with our ServerHandler.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class KiteSandboxServer:
    """`with KiteSandboxServer(app) as server: server.url` -> http://127.0.0.1:<free port>.

    With `ticker_port` (0 = a free port) it also runs the KiteTicker WebSocket endpoint
    (`server.ticker_url`, the product's KITE_TICKER_ROOT) for order updates."""

    def __init__(
        self, app: KiteSandboxApp, host: str = "127.0.0.1", port: int = 0, *, ticker_port: int | None = None
    ) -> None:
        self.app = app
        self.httpd = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_RequestHandler)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None
        self.ticker: KiteTickerServer | None = None
        if ticker_port is not None:
            self.ticker = KiteTickerServer(app, host=host, port=ticker_port).start()
            app.ticker = self.ticker

    @property
    def ticker_url(self) -> str:
        if self.ticker is None:
            raise RuntimeError("This sandbox runs no ticker endpoint (pass ticker_port).")
        return self.ticker.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> KiteSandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kite-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.app.postbacks.stop()
        if self.ticker is not None:
            self.app.ticker = None
            self.ticker.stop()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> KiteSandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
