from django.urls import path

from . import views

urlpatterns = [
    path("risk/", views.kill_switch_page, name="risk-kill-switch"),
    path("risk/kill-switch/", views.kill_switch_action, name="risk-kill-switch-action"),
    path("risk/limits/", views.limits_page, name="risk-limits"),
]
