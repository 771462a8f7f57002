from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.AccountListApi.as_view(), name="api-account-list"),
    path("accounts/<int:account_id>/", views.AccountDetailApi.as_view(), name="api-account-detail"),
    path("api-keys/", views.ApiKeyListCreateApi.as_view(), name="api-key-list"),
    path("api-keys/<str:key_id>/", views.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
]
