"""What the order core tells risk's pre-trade limits about an account's recent orders (risk sits below orders,
so it reads them through this context loader, registered in OrdersConfig.ready as "order_activity"):

    last_minute           orders the account created in the last 60 s (entries the trader placed: the core's own
                          exits, legs and slices are not counted)
    pending_by_instrument {token: open orders in the order's instrument} (slices counted once, by their parent)
    recent_values         ₹ value (price or fill average × quantity) of the account's last 50 entries, for the
                          fat-finger "far above the usual" check
One indexed query per placement (two for an account's first entry)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, Subquery

from .domain import TERMINAL, OrderRole
from .models import Order

RECENT = 50


def load_order_activity(ctx: Any) -> dict[str, Any]:
    since = ctx.now - timedelta(seconds=60)
    token = ctx.instrument.instrument_token
    working_here = (
        Order.objects.filter(account_id=ctx.account.pk, instrument_token=token)
        .exclude(status__in=[*TERMINAL, "UNKNOWN"])
        .exclude(role=OrderRole.SLICE)
    )
    # The instrument's working orders ride along with the recent entries as one scalar subquery (one statement);
    # an account with no entry yet counts them on their own.
    pending_count = Subquery(
        working_here.order_by().values("account_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    rows = list(
        Order.objects.filter(account_id=ctx.account.pk, parent__isnull=True, role=OrderRole.ENTRY)
        .exclude(status="REJECTED")
        .order_by("-created_at")
        .annotate(pending_here=pending_count)
        .values_list("created_at", "price", "average_price", "quantity", "pending_here")[:RECENT]
    )
    values = []
    for _created, price, avg, qty, _pending in rows:
        ref = price or avg
        if ref:
            values.append(Decimal(ref) * qty)
    pending = (rows[0][4] or 0) if rows else working_here.count()
    return {
        "last_minute": sum(1 for created, *_ in rows if created >= since),
        "pending_by_instrument": {token: pending},
        "recent_values": values,
    }
