from django.urls import path

from . import views

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.csv", views.ledger_csv, name="ledger-csv"),
    path("settlements/", views.settlements, name="settlements"),
]
