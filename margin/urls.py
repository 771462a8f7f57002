from django.urls import path

from . import views

urlpatterns = [
    path("margin/", views.margin_dashboard, name="margin-dashboard"),
    path("margin/status/", views.margin_status, name="margin-status"),
    path("margin/policy/", views.margin_policy, name="margin-policy"),
    path("margin/add-funds/", views.margin_add_funds, name="margin-add-funds"),
]
