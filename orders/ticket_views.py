"""The ticket's costs & margin card and its MARKET-order confirmation setting (#10), and its TWAP / iceberg start
(#11). Thin: parse the ticket's form, call one service (`orders.confirmation.ticket_confirmation`, margin engine +
charges; `orders.services.algos.twap_start` / `iceberg_start`, as the API does), render a partial."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import account_for_request
from marketdata import selectors as md
from oms_project.lib.errors import DomainError

from . import services
from .algo_presenters import execution_json
from .confirmation import ticket_confirmation
from .forms import ICEBERG, OrderTicketForm
from .services import algos


def _instrument(token: Any) -> Any:
    try:
        return md.instrument_get(int(token))
    except (DomainError, TypeError, ValueError):
        return None


@login_required
@require_GET
def order_ticket_costs(request: HttpRequest) -> HttpResponse:
    """The seed's confirmation for the ticket as it stands; re-requested on every change and every few seconds."""
    instrument = _instrument(request.GET.get("instrument_token"))
    account = account_for_request(request)
    context: dict[str, Any] = {"costs": None, "reason": ""}
    form = OrderTicketForm(request.GET, order_only=True)
    if instrument is None:
        context["reason"] = "Choose an instrument to see what the order costs and the margin it blocks."
    elif account is None:
        context["reason"] = "You have no trading account."
    elif not form.is_valid():
        context["reason"] = "Complete the ticket (price, lots) to see its costs and margin."
    elif form.cleaned_data["order_type"] in ("LIMIT", "SL") and not form.cleaned_data.get("price"):
        context["reason"] = "Enter the price to see the order's costs and margin."
    else:
        kw = form.service_kwargs(lot_size=instrument.lot_size)
        try:
            context["costs"] = ticket_confirmation(
                account=account,
                instrument=instrument,
                transaction_type=kw["transaction_type"],
                quantity=kw["quantity"],
                price=kw.get("price"),
                product=kw["product"],
                order_type=kw["order_type"],
            )
            context["tick_size"] = instrument.tick_size
            context["symbol"] = instrument.tradingsymbol
            context["lots"] = form.cleaned_data["lots"]
            context["order_type"] = kw["order_type"]
        except DomainError as exc:
            context["error"] = exc.as_body()["error"]
    return render(request, "orders/partials/_ticket_costs.html", context)


@login_required
@require_POST
def order_market_confirm_preference(request: HttpRequest) -> HttpResponse:
    """The confirmation modal's "don't ask again" (and the way back): sets OrderPreferences.confirm_market_orders."""
    value = request.POST.get("confirm_market_orders", "false")
    if value not in ("true", "false"):
        return HttpResponse("confirm_market_orders must be true or false.", status=400)
    services.preferences_update(user=request.user, confirm_market_orders=value == "true")
    return HttpResponse(status=204)


def ticket_algo_start(request: HttpRequest, form: OrderTicketForm, account: Any) -> dict[str, Any]:
    """The ticket's "Execution: TWAP / Iceberg" (after form.is_valid): start the parent execution through the same
    service as the API; the result card shows its progress (live over /ws/orders/) and links to /algos/. Returns
    the result partial's context: `algo_execution` (execution_json) or `error` (the DomainError's body)."""
    algorithm, kwargs = form.algo_start_kwargs()
    start = algos.iceberg_start if algorithm == ICEBERG else algos.twap_start
    try:
        ex = start(user=request.user, account_id=account.pk, actor=f"user:{request.user.pk}", **kwargs)
    except DomainError as exc:
        return {"error": exc.as_body()["error"], "status": exc.http_status if 400 <= exc.http_status < 500 else 400}
    return {"algo_execution": execution_json(ex), "status": 200}
