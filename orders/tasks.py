"""Celery tasks of the order core (thin: each calls one service)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="orders.resolve_unknown_orders", ignore_result=True)
def resolve_unknown_orders() -> int:
    """Settle UNKNOWN orders by looking their tags up at the broker (also run by the paper matcher loop)."""
    from . import services

    return services.orders_resolve_unknown_due()


@shared_task(name="orders.resolve_unknown_order", ignore_result=True)
def resolve_unknown_order(order_id: int) -> None:
    from . import services

    services.order_resolve_unknown(order_id=order_id)


@shared_task(name="orders.trail_stops", ignore_result=True)
def trail_stops() -> int:
    from . import services

    return services.orders_trail_stops()
