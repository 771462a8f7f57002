from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/switch/", views.account_switch, name="account-switch"),
    path("settings/api-keys/", views.api_keys_page, name="api-keys"),
    path("settings/api-keys/<str:key_id>/revoke/", views.api_key_revoke, name="api-key-revoke-page"),
]
