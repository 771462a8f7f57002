"""Expired instruments (seed 001 "Expired Instrument Cleanup", 09:00): working orders on contracts whose
expiry has passed are cancelled, positions on them that are settled (flat) are archived, and each trader
is told once what was done. Open positions on an expired contract are the settlement's (the portfolio's
expiry settlement, when present) and are reported, never touched here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from marketdata.models import Instrument
from oms_project.lib.errors import DomainError
from orders import services as order_services
from orders.domain import WORKING, OrderStatus
from orders.models import Order
from portfolio.models import Position

from ..models import PositionArchive

ACTOR = "system:housekeeping.expiry"


def job_expired_instruments(run: Any) -> None:
    today = run.today
    expired = set(Instrument.objects.filter(expiry__lt=today).values_list("instrument_token", flat=True))
    run.look("expired_instruments", len(expired))
    told: dict[int, list[str]] = defaultdict(list)
    live = [*WORKING, OrderStatus.PENDING_SUBMIT, OrderStatus.PENDING_APPROVAL]
    for order in Order.objects.filter(status__in=live, instrument_token__in=expired).select_related("user"):
        run.look("orders")
        try:
            order_services.order_cancel(user=order.user, order_id=order.pk, actor=ACTOR)
        except DomainError as exc:
            run.error(f"order #{order.pk}: {exc}")
            continue
        run.done("cancelled", order.pk)
        told[order.user_id].append(f"cancelled order #{order.pk} on {order.tradingsymbol} (expired)")
    positions = Position.objects.filter(instrument_token__in=expired, housekeeping__isnull=True)
    for p in positions:
        run.look("positions")
        if p.quantity != 0:
            run.done("open_on_expired", p.pk)
            told[p.user_id].append(f"{p.tradingsymbol} {p.product} {p.quantity:+d} is still open on an expired contract "
                                   "(settlement pending)")  # fmt: skip
            continue
        _, created = PositionArchive.objects.get_or_create(position=p, defaults={"archived_at": run.at,
                                                                                "reason": "expired, settled"})
        if created:
            run.done("archived", p.pk)
            told[p.user_id].append(f"archived settled position {p.tradingsymbol} {p.product}")
    users = get_user_model().objects.in_bulk(list(told))
    for user_id, lines in told.items():
        alert_raise(user=users[user_id], type=AlertType.SYSTEM, level=AlertLevel.INFO, title="Expired contracts",
                    message="Expired contracts cleaned up: " + "; ".join(lines[:10])
                    + (f" (+{len(lines) - 10} more)" if len(lines) > 10 else ""))  # fmt: skip
        run.done("told", user_id)
