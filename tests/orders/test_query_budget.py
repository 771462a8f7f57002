"""Query budget of the hot path: one resting paper LIMIT order through the API (a count, not a timing)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_key_create

pytestmark = pytest.mark.django_db

# SQL statements per resting paper LIMIT order through the API, savepoints not counted (on a server they
# are BEGIN/COMMIT): API key, account, instrument, preferences, replay probe; Order + CREATED event (claimed
# for sending); venue ledger + blocked-margin SUM + venue order; locked read + status UPDATE + event; PLACED
# event. It was 29 (plus 8 transaction statements) when the venue replayed every trade of the account.
PLACEMENT_QUERY_BUDGET = 14
TRANSACTIONS_PER_PLACEMENT = 4


def test_resting_limit_order_query_budget(user, account, fut):
    _, key = api_key_create(user=user, name="budget")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {
        "account_id": account.pk,
        "instrument_token": fut.instrument_token,
        "transaction_type": "BUY",
        "quantity": 75,
        "product": "NRML",
        "order_type": "LIMIT",
        "price": "23000",
    }
    assert api.post("/api/v1/orders/", {**body, "client_order_id": uuid.uuid4().hex}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        r = api.post("/api/v1/orders/", {**body, "client_order_id": uuid.uuid4().hex}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "OPEN"
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    transactions = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(statements) <= PLACEMENT_QUERY_BUDGET, "\n".join(s[:120] for s in statements)
    assert len(transactions) <= TRANSACTIONS_PER_PLACEMENT


def test_placement_cost_does_not_grow_with_account_history(user, account, fut, place):
    def statements_for_one_resting_order() -> int:
        with CaptureQueriesContext(connection) as ctx:
            order = place(order_type="LIMIT", price="23000", client_order_id=uuid.uuid4().hex)
        assert order.status == "OPEN"
        return sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"])

    statements_for_one_resting_order()  # creates the user's order preferences
    fresh = statements_for_one_resting_order()
    for side in ("BUY", "SELL") * 5:  # ten fills and a realised P&L on the books
        place(transaction_type=side, client_order_id=uuid.uuid4().hex)
    assert statements_for_one_resting_order() == fresh
