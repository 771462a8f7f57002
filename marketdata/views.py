"""Market watch pages: the watchlist table (live over /ws/market/), a typeahead, add/remove."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from oms_project.lib.errors import DomainError, NotFound

from . import selectors, services


def _rows(user: Any) -> list[dict[str, Any]]:
    items = list(selectors.watchlist_list(user=user))
    quotes = selectors.quotes_for([i.instrument for i in items])
    return [{"item": item, "instrument": item.instrument, "quote": quotes[item.instrument_id]} for item in items]


def _order_ticket_url() -> str | None:
    try:
        return reverse("order-ticket")
    except NoReverseMatch:
        return None


def _table(request: HttpRequest, error: Any = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "marketdata/partials/_watch_rows.html",
        {"rows": _rows(request.user), "error": error, "order_ticket_url": _order_ticket_url()},
        status=status,
    )


@login_required
def market_watch(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "marketdata/market_watch.html",
        {"rows": _rows(request.user), "order_ticket_url": _order_ticket_url()},
    )


@login_required
@require_GET
def instrument_search_partial(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:64]
    results = selectors.instrument_typeahead(q) if len(q) >= 2 else []
    return render(request, "marketdata/partials/_search_results.html", {"results": results, "q": q})


@login_required
@require_POST
def watchlist_add(request: HttpRequest) -> HttpResponse:
    try:
        instrument = selectors.instrument_get(request.POST.get("instrument_token"))
        services.watchlist_add(user=request.user, instrument=instrument)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("market-watch")
        return _table(request, error=exc.as_body()["error"], status=200)
    return _table(request) if request.htmx else redirect("market-watch")


@login_required
@require_POST
def watchlist_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        services.watchlist_remove(user=request.user, item_id=item_id)
    except NotFound:
        raise Http404 from None
    return _table(request) if request.htmx else redirect("market-watch")
