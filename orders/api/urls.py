from django.urls import include, path

urlpatterns: list = [
    path("broker/kite/", include("orders.brokers.kite_api_urls")),
]
