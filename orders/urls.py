from django.urls import include, path

urlpatterns: list = [
    path("broker/kite/", include("orders.brokers.kite_page_urls")),
]
