"""ASGI entry point: HTTP through Django, WebSockets under /ws/ through Channels, lifespan (lifecycle.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")
# Django must be set up before the consumers and routing are imported.
django_asgi_app = get_asgi_application()

# Build the market simulator (its exchange calendar imports pandas: about a second of CPU) before the first
# request, so a trader's first order after a restart does not wait for it.
from marketdata.pricing import simulator  # noqa: E402

simulator()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.ws import ApiKeyOrSessionAuthMiddleware  # noqa: E402
from oms_project.http_gate import ConcurrencyGate  # noqa: E402
from oms_project.lifecycle import LifespanApp  # noqa: E402
from oms_project.routing import websocket_urlpatterns  # noqa: E402

# LifespanApp: start-up repair pass, workers that die with their parent, bounded shutdown (lifecycle.py).
# ConcurrencyGate: at most HTTP_CONCURRENCY requests inside Django at once (http_gate.py).
application = LifespanApp(
    ProtocolTypeRouter(
        {
            "http": ConcurrencyGate(django_asgi_app, settings.HTTP_CONCURRENCY),
            "websocket": ApiKeyOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns)),
        }
    )
)
