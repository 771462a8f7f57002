"""All WebSocket routes, each app contributing its own under /ws/."""

from alerts.routing import websocket_urlpatterns as alerts_ws
from marketdata.routing import websocket_urlpatterns as market_ws
from orders.routing import websocket_urlpatterns as orders_ws

websocket_urlpatterns = [*market_ws, *alerts_ws, *orders_ws]
