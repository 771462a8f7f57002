from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.AlertListApi.as_view(), name="api-alert-list"),
    path("alerts/mark-all-read/", views.AlertMarkAllReadApi.as_view(), name="api-alert-mark-all-read"),
    path("alerts/test/", views.AlertSendTestApi.as_view(), name="api-alert-send-test"),
    path("alerts/preferences/", views.AlertPreferenceApi.as_view(), name="api-alert-preferences"),
    path("alerts/<int:alert_id>/", views.AlertDetailApi.as_view(), name="api-alert-detail"),
    path("alerts/<int:alert_id>/respond/", views.AlertRespondApi.as_view(), name="api-alert-respond"),
    path("alerts/<int:alert_id>/mark-read/", views.AlertMarkReadApi.as_view(), name="api-alert-mark-read"),
    path("users/<int:user_id>/alerts/", views.UserAlertListApi.as_view(), name="api-user-alert-list"),
]
