"""Order aging (seed 001 "Order Aging & Timeout", every 15 minutes): a working order older than 1 hour is
notified once, older than 4 hours cancelled where the trader turned that on
(`HousekeepingPreferences.auto_cancel_aged_orders`), and any order older than a day that is finished is
archived (flagged in OrderFlags, out of the working views at once: services/archiving.py; the order and
its audit trail are kept). Idempotent: each step is marked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project.lib.errors import DomainError
from orders import services as order_services
from orders.domain import TERMINAL, WORKING
from orders.models import Order

from ..models import HousekeepingPreferences, OrderFlags
from .archiving import archive_orders

NOTIFY_AFTER = timedelta(hours=1)  # seed 001
CANCEL_AFTER = timedelta(hours=4)  # seed 001
ARCHIVE_AFTER = timedelta(days=1)  # seed 001
ACTOR = "system:housekeeping.aging"


def job_order_aging(run: Any) -> None:
    now = run.at
    auto_cancel = set(HousekeepingPreferences.objects.filter(auto_cancel_aged_orders=True).values_list("user_id", flat=True))
    working = Order.objects.filter(status__in=list(WORKING), created_at__lte=now - NOTIFY_AFTER).select_related("user")
    for order in working.order_by("id"):
        run.look("working_orders_over_1h")
        age = now - order.created_at
        if age >= CANCEL_AFTER and order.user_id in auto_cancel:
            try:
                order_services.order_cancel(user=order.user, order_id=order.pk, actor=ACTOR)
            except DomainError as exc:
                run.error(f"order #{order.pk}: {exc}")
                continue
            run.done("cancelled", order.pk)
            alert_raise(user=order.user, type=AlertType.ORDER_CANCELLED, level=AlertLevel.INFO,
                        title="Aged order cancelled",
                        message=f"Order #{order.pk} ({order.tradingsymbol}) worked for over 4 hours and was "
                        "cancelled (your setting: cancel aged orders).", payload={"order_id": order.pk})  # fmt: skip
            continue
        flags, _ = OrderFlags.objects.get_or_create(order=order)
        if flags.aging_notified_at is not None:
            continue
        OrderFlags.objects.filter(pk=flags.pk, aging_notified_at__isnull=True).update(aging_notified_at=now)
        hours = int(age.total_seconds() // 3600)
        alert_raise(user=order.user, type=AlertType.SYSTEM, level=AlertLevel.INFO, title="Order still open",
                    message=f"Order #{order.pk} ({order.transaction_type} {order.quantity} {order.tradingsymbol}) has "
                    f"been working for {hours} h.", payload={"order_id": order.pk})  # fmt: skip
        run.done("notified", order.pk)
    # Archive what finished more than a day ago (and is not archived yet).
    old = Order.objects.filter(status__in=list(TERMINAL), created_at__lte=now - ARCHIVE_AFTER).filter(
        Q(housekeeping__isnull=True) | Q(housekeeping__archived_at__isnull=True)
    )
    n = archive_orders(old.values_list("pk", flat=True), at=now, reason="aged over 1 day")
    run.look("finished_orders_over_1d", n)
    if n:
        run.did["archived"] = n
