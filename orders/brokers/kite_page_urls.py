from django.urls import path

from . import kite_page_views as views

urlpatterns: list = [
    path("accounts/", views.kite_accounts_page, name="kite-accounts"),
    path("callback/", views.kite_login_callback, name="kite-callback"),
    path("<int:account_id>/login/", views.kite_login_start, name="kite-login"),
    path("<int:account_id>/instruments/refresh/", views.kite_instruments_refresh_page, name="kite-instruments-refresh"),
]
