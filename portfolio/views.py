"""Trader pages of the portfolio: the funds ledger (and its CSV) and the futures settlement history.

Each view reads the current account (the account switcher's) through its selectors and renders; nothing here
writes. Another user's account is never reachable: `account_for_request` only answers the user's own."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.selectors import account_for_request

from . import selectors

LEDGER_PAGE_ROWS = 500
CSV_COLUMNS = [
    "time_ist",
    "kind",
    "amount",
    "cash_after",
    "description",
    "position_id",
    "trade_id",
    "order_id",
    "actor",
    "entry_id",
]


def _funds(account: Any) -> Any:
    return selectors.funds_for(account) if account is not None else None


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    account = account_for_request(request)
    entries = list(selectors.ledger_for(account=account)[:LEDGER_PAGE_ROWS]) if account else []
    return render(
        request,
        "portfolio/ledger.html",
        {"funds": _funds(account), "entries": entries, "limit": LEDGER_PAGE_ROWS, "account": account},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def ledger_csv(request: HttpRequest) -> HttpResponse:
    """The whole ledger, oldest first, starting with the opening balance, with the cash after each entry: the
    amounts add up to the cash the ledger page shows."""
    account = account_for_request(request)
    if account is None:
        return HttpResponse("No trading account.", status=404, content_type="text/plain")
    writer = csv.writer(_Echo())
    opening = selectors.opening_balance(account)

    def rows() -> Any:
        yield writer.writerow(CSV_COLUMNS)
        cash = opening
        yield writer.writerow(
            ["", "OPENING_BALANCE", f"{opening:.2f}", f"{cash:.2f}", account.name, "", "", "", "", ""]
        )
        for e in selectors.ledger_for(account=account).order_by("created_at", "id").iterator(chunk_size=1000):
            cash += Decimal(e.amount)
            yield writer.writerow(
                [
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.kind,
                    f"{e.amount:.2f}",
                    f"{cash:.2f}",
                    e.description,
                    e.position_id or "",
                    e.trade_id or "",
                    e.order_id or "",
                    e.actor,
                    e.pk,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ledger-{account.pk}-{stamp}.csv"'
    return response


@login_required
@require_GET
def settlements(request: HttpRequest) -> HttpResponse:
    account = account_for_request(request)
    daily = list(selectors.futures_settlements_for(account=account)[:500]) if account else []
    expired = list(selectors.expiry_settlements_for(account=account)[:200]) if account else []
    chart = selectors.settlement_chart(account=account) if account else {"labels": []}
    return render(
        request,
        "portfolio/settlements.html",
        {"daily": daily, "expired": expired, "chart": chart, "account": account},
    )
