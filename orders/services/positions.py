"""Net positions: booking a fill into its position; exiting a position with a MARKET order."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from oms_project.lib.pretrade import AlgoParams, OrderIntent

from .. import errors
from ..domain import (
    OrderRole,
    OrderType,
)
from ..models import Order, Position, Trade
from ..positions_math import PositionState, apply_fill, signed
from . import placement


def _position_apply(o: Order, trade: Trade) -> Position:
    lookup = dict(
        account_id=o.account_id,
        instrument_token=trade.instrument_token,
        product=trade.product,
        strategy_id=o.strategy_id,
    )
    position = Position.objects.select_for_update().filter(**lookup).first()
    if position is None:
        try:
            with transaction.atomic():
                position = Position.objects.create(
                    user_id=o.user_id, exchange=trade.exchange, tradingsymbol=trade.tradingsymbol, **lookup
                )
        except IntegrityError:
            position = Position.objects.select_for_update().get(**lookup)
    day = timezone.localdate(trade.fill_timestamp)
    if position.trading_day is None or position.trading_day < day:
        # A new trading day: what is open now was carried overnight.
        position.overnight_quantity = position.quantity
        position.day_buy_quantity = position.day_sell_quantity = 0
        position.trading_day = day
    state = apply_fill(
        PositionState(position.quantity, Decimal(position.average_price), Decimal(position.realized_pnl)),
        signed(trade.transaction_type, trade.quantity),
        trade.price,
    )
    position.quantity = state.quantity
    position.average_price = state.average_price.quantize(Decimal("0.0001"))
    position.realized_pnl = state.realized.quantize(Decimal("0.01"))
    if trade.transaction_type == "BUY":
        position.buy_quantity += trade.quantity
        position.buy_value += trade.price * trade.quantity
        position.day_buy_quantity += trade.quantity
    else:
        position.sell_quantity += trade.quantity
        position.sell_value += trade.price * trade.quantity
        position.day_sell_quantity += trade.quantity
    position.last_price = trade.price
    position.save()
    return position


def position_exit(*, user: AbstractBaseUser, position_id: int, actor: str = "") -> Order:
    position = Position.objects.filter(pk=position_id, user=user).first()
    if position is None:
        raise errors.PositionNotFound()
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
