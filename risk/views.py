"""Pages: the kill switch (a big, confirmed control) and the limits settings. Thin: parse, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import account_for_request, account_resolve
from oms_project.lib.errors import DomainError
from portfolio.models import Strategy

from . import dashboard, limits, selectors, services


def _account(request: HttpRequest) -> Any:
    return account_for_request(request) or account_resolve(user=request.user)


@login_required
def kill_switch_page(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    return render(
        request,
        "risk/kill_switch.html",
        {
            "ks": selectors.kill_switch_view(user=request.user, account=account),
            "account": account,
            "summary": selectors.risk_summary(user=request.user, account_id=account.pk),
            "extras": dashboard.risk_page_extras(
                user=request.user,
                account_id=account.pk,
                instrument_key=(request.GET.get("instrument") or "")[:64],
                stop_distance=(request.GET.get("stop") or "")[:20],
            ),
        },
    )


@login_required
@require_POST
def kill_switch_action(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    try:
        if action == "engage":
            services.kill_switch_engage(
                user=request.user,
                reason=reason or "engaged from the kill switch page",
                account_id=account.pk,
                actor=f"user:{request.user.pk}",
            )
            messages.success(request, "Kill switch engaged: open orders cancelled, positions squared off.")
        elif action == "release":
            services.kill_switch_release(user=request.user, reason=reason, account_id=account.pk)
            messages.success(request, "Kill switch released.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("risk-kill-switch")


def _rows(resolved: limits.LimitSet) -> list[dict[str, Any]]:
    out = []
    for spec in limits.CATALOGUE:
        limit = resolved[spec.key]
        out.append(
            {
                "spec": spec,
                "enabled": limit.enabled,
                "params": [{"p": p, "value": limit.params[p.name]} for p in spec.params],
            }
        )
    return out


@login_required
def limits_page(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    strategy_id = request.GET.get("strategy") or request.POST.get("strategy") or None
    strategy = Strategy.objects.filter(pk=strategy_id, user=request.user).first() if strategy_id else None
    if request.method == "POST":
        doc: dict[str, dict[str, Any]] = {}
        for spec in limits.CATALOGUE:
            body: dict[str, Any] = {"enabled": request.POST.get(f"{spec.key}__enabled") == "on"}
            for p in spec.params:
                raw = (request.POST.get(f"{spec.key}__{p.name}") or "").strip()
                if raw:
                    body[p.name] = int(raw) if p.kind == "int" and raw.isdigit() else raw
            doc[spec.key] = body
        try:
            services.limits_update(
                user=request.user, overrides=doc, account_id=account.pk, strategy_id=strategy.pk if strategy else None
            )
            messages.success(request, "Limits saved.")
        except DomainError as exc:
            messages.error(request, exc.message)
        url = redirect("risk-limits").url + (f"?strategy={strategy.pk}" if strategy else "")
        return redirect(url)
    resolved = selectors.limits_resolved(account_id=account.pk, strategy=strategy)
    return render(
        request,
        "risk/limits.html",
        {
            "rows": _rows(resolved),
            "account": account,
            "strategy": strategy,
            "strategies": Strategy.objects.filter(user=request.user, account=account).order_by("id"),
        },
    )
