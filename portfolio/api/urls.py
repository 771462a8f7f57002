from django.urls import path

from . import views

urlpatterns = [
    path("accounts/<int:account_id>/funds/", views.FundsApi.as_view(), name="api-account-funds"),
    path("accounts/<int:account_id>/funds/pay-in/", views.FundsPayInApi.as_view(), name="api-account-funds-pay-in"),
    path("accounts/<int:account_id>/funds/pay-out/", views.FundsPayOutApi.as_view(), name="api-account-funds-pay-out"),
    path("accounts/<int:account_id>/ledger/", views.LedgerListApi.as_view(), name="api-account-ledger"),
]
