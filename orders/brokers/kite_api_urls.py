from django.urls import path

from .kite_api_views import KitePostbackReceiveApi

urlpatterns: list = [
    path("postback/", KitePostbackReceiveApi.as_view(), name="api-kite-postback"),
]
