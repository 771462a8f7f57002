"""Kite-specific writes: postbacks and ticker order updates, the daily login, instrument refresh.

Order updates from either channel become a `BrokerOrder` and go to the one order-core entry
point, `orders.services.order_apply_broker_update`, which is idempotent; identical replays are
also dropped here before touching the database.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.cache import cache

from accounts.models import TradingAccount
from accounts.selectors import account_resolve
from oms_project.lib.brokers import BrokerError, BrokerOrder

from .client import KiteBroker
from .convert import order_from_kite, postback_checksum_ok
from .errors import (
    KiteAccountRequired,
    KiteBrokerError,
    KiteLoginFailed,
    KiteLoginStateInvalid,
    KitePostbackChecksumInvalid,
    KitePostbackInvalid,
)

if TYPE_CHECKING:
    from marketdata.services import ImportResult

logger = logging.getLogger(__name__)

# Kite redelivers nothing after a day; keep replay fingerprints that long.
REPLAY_WINDOW_SECONDS = 24 * 3600
LOGIN_STATE_SALT = "orders.kite.login"
LOGIN_STATE_MAX_AGE_SECONDS = 15 * 60
_FINGERPRINT_FIELDS = (
    "order_id", "status", "quantity", "filled_quantity", "pending_quantity", "cancelled_quantity", "price",
    "trigger_price", "average_price", "order_type", "order_timestamp", "exchange_update_timestamp", "status_message",
)  # fmt: skip


def _fingerprint(account_id: int, payload: dict[str, Any]) -> str:
    text = "|".join(str(payload.get(name)) for name in _FINGERPRINT_FIELDS)
    return "kite-update:" + hashlib.sha256(f"{account_id}|{text}".encode()).hexdigest()


def _apply_update(account: TradingAccount, update: BrokerOrder, source: str) -> Any:
    from orders.services import order_apply_broker_update

    return order_apply_broker_update(account=account, order=update, source=source)


def kite_order_update_apply(*, account: TradingAccount, payload: dict[str, Any], source: str = "postback") -> bool:
    """Apply one Kite order update (postback or ticker message); False when it is a replay."""
    if not payload.get("order_id") or not payload.get("status"):
        raise KitePostbackInvalid()
    key = _fingerprint(account.pk, payload)
    if not cache.add(key, 1, timeout=REPLAY_WINDOW_SECONDS):
        return False
    try:
        _apply_update(account, order_from_kite(payload), source)
    except Exception:
        cache.delete(key)  # let a redelivery try again
        raise
    return True


def kite_postback_receive(*, payload: Any) -> bool:
    """A postback from Kite: find the account by user_id whose api_secret makes the checksum match."""
    if not isinstance(payload, dict) or not payload.get("user_id") or not payload.get("order_id"):
        raise KitePostbackInvalid()
    candidates = TradingAccount.objects.filter(kind=TradingAccount.Kind.KITE, kite_user_id=str(payload["user_id"]))
    for account in candidates:
        if account.kite_api_secret and postback_checksum_ok(payload, account.kite_api_secret):
            return kite_order_update_apply(account=account, payload=payload)
    logger.warning(
        "kite postback with a bad checksum for user_id=%s order_id=%s", payload["user_id"], payload["order_id"]
    )
    raise KitePostbackChecksumInvalid()


# --- daily login ---------------------------------------------------------------------------------


def _kite_account(user: AbstractBaseUser, account_id: int) -> TradingAccount:
    account = account_resolve(user=user, account_id=account_id)  # refuses deactivated accounts
    if account.kind != TradingAccount.Kind.KITE:
        raise KiteAccountRequired()
    return account


def kite_login_url(*, user: AbstractBaseUser, account_id: int) -> str:
    """Kite's login page for this account; the signed state comes back through redirect_params."""
    account = _kite_account(user, account_id)
    state = signing.dumps({"a": account.pk, "u": user.pk}, salt=LOGIN_STATE_SALT)
    query = urlencode({"v": 3, "api_key": account.kite_api_key or "", "redirect_params": urlencode({"state": state})})
    return f"{settings.KITE_LOGIN_URL}?{query}"


def kite_login_complete(*, user: AbstractBaseUser, state: str, request_token: str, status: str) -> TradingAccount:
    """The redirect back from Kite: exchange the request_token and keep today's access token."""
    from accounts.services import kite_session_store

    try:
        data = signing.loads(state, salt=LOGIN_STATE_SALT, max_age=LOGIN_STATE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise KiteLoginStateInvalid() from None
    if data.get("u") != user.pk:
        raise KiteLoginStateInvalid()
    account = _kite_account(user, data.get("a"))
    if status != "success" or not request_token:
        raise KiteLoginFailed()
    try:
        session = KiteBroker(account).generate_session(request_token)
    except BrokerError as exc:
        raise KiteBrokerError(f"Kite refused the login: {exc.message}") from exc
    return kite_session_store(
        user=user, account_id=account.pk, access_token=session["access_token"], kite_user_id=session["user_id"]
    )


# --- instrument master ---------------------------------------------------------------------------


def kite_instruments_refresh(*, user: AbstractBaseUser, account_id: int) -> ImportResult:
    """Refresh the instrument master from this account's `kiteconnect.instruments()`."""
    from marketdata.services import instruments_import_rows

    account = _kite_account(user, account_id)
    try:
        rows = KiteBroker(account).instruments()
    except BrokerError as exc:
        raise KiteBrokerError(f"Could not download instruments from Kite: {exc.message}") from exc
    # A real dump has thousands of rows; one odd row must not block the rest (it is reported).
    return instruments_import_rows(rows, skip_invalid=True)
