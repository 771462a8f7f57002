from django.urls import include, path

from . import views

urlpatterns: list = [
    path("risk/kill-switch/", views.KillSwitchApi.as_view(), name="api-risk-kill-switch"),
    path("risk/limits/", views.RiskLimitsApi.as_view(), name="api-risk-limits"),
    path("risk/events/", views.RiskEventListApi.as_view(), name="api-risk-events"),
    path("risk/summary/", views.RiskSummaryApi.as_view(), name="api-risk-summary"),
    path("", include("risk.api.greeks_api")),  # the live monitor's reads: risk/greeks/, risk/sizing/
    path("", include("risk.api.dashboard_api")),  # guards per strategy, releasing REDUCING
]
