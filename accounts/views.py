"""Pages: login/logout, the account switcher and the API keys page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import AccountInactive, AccountNotFound, ApiKeyNotFound


@login_required
@require_POST
def account_switch(request: HttpRequest) -> HttpResponse:
    try:
        account = selectors.account_resolve(user=request.user, account_id=int(request.POST.get("account_id", "")))
    except AccountInactive as exc:
        messages.error(request, exc.message)
    except (AccountNotFound, ValueError):
        messages.error(request, "No such trading account.")
    else:
        request.session[selectors.SESSION_ACCOUNT_KEY] = account.pk
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


# The new key survives exactly one redirect in the session, so reloading the page never creates
# a second key and the plaintext is shown once.
NEW_KEY_SESSION_KEY = "new_api_key"


@login_required
def api_keys_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:50]
        if not name:
            messages.error(request, "Give the key a name, e.g. the bot that will use it.")
        else:
            _, request.session[NEW_KEY_SESSION_KEY] = services.api_key_create(user=request.user, name=name)
        return redirect("api-keys")
    return render(
        request,
        "accounts/api_keys.html",
        {
            "api_keys": selectors.api_key_list(user=request.user),
            "new_key": request.session.pop(NEW_KEY_SESSION_KEY, None),
        },
    )


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    try:
        api_key = services.api_key_revoke(user=request.user, key_id=key_id)
    except ApiKeyNotFound:
        return render(request, "404.html", status=404)
    messages.success(request, f"Key '{api_key.name}' revoked.")
    return redirect("api-keys")
