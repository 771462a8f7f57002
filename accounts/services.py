"""Writes for trading accounts and API keys."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DuplicateAccountName
from .models import ApiKey, TradingAccount
from .selectors import account_get, api_key_get

# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def paper_account_create(
    *, user: AbstractBaseUser, name: str = "Paper", capital: Decimal | None = None, make_default: bool = False
) -> TradingAccount:
    capital = Decimal(settings.PAPER_STARTING_CAPITAL) if capital is None else capital
    has_default = TradingAccount.objects.filter(user=user, is_default=True).exists()
    try:
        with transaction.atomic():
            return TradingAccount.objects.create(
                user=user,
                kind=TradingAccount.Kind.PAPER,
                name=name,
                paper_capital=capital,
                is_default=make_default or not has_default,
            )
    except IntegrityError as exc:
        raise DuplicateAccountName() from exc


@transaction.atomic
def kite_account_add(
    *,
    user: AbstractBaseUser,
    api_key: str,
    api_secret: str,
    access_token: str = "",
    name: str = "",
    kite_user_id: str = "",
    make_default: bool = False,
) -> TradingAccount:
    """Add (or update, matched by name) a Kite account; the secrets are stored encrypted."""
    name = name or f"Kite {kite_user_id or api_key[:6]}"
    account, _ = TradingAccount.objects.select_for_update().get_or_create(
        user=user, name=name, defaults={"kind": TradingAccount.Kind.KITE}
    )
    if account.kind != TradingAccount.Kind.KITE:
        raise DuplicateAccountName("A paper account already uses this name.")
    account.kite_api_key = api_key
    account.kite_api_secret = api_secret
    account.kite_user_id = kite_user_id
    if access_token:
        account.kite_access_token = access_token
        account.kite_token_updated_at = timezone.now()
    account.save()
    if make_default:
        account_set_default(user=user, account_id=account.pk)
        account.refresh_from_db()
    return account


@transaction.atomic
def kite_session_store(
    *, user: AbstractBaseUser, account_id: int, access_token: str, kite_user_id: str = ""
) -> TradingAccount:
    """Keep today's Kite access token (from the request_token exchange)."""
    account = account_get(user=user, account_id=account_id)
    account.kite_access_token = access_token
    account.kite_token_updated_at = timezone.now()
    if kite_user_id:
        account.kite_user_id = kite_user_id
    account.save(update_fields=["kite_access_token", "kite_token_updated_at", "kite_user_id"])
    return account


@transaction.atomic
def kite_session_clear(*, account: TradingAccount) -> None:
    """Forget a token the broker refused (403 TokenException): the user must log in again."""
    TradingAccount.objects.filter(pk=account.pk).update(kite_access_token="", kite_token_updated_at=None)


@transaction.atomic
def account_set_default(*, user: AbstractBaseUser, account_id: int) -> TradingAccount:
    account = account_get(user=user, account_id=account_id)
    TradingAccount.objects.filter(user=user, is_default=True).exclude(pk=account.pk).update(is_default=False)
    if not account.is_default:
        account.is_default = True
        account.save(update_fields=["is_default"])
    return account


def api_key_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned once and never stored."""
    api_key, raw_key = ApiKey.objects.create_key(user=user, name=name or "default")
    return api_key, raw_key


def api_key_revoke(*, user: AbstractBaseUser, key_id: str) -> ApiKey:
    api_key = api_key_get(user=user, key_id=key_id)
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
