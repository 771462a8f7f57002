"""The order core reacts to portfolio.position_closed (a subscriber registered in orders' ready()): the
closed position's bracket exits are cancelled, unless its strategy allows orphaned orders."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from oms_project.lib import events
from orders import services
from orders.models import Order
from orders.services import brackets
from portfolio.events import PositionClosed
from portfolio.models import Position

pytestmark = pytest.mark.django_db


def exits_of(entry):  # noqa: ANN001, ANN201
    return {o.role: o for o in Order.objects.filter(parent=entry).exclude(role="SLICE")}


def closed_event(position: Position) -> PositionClosed:
    return PositionClosed(
        position_id=position.pk,
        user_id=position.user_id,
        account_id=position.account_id,
        strategy_id=position.strategy_id,
        instrument_token=position.instrument_token,
        product=position.product,
        quantity=position.quantity,
        average_price=D(position.average_price),
        trade_id=0,
        order_id=0,
        quantity_before=75,
    )


def test_the_subscriber_is_registered_by_the_order_core():
    assert brackets.on_position_closed in events.subscribers(PositionClosed.name)


def test_a_position_closed_event_cancels_its_bracket_exits(fut, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss=D("23900"), target=D("24500"))
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "TRIGGER PENDING" and ex["TARGET"].status == "OPEN"
    position = Position.objects.get(instrument_token=1001)
    Position.objects.filter(pk=position.pk).update(quantity=0)  # flat by some other way (test only)
    position.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(closed_event(position))
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "CANCELLED" and ex["TARGET"].status == "CANCELLED"


def test_closing_the_position_by_an_order_publishes_the_event_and_cancels_exits(
    user, fut, place, django_capture_on_commit_callbacks
):
    seen: list[PositionClosed] = []
    events.subscribe(PositionClosed.name, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            entry = place(stop_loss=D("23900"), target=D("24500"))
            place(transaction_type="SELL")
    finally:
        events.unsubscribe(PositionClosed.name, seen.append)
    assert len(seen) == 1 and seen[0].quantity == 0 and seen[0].quantity_before == 75
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "CANCELLED" and ex["TARGET"].status == "CANCELLED"


def test_orphans_allowed_keeps_the_exits(user, fut, place, django_capture_on_commit_callbacks):
    strat = services.strategy_create(user=user, name="aggr", preset="aggressive")
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss=D("23900"), target=D("24500"), strategy_id=strat.pk)
        place(transaction_type="SELL", strategy_id=strat.pk)
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "TRIGGER PENDING" and ex["TARGET"].status == "OPEN"
