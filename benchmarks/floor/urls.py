"""The product's URLconf plus the floor endpoint (benchmark settings only)."""

from django.urls import path

from oms_project.urls import handler404, handler500  # noqa: F401
from oms_project.urls import urlpatterns as product_urlpatterns

from .views import FloorOrderApi

urlpatterns = [path("bench/floor/orders/", FloorOrderApi.as_view()), *product_urlpatterns]
