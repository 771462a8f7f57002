"""The matcher step takes no transaction for resting orders the market does not reach (each one took the SQLite
write lock every second in embedded mode), and still works the orders it does reach."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paper_venue.broker import PaperBroker

pytestmark = pytest.mark.django_db


def test_resting_orders_cost_one_read_and_no_transaction(user, account, fut, fake_market, place):
    orders = [place(order_type="LIMIT", price="23000", client_order_id=uuid.uuid4().hex) for _ in range(20)]
    assert {o.status for o in orders} == {"OPEN"}
    venue = PaperBroker(account).venue
    with CaptureQueriesContext(connection) as ctx:
        assert venue.match() == 0
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 2, sql  # the working orders, read once, unlocked; their instrument, once
    assert not any("SAVEPOINT" in s or "FOR UPDATE" in s for s in sql)

    # The market comes down through the limit with enough offers for the queue ahead and all twenty.
    fake_market.set(fut.instrument_token, "22990", level_qty=1500)
    assert venue.match() == 20
