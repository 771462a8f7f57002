"""Kite's margin calculators through the real kiteconnect client against the local sandbox, and our figure
logged next to the broker's (margin_comparison) for a Kite account's basket and for single orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from margin.models import MarginComparison
from marketdata.models import Instrument
from orders.brokers.kite import KiteBroker

pytestmark = pytest.mark.django_db

LEG = {"exchange": "NFO", "tradingsymbol": "NIFTY26DEC26000CE", "transaction_type": "SELL", "variety": "regular",
       "product": "NRML", "order_type": "MARKET", "quantity": 65, "price": 0}  # fmt: skip


def test_kite_broker_margin_calculators(kite_account, venue, sandbox):
    venue.set_price("NFO", "NIFTY26DEC26000CE", D("120.35"))
    broker = KiteBroker(kite_account)
    [one] = broker.order_margins([LEG])
    assert one["tradingsymbol"] == "NIFTY26DEC26000CE" and one["span"] > 0 and one["exposure"] > 0
    assert one["total"] == pytest.approx(one["span"] + one["exposure"] + one["option_premium"])
    basket = broker.basket_order_margins([LEG, {**LEG, "transaction_type": "BUY"}], consider_positions=True)
    assert set(basket) >= {"initial", "final", "orders", "charges"}
    assert basket["final"]["total"] == 0 < basket["initial"]["total"]  # a leg and its reverse offset entirely
    assert ("POST", "/margins/basket") in sandbox.requests_seen or sandbox.requests_seen


def _instrument():
    return Instrument.objects.create(
        instrument_token=12073986,
        exchange_token=47164,
        tradingsymbol="NIFTY26DEC26000CE",
        name="NIFTY",
        last_price=D("120.5"),
        expiry=date(2026, 12, 29),
        strike=D("26000"),
        tick_size=D("0.05"),
        lot_size=65,
        instrument_type="CE",
        segment="NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="kite",
    )


def test_our_basket_figure_is_logged_next_to_kites(api, kite_account, venue):
    venue.set_price("NFO", "NIFTY26DEC26000CE", D("120.35"))
    _instrument()
    body = {"account_id": kite_account.pk, "orders": [{"instrument_token": 12073986, "transaction_type": "SELL",
                                                        "quantity": 65}]}  # fmt: skip
    r = api.post("/api/v1/margins/basket/", body, format="json")
    assert r.status_code == 200, r.json()
    out = r.json()
    broker = out["broker"]
    assert broker is not None and D(broker["final_total"]) > 0
    row = MarginComparison.objects.get(account=kite_account)
    assert row.ours_total == D(out["final"]["total"]) and row.broker_total == D(broker["final_total"])
    assert row.difference == row.ours_total - row.broker_total
    assert row.accuracy_pct == max(D(0), 100 * (1 - abs(row.difference) / row.broker_total)).quantize(D("0.001"))
    assert out["available"] is None  # the broker holds a Kite account's funds


def test_a_single_orders_margin_asks_kite_too_and_is_logged(api, kite_account, venue, sandbox, caplog):
    """POST /api/v1/margins/orders/ for a Kite account: Kite's /margins/orders (kiteconnect's order_margins) is
    asked for the same orders; each order shows Kite's figure next to ours, each pair is logged and kept in
    margin_comparison (endpoint "orders")."""
    venue.set_price("NFO", "NIFTY26DEC26000CE", D("120.35"))
    _instrument()
    sell = {"instrument_token": 12073986, "transaction_type": "SELL", "quantity": 65}
    buy = {**sell, "transaction_type": "BUY", "order_type": "LIMIT", "price": "120.35"}
    with caplog.at_level("INFO", logger="margin.accuracy"):
        r = api.post("/api/v1/margins/orders/", {"account_id": kite_account.pk, "orders": [sell, buy]}, format="json")
    assert r.status_code == 200, r.json()
    assert ("POST", "/margins/orders") in sandbox.requests_seen
    out = r.json()
    rows = list(MarginComparison.objects.filter(account=kite_account, endpoint="orders").order_by("id"))
    assert len(rows) == 2 and all(row.legs == 1 for row in rows)
    for leg, row in zip(out["orders"], rows, strict=True):
        theirs = leg["broker"]
        assert D(theirs["total"]) == row.broker_total > 0 and D(leg["total"]) == row.ours_total
        assert D(theirs["difference"]) == row.difference == row.ours_total - row.broker_total
        assert (
            D(theirs["accuracy_pct"])
            == row.accuracy_pct
            == max(D(0), 100 * (1 - abs(row.difference) / row.broker_total)).quantize(D("0.001"))
        )
    assert D(out["orders"][1]["option_premium"]) == D("7822.75")  # ours for the bought option: 65 x 120.35
    total = out["broker"]
    assert D(total["total"]) == sum((r.broker_total for r in rows), D(0))
    assert D(total["difference"]) == sum((r.difference for r in rows), D(0))
    logged = [m for m in caplog.messages if "endpoint=orders" in m]
    assert len(logged) == 2 and f"kite={rows[0].broker_total}" in logged[0]


def test_a_paper_accounts_single_order_margin_asks_no_broker(api, user):
    from tests.orders.conftest import _paper_account

    _paper_account(user)
    _instrument()
    r = api.post("/api/v1/margins/orders/", {"orders": [{"instrument_token": 12073986, "transaction_type": "SELL",
                                                          "quantity": 65}]}, format="json")  # fmt: skip
    assert r.status_code == 200, r.json()
    assert r.json()["broker"] is None and r.json()["orders"][0]["broker"] is None
    assert not MarginComparison.objects.exists()
