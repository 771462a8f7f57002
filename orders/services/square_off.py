"""Square off an account: cancel its working orders, then exit every open position with a MARKET order
through the pre-trade pipeline, as the caller's actor (the system for a margin call or a kill switch).

Minimal on purpose (margin calls, #10): each position exits on its own (auto-sliced above the freeze limit);
one that cannot be exited is reported in `failures` and the others still go. Reductions pass the margin
stages (an order that closes a position needs no margin).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from oms_project.lib.errors import DomainError
from portfolio import selectors as portfolio_selectors

from ..models import Order
from .order_changes import orders_cancel_all
from .positions import position_exit

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SquareOffResult:
    orders: list[Order] = field(default_factory=list)  # the exit orders sent
    cancelled: list[Order] = field(default_factory=list)  # working orders cancelled first
    failures: list[str] = field(default_factory=list)  # "NIFTY26DECFUT: <code> <message>"


def square_off(
    *, user: AbstractBaseUser, account_id: int, actor: str, reason: str = "", cancel_working: bool = True
) -> SquareOffResult:
    result = SquareOffResult()
    if cancel_working:
        try:
            result.cancelled = orders_cancel_all(user=user, account_id=account_id, actor=actor)
        except DomainError as exc:
            result.failures.append(f"cancel working orders: {exc.code} {exc.message}")
    positions = [p for p in portfolio_selectors.positions_for(user=user, open_only=True) if p.account_id == account_id]
    for position in positions:
        try:
            result.orders.append(position_exit(user=user, position_id=position.pk, actor=actor))
        except DomainError as exc:
            result.failures.append(f"{position.tradingsymbol}: {exc.code} {exc.message}")
        except Exception as exc:  # one failure must not leave the other positions open
            logger.exception("square-off of position %s failed (%s)", position.pk, reason)
            result.failures.append(f"{position.tradingsymbol}: {type(exc).__name__}")
    return result
