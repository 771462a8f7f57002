"""The Greeks dashboard (issue #12): the book's Greeks per strategy and underlying, today's 5-minute snapshots as
a chart (Chart.js, vendored), the monitor's risk status, the correlated exposure. Thin: one selector."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import account_for_request, account_resolve

from . import greeks_book
from .models import RiskStatus


@login_required
def greeks_page(request: HttpRequest) -> HttpResponse:
    account = account_for_request(request) or account_resolve(user=request.user)
    view = greeks_book.greeks_view(user=request.user, account_id=account.pk)
    totals: dict[str, dict[str, str]] = {}
    for s in view["snapshots"]:
        slot = totals.setdefault(s["taken_at"].isoformat(), {"delta": "0", "vega": "0", "theta": "0"})
        for k in ("delta", "vega", "theta"):
            slot[k] = str(float(slot[k]) + float(s[f"{k}_inr"]))
    chart = {
        "labels": list(totals),
        "delta": [v["delta"] for v in totals.values()],
        "vega": [v["vega"] for v in totals.values()],
        "theta": [v["theta"] for v in totals.values()],
    }
    corr = view["correlation"]
    matrix = [{"name": n, "row": row} for n, row in zip(corr["names"], corr["matrix"], strict=True)]
    statuses = RiskStatus.objects.filter(account=account, status=RiskStatus.REDUCING).select_related("strategy")
    return render(
        request,
        "risk/greeks.html",
        {"account": account, "view": view, "chart": chart, "matrix": matrix, "statuses": statuses},
    )
