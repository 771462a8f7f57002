"""Archiving (docs/housekeeping.md, "Archiving"): finished orders and settled positions leave the working views
and stay queryable; nothing is deleted or moved.

- An order is archived by `archive_orders` with the instant it leaves the working views (`OrderFlags.archived_at`):
  the order aging job archives what finished more than a day ago at once; the end of day archives the day's
  finished orders from the next IST midnight, so a trader still sees today's book until the day is over.
  Only finished orders (TERMINAL) are archived.
- A position is archived (`PositionArchive`) when the expired-instruments job finds it settled (flat on an
  expired contract); an archived row that is not flat is never hidden.
- The order core's lists ask `oms_project.lib.archive.hide_archived`, which runs the filters below
  (registered in `HousekeepingConfig.ready`); `include_archived=true` on the API lists, "Show archived" on the
  order book and positions pages, and `/housekeeping/archive/` show them. An archived order keeps its detail
  page, its API detail and its audit trail (`OrderEvent` is append-only, 7-year retention)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orders.domain import TERMINAL
from orders.models import Order
from portfolio.models import Position

from ..models import OrderFlags, PositionArchive

IST = ZoneInfo("Asia/Kolkata")


def next_ist_midnight(at: datetime) -> datetime:
    day = timezone.localtime(at, IST).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=IST)


def archive_orders(order_ids: Any, *, at: datetime, reason: str) -> int:
    """Flag finished orders as archived from `at` (now, or a later instant); an order already archived keeps
    its first date. Returns how many were newly flagged."""
    ids = list(Order.objects.filter(pk__in=list(order_ids), status__in=list(TERMINAL)).values_list("pk", flat=True))
    have = set(OrderFlags.objects.filter(order_id__in=ids).values_list("order_id", flat=True))
    OrderFlags.objects.bulk_create([OrderFlags(order_id=i) for i in ids if i not in have])
    return OrderFlags.objects.filter(order_id__in=ids, archived_at__isnull=True).update(
        archived_at=at, archive_reason=reason
    )


def _archived_orders(now: datetime) -> QuerySet[OrderFlags]:
    return OrderFlags.objects.filter(order=OuterRef("pk"), archived_at__lte=now)


def hide_archived_orders(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.exclude(Exists(_archived_orders(timezone.now())))


def hide_archived_positions(qs: QuerySet[Position]) -> QuerySet[Position]:
    archived = PositionArchive.objects.filter(position=OuterRef("pk"), archived_at__lte=timezone.now())
    return qs.exclude(Q(quantity=0) & Exists(archived))


def archived_orders_for(*, user: Any, account_id: int | None = None, limit: int = 500) -> list[Order]:
    """The owner's archived orders, newest first, each with `archived_at` / `archive_reason` set."""
    now = timezone.now()
    flags = OrderFlags.objects.filter(order__user=user, archived_at__lte=now).select_related("order")
    if account_id is not None:
        flags = flags.filter(order__account_id=account_id)
    out = []
    for f in flags.order_by("-order__created_at", "-order_id")[:limit]:
        f.order.archived_at, f.order.archive_reason = f.archived_at, f.archive_reason
        out.append(f.order)
    return out


def archived_positions_for(*, user: Any, account_id: int | None = None, limit: int = 500) -> list[Position]:
    rows = PositionArchive.objects.filter(position__user=user, archived_at__lte=timezone.now()).select_related(
        "position__strategy"
    )
    if account_id is not None:
        rows = rows.filter(position__account_id=account_id)
    out = []
    for a in rows.order_by("-archived_at", "-id")[:limit]:
        a.position.archived_at, a.position.archive_reason = a.archived_at, a.reason
        out.append(a.position)
    return out
