"""Square an account (or one strategy) off: cancel every open order, then exit every open position through
the pre-trade pipeline as the system. Used by the kill switch (risk publishes `risk.kill_switch_engaged`;
`on_kill_switch_engaged` is subscribed in orders/apps.py), by `client.strategies.square_off_all()` and by
margin calls.

Exits are MARKET orders with market protection on (Kite requires it, research/kite-api.md §6; normalise sets
the automatic -1), sliced at the freeze limit (`auto_slice`), never SL-M (NSE refuses SL-M on options,
research/reference-data.md §9.2). They are reducing orders, so an engaged kill switch and every exposure
limit pass them (risk/limits.py). The kill switch retries until flat or `KILL_SWITCH_SQUARE_OFF_ATTEMPTS`
(default 3) attempts, `KILL_SWITCH_RETRY_SECONDS` apart, then risk raises an URGENT alert and halts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from accounts.models import TradingAccount
from oms_project.lib.errors import DomainError
from oms_project.lib.pretrade import AlgoParams, OrderIntent
from portfolio import selectors as portfolio_selectors

from ..domain import WORKING, OrderRole, OrderStatus, OrderType
from ..models import Order
from . import placement
from .order_changes import _cancel

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


def _sleep(seconds: float) -> None:  # patched by tests
    time.sleep(seconds)


@dataclass
class SquareOffResult:
    account_id: int = 0
    orders: list[Order] = field(default_factory=list)  # the exit orders sent
    cancelled: list[Order] = field(default_factory=list)  # open orders cancelled first
    failures: list[str] = field(default_factory=list)  # "NIFTY26DECFUT: <code> <message>"
    failure_details: list[dict[str, Any]] = field(default_factory=list)
    open_positions: list[dict[str, Any]] = field(default_factory=list)  # still open after this pass

    @property
    def flat(self) -> bool:
        return not self.open_positions

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "cancelled": [o.pk for o in self.cancelled],
            "exits": [o.pk for o in self.orders],
            "failures": self.failure_details,
            "open_positions": self.open_positions,
            "flat": self.flat,
        }


def _open_orders(account_id: int, strategy_id: int | None, product: str | None = None) -> list[Order]:
    qs = Order.objects.filter(
        account_id=account_id,
        status__in=[*WORKING, OrderStatus.PENDING_APPROVAL, OrderStatus.PENDING_SUBMIT],
        children__isnull=True,
    )
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    if product is not None:
        qs = qs.filter(product=product)
    return list(qs.order_by("id"))


def _open_positions(account: TradingAccount, strategy_id: int | None, product: str | None = None) -> list[Any]:
    positions = [p for p in portfolio_selectors.positions_for(account=account, open_only=True) if p.quantity]
    if strategy_id is not None:
        positions = [p for p in positions if p.strategy_id == strategy_id]
    if product is not None:
        positions = [p for p in positions if p.product == product]
    return positions


def square_off(
    account_id: int,
    strategy_id: int | None = None,
    *,
    reason: str = "",
    actor: str = SYSTEM_ACTOR,
    user: Any = None,
    cancel_working: bool = True,
    product: str | None = None,
) -> SquareOffResult:
    """One pass over an account (or one of its strategies): cancel the open orders, then one reducing MARKET
    exit per open position. Failures are collected, never raised (one must not leave the others open);
    `open_positions` says what is still open afterwards. `user`, when given, must own the account (the
    margin-call subscriber passes it). `product` limits the pass to one product (housekeeping's MIS square-off)."""
    account = TradingAccount.objects.select_related("user").get(pk=account_id)
    if user is not None and account.user_id != user.pk:
        raise TradingAccount.DoesNotExist()
    out = SquareOffResult(account_id=account_id)
    for order in _open_orders(account_id, strategy_id, product) if cancel_working else []:
        try:
            out.cancelled.append(_cancel(order, actor=actor, reason=f"square-off: {reason}".strip(": ")))
        except DomainError as exc:
            out.failures.append(f"cancel #{order.pk}: {exc.code} {exc.message}")
            out.failure_details.append(
                {"order_id": order.pk, "step": "cancel", "code": exc.code, "message": exc.message}
            )
    for p in _open_positions(account, strategy_id, product):
        intent = OrderIntent(
            user_id=account.user_id,
            account_id=account.pk,
            instrument_token=p.instrument_token,
            transaction_type="SELL" if p.quantity > 0 else "BUY",
            quantity=abs(p.quantity),
            product=p.product,
            order_type=OrderType.MARKET,
            strategy_id=p.strategy_id,
            role=OrderRole.EXIT,
            algo=AlgoParams(auto_slice=True),
            confirm_duplicate=True,
            tag="squareoff",
            actor=actor,
        )
        try:
            out.orders.append(placement.order_place(intent, user=account.user))
        except DomainError as exc:
            out.failures.append(f"{p.tradingsymbol}: {exc.code} {exc.message}")
            out.failure_details.append(
                {
                    "position_id": p.pk,
                    "step": "exit",
                    "code": exc.code,
                    "message": exc.message,
                    "tradingsymbol": p.tradingsymbol,
                }
            )
        except Exception as exc:  # noqa: BLE001 - one failure must not leave the other positions open
            logger.exception("square-off of position %s failed (%s)", p.pk, reason)
            out.failures.append(f"{p.tradingsymbol}: {type(exc).__name__}")
            out.failure_details.append({"position_id": p.pk, "step": "exit", "code": type(exc).__name__})
    out.open_positions = [
        {"position_id": p.pk, "tradingsymbol": p.tradingsymbol, "quantity": p.quantity, "product": p.product}
        for p in _open_positions(account, strategy_id, product)
    ]
    # An order still open (claimed and being sent when the cancel came, or an exit the broker has not filled
    # yet) may still change the position: not flat until it settles (the kill switch retries).
    if cancel_working:
        out.open_positions += [
            {"order_id": o.pk, "tradingsymbol": o.tradingsymbol, "status": o.status}
            for o in _open_orders(account_id, strategy_id, product)
        ]
    return out


def square_off_user(*, user: Any, reason: str, actor: str = "") -> list[SquareOffResult]:
    """Every active account of the user (`POST /api/v1/strategies/square-off-all/`)."""
    return [
        square_off(a.pk, reason=reason, actor=actor or f"user:{user.pk}")
        for a in TradingAccount.objects.filter(user=user, is_active=True).order_by("id")
    ]


def on_kill_switch_engaged(event: Any) -> None:
    """risk.kill_switch_engaged: square every governed account off, retrying what is not flat, and report
    each attempt to risk (HALTED when flat or when the attempts are used up, then an URGENT alert)."""
    from risk.services import kill_switch_square_off_result

    attempts = int(getattr(settings, "KILL_SWITCH_SQUARE_OFF_ATTEMPTS", 3))
    pause = float(getattr(settings, "KILL_SWITCH_RETRY_SECONDS", 1.0))
    pending = list(event.account_ids)
    for attempt in range(1, attempts + 1):
        results = []
        for account_id in pending:
            try:
                results.append(square_off(account_id, reason=event.reason, actor=SYSTEM_ACTOR))
            except Exception:  # noqa: BLE001 - one account's failure must not stop the others
                logger.exception("square-off of account %s failed", account_id)
                results.append(SquareOffResult(account_id=account_id, open_positions=[{"error": "square-off failed"}]))
        pending = [r.account_id for r in results if not r.flat]
        summary = {
            "results": [r.as_json() for r in results],
            "open": {str(r.account_id): r.open_positions for r in results if not r.flat},
        }
        engaged = kill_switch_square_off_result(
            switch_id=event.switch_id, flat=not pending, attempt=attempt, max_attempts=attempts, summary=summary
        )
        if not pending or not engaged:
            return  # flat, or released from REDUCING meanwhile: no further attempt
        if attempt < attempts:
            _sleep(pause)
