"""Pages for Kite accounts: list/add, the daily login redirect and its callback, instrument refresh."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import AccountInactive
from accounts.models import TradingAccount
from accounts.selectors import account_list
from accounts.services import kite_account_add
from oms_project.lib.errors import DomainError, NotFound
from orders.brokers.kite.errors import KiteAccountRequired
from orders.brokers.kite.services import kite_instruments_refresh, kite_login_complete, kite_login_url


@login_required
@require_http_methods(["GET", "POST"])
def kite_accounts_page(request: HttpRequest) -> HttpResponse:
    form_errors: dict[str, str] = {}
    form = {"name": "", "api_key": "", "kite_user_id": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("name", "api_key", "kite_user_id")}
        api_secret = request.POST.get("api_secret", "").strip()
        for field in ("api_key", "kite_user_id"):
            if not form[field]:
                form_errors[field] = "Required."
        if not api_secret:
            form_errors["api_secret"] = "Required."
        if not form_errors:
            try:
                account = kite_account_add(
                    user=request.user,
                    api_key=form["api_key"],
                    api_secret=api_secret,
                    name=form["name"],
                    kite_user_id=form["kite_user_id"],
                )
            except DomainError as exc:
                form_errors["name"] = exc.message
            else:
                messages.success(request, f"Kite account “{account.name}” saved. Log in to Kite to trade with it.")
                return redirect("kite-accounts")
    accounts = account_list(user=request.user, kind=TradingAccount.Kind.KITE)
    status = 400 if form_errors else 200
    return render(
        request,
        "orders/kite/accounts.html",
        {"kite_accounts": accounts, "form": form, "errors": form_errors},
        status=status,
    )


@login_required
@require_GET
def kite_login_start(request: HttpRequest, account_id: int) -> HttpResponse:
    try:
        return HttpResponseRedirect(kite_login_url(user=request.user, account_id=account_id))
    except NotFound:
        raise Http404() from None
    except (KiteAccountRequired, AccountInactive) as exc:
        messages.error(request, exc.message)
        return redirect("kite-accounts")


@login_required
@require_GET
def kite_login_callback(request: HttpRequest) -> HttpResponse:
    try:
        account = kite_login_complete(
            user=request.user,
            state=request.GET.get("state", ""),
            request_token=request.GET.get("request_token", ""),
            status=request.GET.get("status", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("kite-accounts")
    messages.success(request, f"Logged in to Kite as {account.kite_user_id or account.name}.")
    return redirect("kite-accounts")


@login_required
@require_POST
def kite_instruments_refresh_page(request: HttpRequest, account_id: int) -> HttpResponse:
    try:
        result = kite_instruments_refresh(user=request.user, account_id=account_id)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Instrument master refreshed from Kite: {result.created} new, {result.updated} updated, "
            f"{result.skipped} skipped.",
        )
    return redirect("kite-accounts")
