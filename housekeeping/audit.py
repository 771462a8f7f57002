"""The order audit trail under the seeds' event names (seed 001 "Audit Trail": ORDER_CREATED, ORDER_PLACED,
ORDER_MODIFIED, ORDER_CANCELLED, ORDER_FILLED, ORDER_REJECTED, ORDER_EXPIRED), read from the order core's
append-only `OrderEvent` rows (one per action or transition, written in the same transaction as the change).

Retention: 7 years (seed 001, compliance). Nothing in the product deletes an audit row: the ORM refuses
update and delete (orders.models.AppendOnlyQuerySet and OrderEvent.delete), the admin is read-only, and on
PostgreSQL a trigger refuses UPDATE and DELETE on the table itself (housekeeping migration 0002). No job
prunes them; archiving an order (OrderFlags.archived_at) keeps its rows.

CSV export: one account, one IST date range (`audit_csv`), owner-scoped (another trader's account is 404).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from orders.models import OrderEvent

IST = ZoneInfo("Asia/Kolkata")
RETENTION_YEARS = 7
SEED_EVENTS = ("ORDER_CREATED", "ORDER_PLACED", "ORDER_MODIFIED", "ORDER_CANCELLED", "ORDER_FILLED",
               "ORDER_REJECTED", "ORDER_EXPIRED")  # fmt: skip

# The order core's event kinds -> the seeds' names (kinds not listed have no seed name: requests, slices...).
_BY_KIND = {
    "CREATED": "ORDER_CREATED",
    "PLACED": "ORDER_PLACED",
    "MODIFIED": "ORDER_MODIFIED",
    "CANCELLED": "ORDER_CANCELLED",
    "PARTIALLY_FILLED": "ORDER_FILLED",
    "FILLED": "ORDER_FILLED",
    "REJECTED": "ORDER_REJECTED",
    "SUBMIT_FAILED": "ORDER_REJECTED",
    "EXPIRED": "ORDER_EXPIRED",
}
# A STATUS (or RESOLVED) transition is named by the status it reached.
_BY_STATUS = {
    "OPEN": "ORDER_PLACED",
    "TRIGGER PENDING": "ORDER_PLACED",
    "SUBMITTED": "ORDER_PLACED",
    "PARTIALLY_FILLED": "ORDER_FILLED",
    "COMPLETE": "ORDER_FILLED",
    "CANCELLED": "ORDER_CANCELLED",
    "REJECTED": "ORDER_REJECTED",
    "EXPIRED": "ORDER_EXPIRED",
}


def seed_event(kind: str, to_status: str = "", from_status: str = "") -> str:
    """The seed's name for one audit row ('' when it has none)."""
    if kind in ("STATUS", "RESOLVED"):
        if to_status == from_status:
            return ""
        return _BY_STATUS.get(to_status, "")
    return _BY_KIND.get(kind, "")


def audit_events(*, account: Any, date_from: date, date_to: date) -> QuerySet[OrderEvent]:
    start = datetime.combine(date_from, time(0), tzinfo=IST)
    end = datetime.combine(date_to, time(0), tzinfo=IST) + timedelta(days=1)
    return (
        OrderEvent.objects.filter(order__account_id=account.pk, created_at__gte=start, created_at__lt=end)
        .select_related("order")
        .order_by("created_at", "id")
    )


CSV_COLUMNS = ["event_id", "time_ist", "event", "kind", "order_id", "broker_order_id", "tradingsymbol",
               "transaction_type", "quantity", "from_status", "to_status", "actor", "reason"]  # fmt: skip


def audit_csv(*, account: Any, date_from: date, date_to: date) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for e in audit_events(account=account, date_from=date_from, date_to=date_to).iterator(chunk_size=2000):
        o = e.order
        w.writerow([e.pk, timezone.localtime(e.created_at, IST).isoformat(timespec="seconds"),
                    seed_event(e.kind, e.to_status, e.from_status), e.kind, o.pk, o.broker_order_id or "",
                    o.tradingsymbol, o.transaction_type, o.quantity, e.from_status, e.to_status, e.actor,
                    e.reason])  # fmt: skip
    return buf.getvalue()
