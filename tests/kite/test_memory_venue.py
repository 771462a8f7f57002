"""The sandbox's in-memory venue answers the one broker interface (`oms_project.lib.brokers.Broker`)."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest

from devtools.kite_sandbox import MemoryVenue
from devtools.kite_sandbox.venue import Venue
from oms_project.lib.brokers import Broker, BrokerOrderRequest


def _limit(venue: MemoryVenue, price: str) -> str:
    return venue.place_order(
        BrokerOrderRequest(tag="t1", exchange="NSE", tradingsymbol="INFY", instrument_token=0,
                           transaction_type="BUY", quantity=10, product="MIS", order_type="LIMIT",
                           price=Decimal(price))
    )  # fmt: skip


def test_venue_is_the_broker_interface_plus_a_listener():
    broker_ops = {name for name, _ in inspect.getmembers(Broker, inspect.isfunction) if not name.startswith("_")}
    venue_ops = {name for name, _ in inspect.getmembers(Venue, inspect.isfunction) if not name.startswith("_")}
    assert venue_ops - broker_ops == {"add_listener"}
    for name in broker_ops:
        assert callable(getattr(MemoryVenue, name)), name


def test_modify_changes_what_the_interface_names_and_nothing_else():
    venue = MemoryVenue()
    venue.set_price("NSE", "INFY", Decimal("100"))
    order_id = _limit(venue, "90")
    changed = venue.modify_order(order_id, quantity=20, price=Decimal("95"), validity="IOC", trigger_price=None)
    assert changed == order_id
    order = venue.orders()[0]
    assert (order.status, order.quantity, order.pending_quantity, order.price, order.validity) == (
        "OPEN", 20, 20, Decimal("95"), "IOC",
    )  # fmt: skip
    with pytest.raises(TypeError, match="tag"):
        venue.modify_order(order_id, tag="other")
    venue.modify_order(order_id, price=Decimal("101"))  # crosses the market: fills
    assert venue.orders()[0].status == "COMPLETE"
