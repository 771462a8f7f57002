"""Query budget of the hot path: one resting paper LIMIT order through the API (a count, not a timing)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_key_create

pytestmark = pytest.mark.django_db

# Measured on this code: see the benchmark notes in benchmarks/bench_orders.py.
PLACEMENT_QUERY_BUDGET = 100


def test_resting_limit_order_query_budget(user, account, fut, capsys):
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
    with capsys.disabled():
        print(f"\nqueries per resting LIMIT placement: {len(ctx.captured_queries)}")
        for q in ctx.captured_queries:
            print("   ", q["sql"][:160])
    assert len(ctx.captured_queries) <= PLACEMENT_QUERY_BUDGET
