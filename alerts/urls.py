from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.alert_center, name="alert-center"),
    path("alerts/preferences/", views.alert_preferences_page, name="alert-preferences"),
    path("alerts/test/", views.alert_send_test_page, name="alert-send-test"),
    path("alerts/mark-all-read/", views.alert_mark_all_read_page, name="alert-mark-all-read"),
    path("alerts/<int:alert_id>/row/", views.alert_row, name="alert-row"),
    path("alerts/<int:alert_id>/respond/", views.alert_respond_page, name="alert-respond"),
    path("alerts/<int:alert_id>/read/", views.alert_mark_read_page, name="alert-mark-read"),
]
