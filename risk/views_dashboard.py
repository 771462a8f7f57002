"""The strategy risk dashboard (issue #12): risk metric cards with risk levels, one strategy's card with its
per-position guards, and releasing the live monitor's REDUCING status. Thin: parse, call one selector or service,
render. Another user's strategy is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import account_for_request, account_resolve
from oms_project.lib.errors import DomainError, NotFound

from . import dashboard, services


def _account(request: HttpRequest) -> Any:
    return account_for_request(request) or account_resolve(user=request.user)


@login_required
@require_GET
def strategies_page(request: HttpRequest) -> HttpResponse:
    view = dashboard.strategy_dashboard(user=request.user, account_id=_account(request).pk)
    return render(request, "risk/strategies.html", {"view": view, "account": _account(request)})


@login_required
@require_GET
def strategy_page(request: HttpRequest, strategy_id: int) -> HttpResponse:
    try:
        view = dashboard.strategy_card(user=request.user, strategy_id=strategy_id)
    except NotFound:
        raise Http404 from None
    return render(request, "risk/strategy.html", {"view": view, "card": view["card"], "strategy": view["strategy"]})


@login_required
@require_POST
def strategy_guards(request: HttpRequest, strategy_id: int) -> HttpResponse:
    p = request.POST
    try:
        services.position_guards_update(
            user=request.user,
            strategy_id=strategy_id,
            enabled=p.get("enabled") == "on",
            target_pnl=p.get("target_pnl"),
            stop_loss_pnl=p.get("stop_loss_pnl"),
            timeout_hours=p.get("timeout_hours"),
            auto_close_on_target=p.get("auto_close_on_target") == "on",
            auto_close_on_stop=p.get("auto_close_on_stop") == "on",
            auto_close_on_timeout=p.get("auto_close_on_timeout") == "on",
        )
        messages.success(request, "Position guards saved: the monitor applies them from the next tick.")
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("risk-strategy", strategy_id)


@login_required
@require_POST
def status_release(request: HttpRequest) -> HttpResponse:
    """Release the monitor's REDUCING of a strategy (`strategy` given) or of the current account."""
    raw = request.POST.get("strategy") or ""
    strategy_id = int(raw) if raw.isdigit() else None
    if raw and strategy_id is None:
        raise Http404
    try:
        services.risk_status_release(
            user=request.user,
            reason=request.POST.get("reason", ""),
            account_id=None if strategy_id else _account(request).pk,
            strategy_id=strategy_id,
        )
        messages.success(request, "Released: new orders are accepted again.")
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    back = reverse("risk-strategy", args=[strategy_id]) if strategy_id else reverse("risk-strategies")
    return redirect(back)
