"""Query budget of the hot path (counts, not timings): a resting paper LIMIT order through the API, a filled
MARKET order, and proof that neither grows with the account's history; `GET /api/v1/positions/` in constant
queries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_key_create
from paper_venue.broker import account_ref
from paper_venue.models import PaperVenuePosition
from portfolio.models import Position

pytestmark = pytest.mark.django_db

# SQL statements per resting paper LIMIT order through the API, savepoints not counted (on a server they are
# BEGIN/COMMIT), risk limits off (tests/conftest.py; the risk suite pins its own):
#   API key; account, instrument, replay probe (preferences only above the freeze limit)               4
#   the pre-trade context: open positions (shared by margin and risk), funds (one grouped ledger
#   aggregate), working orders (margin), risk status (monitor), kill switches                        5
#   Order + CREATED event + execution analysis (claimed for sending)                                 3
#   the venue: the venue order (no funds check of its own: margin.funds is the gate)                 1
#   the broker's answer: PLACED event, status UPDATE (conditional on the claim's version) + event    3
# History: 29 (+8 transaction statements) when the venue replayed every trade, 14 before margin, risk and
# execution advice became stages (#10-#12), 21 with them, 20 once margin stopped re-reading the order's own
# instrument, 18 once the venue stopped judging funds a second time with its own estimate, 17 once the broker's
# unfilled answer was applied to the order the sender holds (no locked re-read), 16 once the slicing
# preference was read only for an order above the freeze limit. The count never
# depends on how many positions or orders the account has (test below).
RESTING_LIMIT_STATEMENTS = 16
# With the risk limits on (as shipped): + the recent entries with the instrument's working orders (fat finger, order
# rate, pending orders); the limit overrides, today's equity peak, the F&O ban and the monitor's status are one read.
RESTING_LIMIT_STATEMENTS_WITH_RISK = 17
# The order (claimed), the venue, the broker's answer (PLACED event + the report applied, in one block).
RESTING_LIMIT_TRANSACTIONS = 3
# A MARKET order that fills at once (one depth level), placed through the service: the resting order's, plus
# the book side it reads for the analysis; the fill at the venue (the used-up depth locked + updated, trade,
# venue position locked + updated, venue order updated) and in the order core (stored fills read once, replay
# check of the trade id, trade, position locked + updated, status + event, the fill's alert with its
# preferences), and the margin snapshot after the fill (eager Celery in tests; a worker's job on a server).
FILLED_MARKET_STATEMENTS = 30


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def _transactions(ctx: CaptureQueriesContext) -> int:
    # In a test everything runs inside the test's transaction: an outermost atomic block is a savepoint here
    # (one opened at depth 0); savepoints nested in it are not transactions on a server.
    depth = outermost = 0
    for q in ctx.captured_queries:
        if q["sql"].startswith("SAVEPOINT"):
            outermost += depth == 0
            depth += 1
        elif q["sql"].startswith(("RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            depth -= 1  # Django ends a savepoint with one of the two, never both
    return outermost


def _body(account, fut) -> dict:  # noqa: ANN001
    return {
        "account_id": account.pk,
        "instrument_token": fut.instrument_token,
        "transaction_type": "BUY",
        "quantity": 75,
        "product": "NRML",
        "order_type": "LIMIT",
        "price": "23000",
    }


@pytest.mark.parametrize("risk_limits", [False, True])
def test_resting_limit_order_query_budget(user, account, fut, settings, risk_limits):
    settings.RISK_LIMITS_ENABLED = risk_limits
    _, key = api_key_create(user=user, name="budget")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = _body(account, fut)
    assert api.post("/api/v1/orders/", {**body, "client_order_id": uuid.uuid4().hex}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        r = api.post("/api/v1/orders/", {**body, "client_order_id": uuid.uuid4().hex}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "OPEN"
    statements = _statements(ctx)
    budget = RESTING_LIMIT_STATEMENTS_WITH_RISK if risk_limits else RESTING_LIMIT_STATEMENTS
    assert len(statements) == budget, "\n".join(s[:120] for s in statements)
    assert _transactions(ctx) == RESTING_LIMIT_TRANSACTIONS


def test_filled_market_order_query_budget(user, account, fut, place):
    place(client_order_id=uuid.uuid4().hex)  # the preferences row, the position row
    with CaptureQueriesContext(connection) as ctx:
        order = place(client_order_id=uuid.uuid4().hex)
    assert order.status == "COMPLETE"
    statements = _statements(ctx)
    assert len(statements) == FILLED_MARKET_STATEMENTS, "\n".join(s[:120] for s in statements)


def _history(user, account, n: int, start: int = 0) -> None:  # noqa: ANN001
    """n closed and open positions in other instruments, in the venue's ledger and in the OMS."""
    ref = account_ref(account)
    PaperVenuePosition.objects.bulk_create(
        PaperVenuePosition(
            account_ref=ref,
            instrument_token=900_000 + start + i,
            product="NRML",
            exchange="NFO",
            tradingsymbol=f"HIST{start + i}",
            quantity=0 if i % 3 else 75,
            average_price=Decimal("10.5"),
            realized=Decimal("1.25"),
        )
        for i in range(n)
    )
    Position.objects.bulk_create(
        Position(
            user=user,
            account=account,
            exchange="NFO",
            tradingsymbol=f"HIST{start + i}",
            instrument_token=900_000 + start + i,
            product="NRML",
            quantity=0 if i % 3 else 75,
            average_price=Decimal("10.5"),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("order_type", ["LIMIT", "MARKET"])
def test_placement_cost_does_not_grow_with_account_history(user, account, fut, place, order_type):
    price = {"price": "23000"} if order_type == "LIMIT" else {}

    def one() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            order = place(order_type=order_type, client_order_id=uuid.uuid4().hex, **price)
        assert order.status == ("OPEN" if order_type == "LIMIT" else "COMPLETE")
        return _statements(ctx)

    one()  # creates the user's order preferences (and, for MARKET, the position rows)
    for side in ("BUY", "SELL") * 5:  # ten fills and a realised P&L on the books
        place(transaction_type=side, client_order_id=uuid.uuid4().hex)
    _history(user, account, 10)  # a few positions in other instruments, some open
    small = len(one())
    _history(user, account, 990, start=10)  # a thousand positions ever traded, a third of them open
    statements = one()
    assert len(statements) == small
    # ... and it reads only what it needs: the venue's ledger through its one aggregate or by its key, the
    # OMS positions by key, or the OPEN positions once (the pre-trade context's "positions": portfolio margin
    # and the risk limits judge the order against the whole open book); never the account's closed history.
    open_book_reads = 0
    for sql in statements:
        if "papervenueposition" in sql and sql.startswith("SELECT"):
            assert "SUM(" in sql or '"instrument_token" = ' in sql, sql[:200]
        if '"orders_position"' in sql and sql.startswith("SELECT"):
            if '"instrument_token" = ' not in sql:
                assert 'NOT ("orders_position"."quantity" = 0)' in sql, sql[:200]
                open_book_reads += 1
    assert open_book_reads <= 1


def _positions_api(user):  # noqa: ANN001, ANN202
    _, key = api_key_create(user=user, name="positions")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


@pytest.mark.parametrize("n", [1, 50])
def test_positions_list_is_constant_in_queries(user, account, make_instrument, fake_market, n):
    for i in range(n):
        inst = make_instrument(token=7000 + i, symbol=f"POS{i}FUT")
        fake_market.set(inst.instrument_token, "100")
        Position.objects.create(
            user=user,
            account=account,
            exchange="NFO",
            tradingsymbol=inst.tradingsymbol,
            instrument_token=inst.instrument_token,
            product="NRML",
            quantity=75,
            average_price=Decimal("90"),
        )
    api = _positions_api(user)
    api.get("/api/v1/orders/")  # the key's first use records it (one UPDATE, not per request)
    with CaptureQueriesContext(connection) as ctx:
        r = api.get("/api/v1/positions/")
    assert r.status_code == 200, r.content
    assert len(r.json()["results"]) == n
    assert r.json()["results"][0]["mark_price"] == "100.00"
    # API key; the positions (count, page, marks); the instruments of the marks, all at once.
    assert len(ctx.captured_queries) == 5, "\n".join(q["sql"][:120] for q in ctx.captured_queries)


def test_the_books_instruments_are_read_once_for_margin_and_risk(user, account, fut, place, make_instrument, fake_market, settings):  # noqa: ANN001, E501
    settings.RISK_LIMITS_ENABLED = True  # risk's marks need the open positions' instruments too
    other = make_instrument(token=1002, symbol="NIFTY27JANFUT")
    fake_market.set(other.instrument_token, "24100")
    place(client_order_id=uuid.uuid4().hex)  # an open position in `fut`
    with CaptureQueriesContext(connection) as ctx:
        order = place(instrument_token=other.instrument_token, order_type="LIMIT", price="24000",
                      client_order_id=uuid.uuid4().hex)  # fmt: skip
    assert order.status == "OPEN"
    reads = [s for s in _statements(ctx) if s.startswith("SELECT") and '"marketdata_instrument"' in s and " IN (" in s]
    assert len(reads) == 1, "\n".join(s[:160] for s in reads)  # margin's, reused by risk's marks
