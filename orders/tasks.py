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


@shared_task(name="orders.release_amo_orders", ignore_result=True)
def release_amo_orders() -> int:
    """Send the paper after-market orders held for the open (beat every 15 s: settings.CELERY_BEAT_SCHEDULE)."""
    from .services.amo import orders_release_amo_due

    return orders_release_amo_due()


@shared_task(name="orders.end_of_day_settlement", ignore_result=True)
def end_of_day_settlement() -> dict:
    """Expiry settlement, daily futures M2M and physical-settlement notices (beat 15:35 IST, portfolio
    migration 0003; calendar-aware and idempotent: orders.services.settlement_day)."""
    from .services.settlement_day import end_of_day_settle

    return end_of_day_settle()


@shared_task(name="orders.algo_tick", ignore_result=True)
def algo_tick() -> int:
    """Advance the running TWAP / ICEBERG executions that are due (beat every 2 s: settings.CELERY_BEAT_SCHEDULE)."""
    from .services.algos import algos_tick

    return algos_tick()


@shared_task(name="orders.completion_tick", ignore_result=True)
def completion_tick() -> int:
    """Advance the completion policies of working orders (beat every 3 s: orders migration 0013; nothing while the
    exchange session is closed)."""
    from .services.completion import completions_tick

    return completions_tick()
