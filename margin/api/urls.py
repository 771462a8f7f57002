from django.urls import path

from . import views

urlpatterns = [
    path("margins/orders/", views.MarginOrdersApi.as_view(), name="api-margins-orders"),
    path("margins/basket/", views.MarginBasketApi.as_view(), name="api-margins-basket"),
    path("orders/calculate-costs/", views.OrderCostsApi.as_view(), name="api-orders-calculate-costs"),
    path("strategies/<int:strategy_id>/calculate-costs/", views.StrategyCostsApi.as_view(), name="api-strategy-costs"),
    path(
        "strategies/<int:strategy_id>/calculate-margin/", views.StrategyMarginApi.as_view(), name="api-strategy-margin"
    ),
    path("strategies/<int:strategy_id>/charges/", views.StrategyChargesApi.as_view(), name="api-strategy-charges"),
    path(
        "accounts/<int:account_id>/available-margin/", views.AvailableMarginApi.as_view(), name="api-available-margin"
    ),
]
