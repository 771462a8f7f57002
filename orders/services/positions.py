"""Exiting a position with a MARKET order. Booking fills into positions is the portfolio's
(`portfolio.services.fill_record`)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from oms_project.lib.pretrade import AlgoParams, OrderIntent
from portfolio import selectors as portfolio_selectors

from .. import errors
from ..domain import (
    OrderRole,
    OrderType,
)
from ..models import Order
from . import placement


def position_exit(*, user: AbstractBaseUser, position_id: int, actor: str = "") -> Order:
    position = portfolio_selectors.position_get(user=user, position_id=position_id)
    if position.quantity == 0:
        raise errors.NothingToExit()
    intent = OrderIntent(
        user_id=user.pk,
        account_id=position.account_id,
        instrument_token=position.instrument_token,
        transaction_type="SELL" if position.quantity > 0 else "BUY",
        quantity=abs(position.quantity),
        product=position.product,
        order_type=OrderType.MARKET,
        strategy_id=position.strategy_id,
        role=OrderRole.EXIT,
        algo=AlgoParams(auto_slice=True),
        confirm_duplicate=True,
        actor=actor or f"user:{user.pk}",
    )
    return placement.order_place(intent, user=user)
