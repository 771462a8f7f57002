"""Reads for the margin dashboard (#10): the account's live margin, its snapshot history, its margin calls and
policy. The account row was resolved for its owner by the caller (others' accounts are never reached)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from marketdata import calendar

from . import monitoring
from .monitoring_models import MarginCall, MarginCallPolicy, MarginSnapshot

HISTORY_DAYS = 5
HISTORY_LIMIT = 600  # 5 trading days of 5-minute snapshots (75 a day) plus the fills', with room


def snapshots_for(account: Any, *, days: int = HISTORY_DAYS, now: datetime | None = None) -> list[MarginSnapshot]:
    """The account's snapshots of the last `days` days, oldest first."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = MarginSnapshot.objects.filter(account_id=account.pk, taken_at__gte=since).order_by("-taken_at", "-id")
    return list(reversed(rows[:HISTORY_LIMIT]))


def history_chart(snapshots: list[MarginSnapshot]) -> dict[str, Any]:
    """The chart's data (amounts as exact strings): required (exchange + buffer), exchange, capital, utilisation."""
    return {
        "labels": [f"{timezone.localtime(s.taken_at, calendar.IST):%d %b %H:%M}" for s in snapshots],
        "required": [str(s.total_required) for s in snapshots],
        "exchange": [str(s.exchange_total) for s in snapshots],
        "capital": [str(s.capital) if s.funds_known else None for s in snapshots],
        "utilisation": [str(s.utilisation_pct) if s.funds_known else None for s in snapshots],
        "triggers": [s.trigger for s in snapshots],
    }


def open_call_for(account: Any) -> MarginCall | None:
    return (
        MarginCall.objects.filter(
            account_id=account.pk, status__in=[MarginCall.Status.OPEN, MarginCall.Status.SQUARING_OFF]
        )
        .order_by("-opened_at")
        .first()
    )


def calls_for(account: Any, *, limit: int = 10) -> list[MarginCall]:
    return list(MarginCall.objects.filter(account_id=account.pk).order_by("-opened_at", "-id")[:limit])


def policy_of(account: Any) -> dict[str, Any]:
    row = MarginCallPolicy.objects.filter(account_id=account.pk).first()
    auto, grace = monitoring.policy_for(account)
    return {
        "auto_square_off": auto,
        "grace_minutes": int(grace.total_seconds() // 60),
        "grace_is_default": row is None or row.grace_minutes is None,
    }


def warnings_of(margin: Any, call: MarginCall | None) -> list[str]:
    """Plain-language warnings for the dashboard (seed 000's "High margin utilization", "Expiry day margin")."""
    out = []
    if call is not None:
        out.append(f"Margin call: short ₹{call.last_shortfall:,.2f}.")
    pct = margin.utilisation_pct
    if pct is not None and pct >= Decimal(90):
        out.append(f"Extreme margin utilisation ({pct}%): orders that add margin are refused.")
    elif pct is not None and pct >= Decimal(80):
        out.append(f"High margin utilisation ({pct}%).")
    for name, _factor, reason in margin.buffer_factors:
        if name == "expiry_day":
            out.append("Expiry day margin in effect.")
        elif name == "vix":
            out.append(f"High volatility: {reason}.")
        elif name == "price_move":
            out.append(f"Large move: {reason}.")
        elif name == "regulatory":
            out.append(f"Regulatory margin: {reason}.")
    if margin.funds is None:
        out.append("The broker holds this account's funds: utilisation and margin calls are the broker's.")
    return out
