"""Run a local Kite Connect v3 server so the product can be used against "Kite" by hand.

    python manage.py run_kite_sandbox --port 9000 \
        --postback-url http://127.0.0.1:8000/api/v1/broker/kite/postback/ --ticker-port 9001
    KITE_API_ROOT=http://127.0.0.1:9000 KITE_LOGIN_URL=http://127.0.0.1:9000/connect/login \
        KITE_TICKER_ROOT=ws://127.0.0.1:9001 python manage.py serve

Then add a Kite account on /broker/kite/accounts/ with the sandbox's user id, API key and secret
(printed at start-up), and press "Log in to Kite".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, SandboxUser
from devtools.kite_sandbox.wiring import default_instruments, default_quotes, venue_for


class Command(BaseCommand):
    help = "Serve a local Kite Connect v3 API (backed by the paper venue) for trying the Kite flow."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--user-id", default="SB0001")
        parser.add_argument("--api-key", default="sandbox_api_key")
        parser.add_argument("--api-secret", default="sandbox_api_secret")
        parser.add_argument("--redirect-url", default="http://127.0.0.1:8000/broker/kite/callback/")
        parser.add_argument("--postback-url", default="", help="where to POST order postbacks (off when empty)")
        parser.add_argument(
            "--ticker-port", type=int, default=None, help="also serve the KiteTicker WebSocket (order updates) here"
        )
        parser.add_argument("--memory", action="store_true", help="use the in-memory venue instead of the paper engine")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = SandboxUser(
            user_id=opts["user_id"],
            api_key=opts["api_key"],
            api_secret=opts["api_secret"],
            venue=venue_for(opts["user_id"], memory=opts["memory"]),
            redirect_url=opts["redirect_url"],
            postback_url=opts["postback_url"],
        )
        app = KiteSandboxApp([user], instruments=default_instruments, quotes=default_quotes)
        server = KiteSandboxServer(app, host=opts["host"], port=opts["port"], ticker_port=opts["ticker_port"])
        self.stdout.write(
            f"Kite sandbox on {server.url}  (venue: {type(user.venue).__name__})\n"
            f"  user id {user.user_id}  api_key {user.api_key}  api_secret {user.api_secret}\n"
            f"  KITE_API_ROOT={server.url} KITE_LOGIN_URL={server.url}/connect/login\n"
            f"  postbacks -> {user.postback_url or '(off)'}\n"
            f"  ticker: {'KITE_TICKER_ROOT=' + server.ticker_url if server.ticker else '(off; pass --ticker-port)'}"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
