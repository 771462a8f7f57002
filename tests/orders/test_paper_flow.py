"""Paper venue fills through the order core: MARKET walks depth, LIMIT rests then crosses, SL triggers, IOC, DAY."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import services
from orders.models import OrderEvent
from paper_venue.models import PaperVenueOrder
from portfolio.models import Position, Trade
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def test_market_order_fills_at_best_ask_and_books_position(fut, place):
    order = place(quantity=75)
    assert order.status == "COMPLETE"
    assert order.filled_quantity == 75
    assert order.average_price == D("24000.05")
    assert order.broker_order_id
    pos = Position.objects.get(account=order.account, instrument_token=1001)
    assert pos.quantity == 75 and pos.average_price == D("24000.05")
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[0] == "CREATED" and "FILLED" in kinds


def test_market_order_walks_depth_and_partially_fills_remainder_rests(fut, fake_market, place):
    # 2 levels of 75 within protection; a larger order fills 150 and the rest rests at the protection price.
    fake_market.set(1001, "24000", level_qty=75, levels=2)
    order = place(quantity=300)
    assert order.filled_quantity == 150
    assert order.status == "PARTIALLY_FILLED"
    assert order.average_price == D("24000.0750")  # (24000.05 + 24000.10) / 2
    assert Trade.objects.filter(order=order).count() == 2


def test_ioc_market_cancels_what_is_left(fut, fake_market, place):
    fake_market.set(1001, "24000", level_qty=75, levels=1)
    order = place(quantity=225, validity="IOC")
    assert order.status == "CANCELLED"
    assert order.filled_quantity == 75
    assert order.cancelled_quantity == 150


def test_limit_rests_then_fills_when_market_crosses(fut, fake_market, place):
    order = place(order_type="LIMIT", price=D("23900"))
    assert order.status == "OPEN"
    assert order.filled_quantity == 0
    fake_market.set(1001, "23890")
    assert services.paper_match_all(at=timezone.now() + timedelta(seconds=5)) == 1
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    assert order.average_price <= D("23900")


def test_sl_sell_triggers_when_price_falls(fut, fake_market, place):
    place(quantity=75)  # long first
    sl = place(transaction_type="SELL", order_type="SL-M", trigger_price=D("23950"))
    assert sl.status == "TRIGGER PENDING"
    services.paper_match_all()
    sl.refresh_from_db()
    assert sl.status == "TRIGGER PENDING"
    fake_market.set(1001, "23940")
    services.paper_match_all()
    sl.refresh_from_db()
    assert sl.status == "COMPLETE"
    assert Position.objects.get(instrument_token=1001).quantity == 0


def test_day_order_expires_at_the_close(fut, place):
    order = place(order_type="LIMIT", price=D("23000"))
    assert order.status == "OPEN"
    vo = PaperVenueOrder.objects.get(tag=order.tag)
    services.paper_match_all(at=vo.expires_at + timedelta(seconds=1))
    order.refresh_from_db()
    assert order.status == "EXPIRED"
    assert order.pending_quantity == 0


def test_insufficient_funds_refused_before_the_broker(user, fut, place, account):
    # The pre-trade stage margin.funds (the margin engine) refuses it; nothing is stored or sent.
    from margin.errors import InsufficientMargin
    from orders.models import Order

    account.paper_capital = D("1000")
    account.save()
    with pytest.raises(InsufficientMargin) as refused:
        place(quantity=75)
    assert refused.value.details["available"] == "1000.00"
    assert D(refused.value.details["shortfall"]) == D(refused.value.details["required"]) - D("1000")
    assert not Order.objects.exists()


def test_cancel_open_limit(user, fut, place):
    order = place(order_type="LIMIT", price=D("23900"))
    order = services.order_cancel(user=user, order_id=order.pk)
    assert order.status == "CANCELLED"
    assert PaperVenueOrder.objects.get(tag=order.tag).status == "CANCELLED"


def test_modify_open_limit_to_marketable_fills(user, fut, place):
    order = place(order_type="LIMIT", price=D("23900"))
    order = services.order_modify(user=user, order_id=order.pk, price=D("24001"))
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    assert order.modification_count == 1


def test_market_order_on_the_real_simulated_market(user, account):
    """No faked quotes: the demo instrument master and marketdata's simulator drive the paper venue."""
    import datetime

    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh

    demo_instruments_refresh(today=datetime.date.today())
    inst = Instrument.objects.filter(instrument_type="FUT").order_by("expiry").first()
    order = place_order(user, instrument_token=inst.instrument_token, transaction_type="BUY",
                        quantity=inst.lot_size, product="NRML", order_type="MARKET")
    assert order.status in ("COMPLETE", "PARTIALLY_FILLED")
    assert order.filled_quantity > 0 and order.average_price > 0
