from django.urls import include, path

from . import algo_views, completion_views, execution_views, ticket_views, views

urlpatterns: list = [
    path("broker/kite/", include("orders.brokers.kite_page_urls")),
    path("orders/", views.order_book, name="order-book"),
    path("orders/new/", views.order_ticket, name="order-ticket"),
    path("orders/new/instruments/", views.order_instrument_search, name="order-instrument-search"),
    path("orders/new/instrument/", views.order_ticket_instrument, name="order-ticket-instrument"),
    path("orders/new/preview/", views.order_ticket_preview, name="order-ticket-preview"),
    path("orders/new/costs/", ticket_views.order_ticket_costs, name="order-ticket-costs"),
    path(
        "orders/preferences/market-confirm/",
        ticket_views.order_market_confirm_preference,
        name="order-market-confirm-preference",
    ),
    path("orders/<int:order_id>/", views.order_detail, name="order-detail"),
    path("orders/<int:order_id>/row/", views.order_book_row, name="order-book-row"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<int:order_id>/modify/", views.order_modify, name="order-modify"),
    path("orders/<int:order_id>/completion/", views.order_completion_save, name="order-completion"),
    path("orders/<int:order_id>/approve/", views.order_approve, name="order-approve"),
    path("orders/<int:order_id>/reject/", views.order_reject, name="order-reject"),
    path("analytics/slippage/", execution_views.slippage_page, name="slippage"),
    path("algos/", algo_views.algo_panel, name="algo-panel"),
    path(
        "strategies/<int:strategy_id>/completion-policy/",
        completion_views.completion_policy_save,
        name="strategy-completion-policy",
    ),
    path("algos/<int:execution_id>/<str:action>/", algo_views.algo_action, name="algo-action"),
    path("positions/", views.positions, name="positions"),
    path("positions/<int:position_id>/row/", views.position_row, name="position-row"),
    path("positions/<int:position_id>/exit/", views.position_exit, name="position-exit"),
]
