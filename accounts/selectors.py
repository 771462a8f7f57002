"""Reads for accounts and keys. Every read is scoped to its owner: someone else's object is 'not found'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .errors import AccountInactive, AccountNotFound, ApiKeyNotFound
from .models import ApiKey, TradingAccount


def account_list(*, user: AbstractBaseUser, kind: str | None = None) -> QuerySet[TradingAccount]:
    accounts = TradingAccount.objects.filter(user=user, is_active=True)
    if kind is not None:
        accounts = accounts.filter(kind=kind)
    return accounts.order_by("-is_default", "id")


def account_get(*, user: AbstractBaseUser, account_id: int) -> TradingAccount:
    try:
        return TradingAccount.objects.get(pk=account_id, user=user)
    except (TradingAccount.DoesNotExist, ValueError, TypeError):
        raise AccountNotFound() from None


def account_resolve(*, user: AbstractBaseUser, account_id: int | None = None) -> TradingAccount:
    """The active account an action applies to: the one named, else the user's default."""
    if account_id is not None:
        account = account_get(user=user, account_id=account_id)
        _refuse_inactive(account)
        return account
    account = TradingAccount.objects.filter(user=user, is_default=True).first()
    if account is not None:
        # Never fall through to another account (paper vs live) because the default is disabled.
        _refuse_inactive(account, default=True)
    else:
        account = account_list(user=user).first()
    if account is None:
        raise AccountNotFound("You have no trading account.")
    return account


def _refuse_inactive(account: TradingAccount, *, default: bool = False) -> None:
    if not account.is_active:
        which = "Your default trading account" if default else "The trading account"
        raise AccountInactive(
            f"{which} {account.name!r} (#{account.pk}) is disabled; nothing was done. "
            + ("Choose another account with account_id, or make another account the default." if default else ""),
            details={"account_id": account.pk},
        )


def api_key_list(*, user: AbstractBaseUser) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user).order_by("-created")


def api_key_get(*, user: AbstractBaseUser, key_id: str) -> ApiKey:
    try:
        return ApiKey.objects.get(pk=key_id, user=user)
    except ApiKey.DoesNotExist:
        raise ApiKeyNotFound() from None


SESSION_ACCOUNT_KEY = "account_id"


def account_for_session(*, user: AbstractBaseUser, session: Any) -> TradingAccount | None:
    """The account the browser's account switcher has selected, else the default."""
    account_id = session.get(SESSION_ACCOUNT_KEY)
    try:
        return account_resolve(user=user, account_id=account_id)
    except (AccountNotFound, AccountInactive):
        session.pop(SESSION_ACCOUNT_KEY, None)
        try:
            return account_resolve(user=user)
        except (AccountNotFound, AccountInactive):
            return None


def account_for_request(request: Any) -> TradingAccount | None:
    """`account_for_session` for the request's user, looked up once per request (page + nav switcher)."""
    if not hasattr(request, "_oms_current_account"):
        request._oms_current_account = account_for_session(user=request.user, session=request.session)
    return request._oms_current_account
