"""`{% market_mode_chip %}`: the header chip that says when the real market is closed, and that a paper
account then trades in the simulated venue's "any time" mode (settings.SIM_TRADE_ANY_TIME), so nobody takes a
night-time paper fill for an open market (docs/exchange-rules.md, "Any time paper trading")."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from marketdata import calendar as mcal
from marketdata.contract_specs import SESSION_OPEN

register = template.Library()


def market_mode(*, paper: bool, at: datetime | None = None, exchange: str = "NFO") -> dict[str, Any]:
    """What the chip says: nothing while the market is open; else closed, when it opens, and whether a paper
    account trades any time meanwhile."""
    at = at or timezone.now()
    if mcal.session_state(exchange, at) == mcal.SessionState.OPEN:
        return {"closed": False}
    local = timezone.localtime(at, mcal.IST)
    day = local.date()
    opens_today = mcal.is_trading_day(exchange, day) and local.time() < dtime(*SESSION_OPEN)
    next_day = day if opens_today else mcal.next_trading_day(exchange, day + timedelta(days=1))
    next_open = mcal.session_bounds(next_day)[0]
    return {
        "closed": True,
        "any_time": paper and bool(settings.SIM_TRADE_ANY_TIME),
        "next_open": next_open,
        "next_open_today": next_day == day,
    }


@register.inclusion_tag("marketdata/partials/_market_mode_chip.html", takes_context=True)
def market_mode_chip(context: dict[str, Any]) -> dict[str, Any]:
    account = context.get("current_account")
    return market_mode(paper=bool(account is None or getattr(account, "is_paper", False)))
