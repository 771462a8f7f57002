"""Broker reports as values: the paper broker answers what happened and never calls into the order core;
the caller feeds executions to the one inbound path."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oms_project.lib.brokers import BrokerOrderRequest, BrokerRejected, ReportOutcome, report_of_call
from orders.models import Order
from orders.services import order_apply_broker_update
from paper_venue.broker import PaperBroker
from portfolio.models import Trade

pytestmark = pytest.mark.django_db


def request_for(order: Order) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=order.tag, exchange="NFO", tradingsymbol="NIFTY26DECFUT", instrument_token=1001,
        transaction_type="BUY", quantity=75, product="NRML", order_type="MARKET", market_protection=-1,
    )  # fmt: skip


def test_paper_place_reports_its_fills_and_books_nothing_itself(account, fut, place) -> None:
    order = place(submit=False)  # committed, not sent
    report = PaperBroker(account).place_order(request_for(order))
    assert report.outcome == ReportOutcome.ACCEPTED and report.broker_order_id
    [execution] = report.executions
    assert execution.order.status == "COMPLETE" and execution.order.tag == order.tag
    assert sum(t.quantity for t in execution.trades) == 75
    assert not Trade.objects.filter(order=order).exists()  # the venue did not touch the order core
    order_apply_broker_update(account=account, order=execution.order, trades=list(execution.trades), source="paper")
    assert Trade.objects.filter(order=order).count() == len(execution.trades)
    again = order_apply_broker_update(account=account, order=execution.order, trades=list(execution.trades))
    assert again is not None and Trade.objects.filter(order=order).count() == len(execution.trades)  # idempotent


def test_a_refusal_is_a_value_with_the_brokers_words(account, fut, place) -> None:
    order = place(submit=False)
    bad = request_for(order)
    report = PaperBroker(account).place_order(replace(bad, tag="x" * 21))
    assert report.outcome == ReportOutcome.REFUSED and "20 characters" in report.message
    assert report.broker_order_id is None and report.executions == ()


def test_report_of_call_reads_raising_and_plain_answers() -> None:
    def refuses() -> str:
        raise BrokerRejected("Insufficient funds.")

    assert report_of_call(refuses).outcome == ReportOutcome.REFUSED
    assert report_of_call(lambda: 12345).broker_order_id == "12345"


def test_the_paper_venue_imports_nothing_of_the_order_core() -> None:
    import ast
    from pathlib import Path

    import paper_venue

    paths = list(Path(paper_venue.__file__).parent.rglob("*.py"))
    assert len(paths) >= 4  # the package, its models, venue and broker
    for path in paths:
        tree = ast.parse(path.read_text())
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in names if m == "orders" or m.startswith("orders.")], path.name


def _resting(order: Order) -> BrokerOrderRequest:
    return replace(request_for(order), order_type="LIMIT", price=order.price, market_protection=None)


@pytest.mark.parametrize("row_moved", [False, True])
def test_an_unfilled_answer_applies_to_the_senders_copy_or_else_under_the_lock(account, fut, place, row_moved) -> None:
    from django.db.models import F

    from orders.models import OrderEvent

    order = place(submit=False, order_type="LIMIT", price="20000")
    report = PaperBroker(account).place_order(_resting(order))
    [execution] = report.executions
    assert execution.order.status == "OPEN" and not execution.trades
    if row_moved:  # e.g. the sender renewed its claim meanwhile: the copy's version is stale
        Order.objects.filter(pk=order.pk).update(version=F("version") + 1)
    applied = order_apply_broker_update(account=account, order=execution.order, source="paper", held=order)
    row = Order.objects.get(pk=order.pk)
    assert applied is not None and applied.status == row.status == "OPEN"
    assert row.broker_order_id == execution.order.broker_order_id and row.pending_quantity == 75
    statuses = OrderEvent.objects.filter(order=order, kind="STATUS")
    assert [(e.from_status, e.to_status) for e in statuses] == [("PENDING_SUBMIT", "OPEN")]
