from django.urls import path

from . import views

urlpatterns = [
    path("instruments/", views.InstrumentListApi.as_view(), name="api-instrument-list"),
    path("instruments/<int:instrument_token>/", views.InstrumentDetailApi.as_view(), name="api-instrument-detail"),
    path("market/quote/", views.MarketQuoteApi.as_view(), name="api-market-quote"),
    path("market/depth/<int:instrument_token>/", views.MarketDepthApi.as_view(), name="api-market-depth"),
]
