from django.urls import path

from . import views, views_dashboard, views_greeks

urlpatterns = [
    path("risk/", views.kill_switch_page, name="risk-kill-switch"),
    path("risk/kill-switch/", views.kill_switch_action, name="risk-kill-switch-action"),
    path("risk/limits/", views.limits_page, name="risk-limits"),
    path("risk/greeks/", views_greeks.greeks_page, name="risk-greeks"),
    path("risk/strategies/", views_dashboard.strategies_page, name="risk-strategies"),
    path("risk/strategies/<int:strategy_id>/", views_dashboard.strategy_page, name="risk-strategy"),
    path("risk/strategies/<int:strategy_id>/guards/", views_dashboard.strategy_guards, name="risk-strategy-guards"),
    path("risk/status/release/", views_dashboard.status_release, name="risk-status-release"),
]
