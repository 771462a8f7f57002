from django.urls import path

from .consumers import OrdersConsumer

websocket_urlpatterns: list = [
    path("ws/orders/", OrdersConsumer.as_asgi()),
]
