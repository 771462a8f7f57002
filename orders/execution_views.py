"""The slippage page (issue #11): your fills' slippage against the arrival price, summarised (orders.slippage)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import slippage

DAY_CHOICES = (7, 30, 90)


@login_required
@require_GET
def slippage_page(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in DAY_CHOICES else 30
    summary = slippage.slippage_summary(user=request.user, days=days)
    chart: dict[str, Any] = {
        dim: {
            "labels": [b["key"] for b in summary[f"by_{dim}"]],
            "avg_bps": [str(b["avg_bps"]) if b["avg_bps"] is not None else None for b in summary[f"by_{dim}"]],
            "median_bps": [str(b["median_bps"]) if b["median_bps"] is not None else None
                           for b in summary[f"by_{dim}"]],
        }
        for dim in ("time_of_day", "size_bucket")
    }
    return render(request, "orders/slippage.html", {
        "summary": summary, "days": days, "day_choices": DAY_CHOICES, "chart": chart,
        "groups": [("Instrument", summary["by_instrument"]), ("Order type", summary["by_order_type"]),
                   ("Algorithm", summary["by_algorithm"]), ("Size", summary["by_size_bucket"]),
                   ("Time of day (IST)", summary["by_time_of_day"])],
    })
