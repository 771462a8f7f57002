"""What the order core tells risk's pre-trade limits about an account's recent orders (risk sits below orders,
so it reads them through this context loader, registered in OrdersConfig.ready as "order_activity"):

    last_minute           orders the account created in the last 60 s (entries the trader placed: the core's own
                          exits, legs and slices are not counted)
    pending_by_instrument {token: open orders in the order's instrument} (slices counted once, by their parent)
    recent_values         ₹ value (price or fill average × quantity) of the account's last 50 entries, for the
                          fat-finger "far above the usual" check
Two indexed queries per placement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from .domain import TERMINAL, OrderRole
from .models import Order

RECENT = 50


def load_order_activity(ctx: Any) -> dict[str, Any]:
    since = ctx.now - timedelta(seconds=60)
    rows = list(
        Order.objects.filter(account_id=ctx.account.pk, parent__isnull=True, role=OrderRole.ENTRY)
        .exclude(status="REJECTED")
        .order_by("-created_at")
        .values_list("created_at", "price", "average_price", "quantity")[:RECENT]
    )
    values = []
    for _created, price, avg, qty in rows:
        ref = price or avg
        if ref:
            values.append(Decimal(ref) * qty)
    token = ctx.instrument.instrument_token
    pending = (
        Order.objects.filter(account_id=ctx.account.pk, instrument_token=token)
        .exclude(status__in=[*TERMINAL, "UNKNOWN"])
        .exclude(role=OrderRole.SLICE)
        .count()
    )
    return {
        "last_minute": sum(1 for created, *_ in rows if created >= since),
        "pending_by_instrument": {token: pending},
        "recent_values": values,
    }
