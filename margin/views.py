"""The margin dashboard page (#10): utilisation gauge, breakdown, factor chips, warnings, the open margin call,
the history chart from the snapshots, the account's margin-call policy. Thin: parse, call one service or
selector, render. The account is the one the trader has selected (the account switcher)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import account_for_request
from oms_project.lib.errors import DomainError

from . import monitoring, monitoring_selectors, selectors

GAUGE_RADIUS = 54
GAUGE_CIRCUMFERENCE = 339.292  # 2 * pi * 54


def _status(account: Any) -> dict[str, Any]:
    margin = selectors.account_margin(account)
    call = monitoring_selectors.open_call_for(account)
    pct = margin.utilisation_pct
    shown = min(float(pct), 100.0) if pct is not None else 0.0
    return {
        "account": account,
        "margin": margin,
        "additional": margin.var + margin.additional,
        "gauge": {
            "pct": pct,
            "dash": round(GAUGE_CIRCUMFERENCE * shown / 100, 3),
            "circumference": GAUGE_CIRCUMFERENCE,
            "radius": GAUGE_RADIUS,
            "level": margin.level.lower(),
        },
        "call": call,
        "warnings": monitoring_selectors.warnings_of(margin, call),
    }


@login_required
@require_GET
def margin_dashboard(request: HttpRequest) -> HttpResponse:
    account = account_for_request(request)
    context: dict[str, Any] = {"account": account}
    if account is not None:
        snapshots = monitoring_selectors.snapshots_for(account)
        context.update(
            _status(account),
            chart=monitoring_selectors.history_chart(snapshots),
            calls=monitoring_selectors.calls_for(account),
            policy=monitoring_selectors.policy_of(account),
        )
    return render(request, "margin/dashboard.html", context)


@login_required
@require_GET
def margin_status(request: HttpRequest) -> HttpResponse:
    """The live part of the page (gauge, breakdown, chips, warnings, call), re-requested every 15 s."""
    account = account_for_request(request)
    if account is None:
        return HttpResponse(status=204)
    return render(request, "margin/partials/_status.html", _status(account))


@login_required
@require_POST
def margin_policy(request: HttpRequest) -> HttpResponse:
    account = account_for_request(request)
    if account is None:
        return redirect("margin-dashboard")
    grace_text = (request.POST.get("grace_minutes") or "").strip()
    try:
        grace = int(grace_text) if grace_text else None
        if grace is not None and not 1 <= grace <= 24 * 60:
            raise ValueError
    except ValueError:
        messages.error(request, "Grace must be a whole number of minutes from 1 to 1440 (or blank for the default).")
        return redirect("margin-dashboard")
    monitoring.policy_update(
        account=account, auto_square_off=request.POST.get("auto_square_off") == "on", grace_minutes=grace
    )
    messages.success(request, "Margin call policy saved.")
    return redirect("margin-dashboard")


@login_required
@require_POST
def margin_add_funds(request: HttpRequest) -> HttpResponse:
    """A paper account's pay-in from the dashboard (a margin call's "Add funds")."""
    from portfolio import services as portfolio_services

    account = account_for_request(request)
    if account is None:
        return redirect("margin-dashboard")
    try:
        portfolio_services.funds_pay_in(
            account=account, amount=request.POST.get("amount"), actor=f"user:{request.user.pk}"
        )
        messages.success(request, "Funds added.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("margin-dashboard")
