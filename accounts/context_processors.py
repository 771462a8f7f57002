from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import account_for_request, account_list


def trading_accounts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "trading_accounts": list(account_list(user=user)),
        "current_account": account_for_request(request),
    }
