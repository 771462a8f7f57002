"""A local server that speaks Kite Connect v3, backed by a trading venue (the paper engine).

    app = KiteSandboxApp([SandboxUser(user_id="SB0001", api_key="k", api_secret="s", venue=...)])
    with KiteSandboxServer(app) as server:
        KiteConnect("k", access_token=app.issue_access_token("k"), root=server.url).orders()

Run by hand: `python manage.py run_kite_sandbox --port 9000` and start the product with
KITE_API_ROOT=http://127.0.0.1:9000 KITE_LOGIN_URL=http://127.0.0.1:9000/connect/login.
"""

from .app import Fault, KiteSandboxApp, SandboxUser
from .server import KiteSandboxServer
from .ticker import KiteTickerServer
from .venue import MemoryVenue

__all__ = ["Fault", "KiteSandboxApp", "KiteSandboxServer", "KiteTickerServer", "MemoryVenue", "SandboxUser"]
