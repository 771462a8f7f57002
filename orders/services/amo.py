"""After-market orders on paper accounts: held by the order core from placement until the exchange opens.

The pre-trade pipeline accepts an AMO only inside its window (15:45-09:10, any time on a non-trading day;
`orders.validation.check_amo_window`, docs/exchange-rules.md). A Kite account's AMO goes to Kite at once and
Kite holds it; a paper venue works every order it is given, so a paper AMO stays PENDING_SUBMIT (unclaimed)
until `orders_release_amo_due` sends it at the 09:15 open of its exchange's next trading day. The release
runs from Celery beat (`orders.release_amo_orders`, every 15 s, `settings.CELERY_BEAT_SCHEDULE`) and is
idempotent: each order is claimed once by `order_submit`'s conditional UPDATE.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from marketdata import calendar as md_calendar

from .. import errors, rate_limit, trading_rules
from ..domain import OrderRole
from ..models import Order
from . import submission
from ._common import S, logger

RELEASE_ACTOR = "system:amo"


def held_amo_orders(account_ids: list[int] | None = None):  # noqa: ANN201 - a queryset
    qs = Order.objects.filter(variety="amo", status=S.PENDING_SUBMIT, submitted_at__isnull=True).exclude(
        role=OrderRole.SLICE
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return qs.select_related("account", "user").order_by("created_at", "pk")


def amo_release_due(exchange: str, at: datetime) -> bool:
    """The exchange's normal market is open and it is at or after the AMO release time (09:15 IST)."""
    local = timezone.localtime(at, md_calendar.IST)
    return (
        local.time() >= trading_rules.AMO_RELEASE_AT
        and md_calendar.session_state(exchange, at) == md_calendar.SessionState.OPEN
    )


def orders_release_amo_due(at: datetime | None = None) -> int:
    """Send every held paper AMO whose exchange has opened. Returns how many were sent."""
    at = at or timezone.now()
    sent = 0
    for order in held_amo_orders():
        if not order.account.is_paper or not amo_release_due(order.exchange, at):
            continue
        try:
            rate_limit.acquire(order.account_id)
        except errors.OrderRateLimited:
            continue  # this second is full: the next pass sends it
        try:
            submission._submit_tree(order, actor=RELEASE_ACTOR)
            sent += 1
        except Exception:  # one order's failure must not keep the others from the open
            logger.exception("AMO release of order %s failed", order.pk)
    return sent
