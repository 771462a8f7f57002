from django.urls import path

from . import views

urlpatterns = [
    path("market/", views.market_watch, name="market-watch"),
    path("market/search/", views.instrument_search_partial, name="market-search"),
    path("market/watch/add/", views.watchlist_add, name="market-watch-add"),
    path("market/watch/<int:item_id>/remove/", views.watchlist_remove, name="market-watch-remove"),
]
