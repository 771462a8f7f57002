"""Every executed order stores its charges once and posts them to the ledger; strategies total them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from margin import costs
from margin import selectors as ms
from margin.models import OrderCostBreakdown
from portfolio.models import LedgerEntry, Strategy
from portfolio.selectors import funds_for

pytestmark = pytest.mark.django_db


def test_a_filled_order_is_charged_once_and_posted(user, account, fut, place, django_capture_on_commit_callbacks):
    strategy = Strategy.objects.create(user=user, account=account, name="s")
    cash = funds_for(account).cash
    with django_capture_on_commit_callbacks(execute=True):
        order = place(strategy_id=strategy.pk)
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    row = OrderCostBreakdown.objects.get(order_id=order.pk)
    from margin import charges as c

    expected = ms.order_charges(
        c.ChargeInput.from_kite(
            exchange="NFO",
            instrument_type="FUT",
            transaction_type="BUY",
            quantity=75,
            average_price=order.average_price,
            product="NRML",
            order_type="MARKET",
            trade_date=row.trade_date,
            underlying="NIFTY",
        )
    )
    assert row.total_charges == expected.total and row.brokerage == expected.brokerage == D(20)  # 0.03% > ₹20
    entry = LedgerEntry.objects.get(order_id=order.pk, kind="CHARGES")
    assert entry.amount == (-expected.total).quantize(D("0.01")) and row.ledger_entry_id == entry.pk
    assert funds_for(account).cash == cash + entry.amount
    # The same event again (a restart, another process) charges nothing more.
    assert costs.order_costs_record(order_id=order.pk, account_id=account.pk) is None
    assert LedgerEntry.objects.filter(order_id=order.pk, kind="CHARGES").count() == 1
    totals = costs.strategy_charges(strategy)
    assert totals["brokerage"] == D(20) and totals["orders"] == 1
    assert totals["taxes"] == row.total_charges - row.brokerage


def test_an_order_without_fills_is_not_charged(account, fut, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(order_type="LIMIT", price="20000")  # rests far below the market, then is cancelled
    from orders.services import order_cancel

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(user=order.user, order_id=order.pk)
    assert not OrderCostBreakdown.objects.filter(order_id=order.pk).exists()


def test_strategy_charges_api(api, user, account, fut, place, django_capture_on_commit_callbacks, other_api):
    strategy = Strategy.objects.create(user=user, account=account, name="s")
    with django_capture_on_commit_callbacks(execute=True):
        place(strategy_id=strategy.pk)
        place(strategy_id=strategy.pk, transaction_type="SELL")
    r = api.get(f"/api/v1/strategies/{strategy.pk}/charges/")
    assert r.status_code == 200
    body = r.json()
    assert body["orders"] == 2 and D(body["brokerage"]) == 40
    assert D(body["total_charges"]) == D(body["brokerage"]) + D(body["taxes"])
    assert other_api.get(f"/api/v1/strategies/{strategy.pk}/charges/").status_code == 404
