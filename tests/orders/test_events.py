"""The order core's domain events: published after commit with the fill, by name, none on rollback."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction

from oms_project.lib import events
from orders import services
from orders.events import OrderAccepted, OrderFilled, OrderTerminal

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """A subscriber registered by name only, as a lower app (risk, housekeeping) would."""
    got: list = []
    names = ("orders.accepted", "orders.rejected", "orders.filled", "orders.terminal")
    for name in names:
        events.subscribe(name, got.append)
    yield got
    for name in names:
        events.unsubscribe(name, got.append)


def test_a_market_fill_is_one_filled_event_with_its_vwap_then_terminal(
    fut, fake_market, place, heard, django_capture_on_commit_callbacks
) -> None:
    fake_market.set(1001, "24000", level_qty=30)  # 75 units walk three ask levels: 30 + 30 + 15
    with django_capture_on_commit_callbacks(execute=True):
        order = place(quantity=75)
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    kinds = [type(e) for e in heard]
    # Filled at once by the venue: it never worked at the broker, so there is no "accepted".
    assert kinds == [OrderFilled, OrderTerminal]
    filled = heard[0]
    assert (filled.order_id, filled.quantity, filled.filled_quantity) == (order.pk, 75, 75)
    asks = [D("24000.05"), D("24000.10"), D("24000.15")]
    assert filled.price == (asks[0] * 30 + asks[1] * 30 + asks[2] * 15) / 75
    assert filled.trade_id.count(",") == 2  # the three fills of this update
    assert heard[1].status == "COMPLETE" and heard[1].filled_quantity == 75


def test_a_resting_order_is_accepted_then_terminal_when_cancelled(
    user, fut, place, heard, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = place(order_type="LIMIT", price="23000")
    assert [type(e) for e in heard] == [OrderAccepted]
    assert heard[0].broker_order_id and heard[0].status == "OPEN"
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(user=user, order_id=order.pk)
    assert [type(e) for e in heard] == [OrderAccepted, OrderTerminal]
    assert heard[1].status == "CANCELLED"


def test_nothing_is_published_when_the_change_rolls_back(
    user, fut, place, heard, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = place(order_type="LIMIT", price="23000")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.order_cancel(user=user, order_id=order.pk)
            raise RuntimeError("the request failed after the cancel")
    assert heard == []
    order.refresh_from_db()
    assert order.status == "OPEN"
