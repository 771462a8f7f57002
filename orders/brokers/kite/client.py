"""`KiteBroker`: the Broker interface over the real `kiteconnect.KiteConnect` client.

Error mapping (kiteconnect 5.2.2 raises its own exceptions for API errors and lets `requests`
exceptions through untouched, see /work/shared/research/kite-api.md §1.4):
- 403 / TokenException           -> BrokerAuthError (the stored access token is forgotten)
- 429 / "Too many requests"      -> BrokerRateLimited
- Input/Order/Margin/other 4xx   -> BrokerRejected (a proven refusal)
- 502/503 Network/Data           -> BrokerUnavailable (Kite's OMS answered that it could not take it)
- 500/504 on place/modify/cancel -> BrokerOutcomeUnknown (may have been accepted); on reads Unavailable
- connection refused / DNS / connect timeout (nothing sent)          -> BrokerUnavailable
- read timeout / connection reset after the request was sent         -> BrokerOutcomeUnknown for writes
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import requests
from django.conf import settings
from kiteconnect import KiteConnect
from kiteconnect import exceptions as kite_ex

from oms_project.lib.brokers import (
    BrokerAuthError,
    BrokerError,
    BrokerFunds,
    BrokerOrder,
    BrokerOrderRequest,
    BrokerOutcomeUnknown,
    BrokerPosition,
    BrokerRateLimited,
    BrokerRejected,
    BrokerReport,
    BrokerTrade,
    BrokerUnavailable,
    report_of_call,
)

from .convert import funds_from_kite, order_from_kite, position_from_kite, trade_from_kite

logger = logging.getLogger(__name__)

T = TypeVar("T")

# kiteconnect's own default is 7 s; an order call that takes longer is treated as an unknown outcome.
DEFAULT_TIMEOUT_SECONDS = 7.0
# Kite's 429 carries no Retry-After; its limits are per calendar second (kite-api.md §6).
RATE_LIMIT_RETRY_AFTER_SECONDS = 1.0


def _price(value: Decimal | None) -> str | None:
    # kiteconnect form-encodes whatever we pass; str(Decimal) keeps "101.05" exact on the wire.
    return None if value is None else str(value)


def _is_connect_failure(exc: requests.RequestException) -> bool:
    """True when the request provably never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = repr(exc)
        return any(
            marker in text
            for marker in (
                "NewConnectionError",
                "Connection refused",
                "Name or service not known",
                "NameResolutionError",
            )
        )
    return False


class KiteBroker:
    """One Kite account's broker. Build per use: `KiteBroker(account)`."""

    def __init__(self, account: Any, *, timeout: float | None = None, client: KiteConnect | None = None) -> None:
        self.account = account
        self.timeout = timeout or getattr(settings, "KITE_HTTP_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
        self._client = client

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def client(self) -> KiteConnect:
        if self._client is None:
            self._client = KiteConnect(
                api_key=self.account.kite_api_key or "",
                access_token=self.account.kite_access_token or None,
                root=settings.KITE_API_ROOT,
                timeout=self.timeout,
            )
        return self._client

    def _require_session(self) -> None:
        if not self.account.kite_access_token:
            raise BrokerAuthError("This Kite account has no valid session today; log in to Kite again.")

    def _session_expired(self) -> None:
        from accounts.services import kite_session_clear

        kite_session_clear(account=self.account)
        self.account.kite_access_token = ""

    def _call(self, fn: Callable[[], T], *, write: bool, needs_session: bool = True) -> T:
        if needs_session:
            self._require_session()
        try:
            return fn()
        except kite_ex.TokenException as exc:
            self._session_expired()
            raise BrokerAuthError(str(exc)) from exc
        except kite_ex.KiteException as exc:
            raise self._map_kite_exception(exc, write=write) from exc
        except requests.RequestException as exc:
            if _is_connect_failure(exc):
                raise BrokerUnavailable(f"Kite is unreachable: {exc.__class__.__name__}") from exc
            if write:
                raise BrokerOutcomeUnknown(f"No answer from Kite after sending ({exc.__class__.__name__})") from exc
            raise BrokerUnavailable(f"Kite did not answer ({exc.__class__.__name__})") from exc

    def _map_kite_exception(self, exc: kite_ex.KiteException, *, write: bool) -> BrokerError:
        code = getattr(exc, "code", 500) or 500
        message = str(exc)
        if code == 429 or "too many requests" in message.lower():
            return BrokerRateLimited(message, retry_after=RATE_LIMIT_RETRY_AFTER_SECONDS)
        if code == 403:
            # PermissionException (e.g. an app without order rights): a refusal, session still valid.
            return BrokerRejected(message)
        if 400 <= code < 500:
            return BrokerRejected(message)
        if isinstance(exc, kite_ex.OrderException):
            return BrokerRejected(message)
        if write and code in (500, 504):
            return BrokerOutcomeUnknown(message)
        return BrokerUnavailable(message)

    # --- session and reference data (no Broker protocol) ------------------------------------

    def generate_session(self, request_token: str) -> dict[str, Any]:
        """Exchange a login redirect's request_token for today's access token."""
        secret = self.account.kite_api_secret or ""
        data = self._call(
            lambda: self.client.generate_session(request_token, api_secret=secret), write=False, needs_session=False
        )
        return {"access_token": data.get("access_token", ""), "user_id": data.get("user_id", ""), "raw": data}

    def profile(self) -> dict[str, Any]:
        return self._call(self.client.profile, write=False)

    def instruments(self, exchange: str | None = None) -> list[dict[str, Any]]:
        return self._call(lambda: self.client.instruments(exchange), write=False)

    # --- Broker protocol -------------------------------------------------------------------

    def place_order(self, request: BrokerOrderRequest) -> BrokerReport:
        params: dict[str, Any] = {
            "variety": request.variety,
            "exchange": request.exchange,
            "tradingsymbol": request.tradingsymbol,
            "transaction_type": request.transaction_type,
            "quantity": request.quantity,
            "product": request.product,
            "order_type": request.order_type,
            "price": _price(request.price) if request.order_type in ("LIMIT", "SL") else None,
            "trigger_price": _price(request.trigger_price) if request.order_type in ("SL", "SL-M") else None,
            "validity": request.validity,
            "validity_ttl": request.validity_ttl if request.validity == "TTL" else None,
            "disclosed_quantity": request.disclosed_quantity or None,
            "tag": request.tag or None,
        }
        if request.variety == "iceberg":
            # Kite's own iceberg (orders.kite_iceberg): one request, Kite places each leg after the last filled.
            params["iceberg_legs"] = request.iceberg_legs
            params["iceberg_quantity"] = request.iceberg_quantity
        if request.order_type in ("MARKET", "SL-M"):
            # Mandatory since 1 April 2026; -1 = Kite's automatic protection (kite-api.md §6).
            params["market_protection"] = request.market_protection if request.market_protection is not None else -1
        elif request.market_protection is not None:
            params["market_protection"] = request.market_protection
        return self._write(lambda: self.client.place_order(**params))

    def modify_order(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        order_type: str | None = None,
        validity: str | None = None,
        variety: str = "regular",
    ) -> BrokerReport:
        extra: dict[str, Any] = {}
        if order_type in ("MARKET", "SL-M"):
            extra["market_protection"] = -1  # required when switching to MARKET (kite-api.md §6)
        return self._write(
            lambda: self.client.modify_order(
                variety=variety,
                order_id=broker_order_id,
                quantity=quantity,
                price=_price(price),
                trigger_price=_price(trigger_price),
                order_type=order_type,
                validity=validity,
                **extra,
            )
        )

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> BrokerReport:
        return self._write(lambda: self.client.cancel_order(variety=variety, order_id=broker_order_id))

    def _write(self, call: Any) -> BrokerReport:
        """A write request as what Kite said: accepted with its order id, or the failure as a value (refused,
        unknown, unavailable, rate limited, session expired: the `_call` mapping). Updates arrive later, by
        postback or KiteTicker, through the one inbound path."""
        return report_of_call(lambda: str(self._call(call, write=True)))

    def orders(self) -> list[BrokerOrder]:
        return [order_from_kite(row) for row in self._call(self.client.orders, write=False) or []]

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        rows = self._call(lambda: self.client.order_history(broker_order_id), write=False) or []
        return [order_from_kite(row) for row in rows]

    def trades(self) -> list[BrokerTrade]:
        return [trade_from_kite(row) for row in self._call(self.client.trades, write=False) or []]

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]:
        rows = self._call(lambda: self.client.order_trades(broker_order_id), write=False) or []
        return [trade_from_kite(row) for row in rows]

    def positions(self) -> list[BrokerPosition]:
        data = self._call(self.client.positions, write=False) or {}
        return [position_from_kite(row) for row in data.get("net", [])]

    def funds(self) -> BrokerFunds:
        return funds_from_kite(self._call(self.client.margins, write=False) or {})

    def margins(self) -> dict[str, Any]:
        return self._call(self.client.margins, write=False)

    def order_margins(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Kite's margin of each order (POST /margins/orders), considering the account's positions."""
        return self._call(lambda: self.client.order_margins(orders), write=False)

    def basket_order_margins(self, orders: list[dict[str, Any]], *, consider_positions: bool = True) -> dict[str, Any]:
        """Kite's basket margin (POST /margins/basket): initial, final (with the spread benefit), orders."""
        return self._call(
            lambda: self.client.basket_order_margins(orders, consider_positions=consider_positions), write=False
        )
