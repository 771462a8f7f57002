"""`{% kill_switch_banner %}`: the banner every page shows while a kill switch governing the user is engaged."""

from __future__ import annotations

from typing import Any

from django import template

from risk import selectors

register = template.Library()


@register.inclusion_tag("risk/partials/_banner.html", takes_context=True)
def kill_switch_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    switch = selectors.engaged_for_user(user) if user is not None else None
    return {"switch": switch}


@register.inclusion_tag("risk/partials/_ticket_sizing_line.html", takes_context=True)
def ticket_sizing(context: dict[str, Any], preview: dict[str, Any]) -> dict[str, Any]:
    """The order ticket's sizing advice (templates/risk/partials/_ticket_sizing.html, included by the preview):
    the stop distance from the ticket's stop-loss (points, or a price against the limit price or the LTP), then
    risk.dashboard.ticket_sizing. Nothing is shown when it cannot be had."""
    from decimal import Decimal, InvalidOperation

    from accounts.selectors import account_for_request
    from risk import dashboard

    request = context.get("request")
    instrument = (preview or {}).get("instrument")
    if request is None or instrument is None or not getattr(request.user, "is_authenticated", False):
        return {"sizing": None}
    q = request.GET
    stop = None
    try:
        raw = Decimal((q.get("stop_loss") or "").strip()) if (q.get("stop_loss") or "").strip() else None
        if raw is not None and raw.is_finite() and raw > 0:
            if q.get("exit_mode") == "points":
                stop = raw
            else:
                ref = preview.get("limit_price") or preview.get("ltp")
                stop = abs(Decimal(ref) - raw) if ref is not None else None
    except (InvalidOperation, ValueError, TypeError):
        stop = None
    account = account_for_request(request)
    sizing = dashboard.ticket_sizing(
        user=request.user,
        account_id=account.pk if account is not None else None,
        instrument_token=instrument.instrument_token,
        stop_distance=stop or None,
    )
    lots = (preview or {}).get("lots")
    return {
        "sizing": sizing,
        "stop": stop,
        "over": sizing is not None and sizing["lots"] is not None and lots and lots > sizing["lots"],
    }
