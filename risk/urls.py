from django.urls import path

from . import views, views_greeks

urlpatterns = [
    path("risk/", views.kill_switch_page, name="risk-kill-switch"),
    path("risk/kill-switch/", views.kill_switch_action, name="risk-kill-switch-action"),
    path("risk/limits/", views.limits_page, name="risk-limits"),
    path("risk/greeks/", views_greeks.greeks_page, name="risk-greeks"),
]
