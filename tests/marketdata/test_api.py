"""REST: instrument list/detail with filters, Kite-like quotes keyed by EXCHANGE:SYMBOL, depth."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_auth_required(small_master) -> None:  # noqa: ANN001
    client = APIClient()
    for url in ("/api/v1/instruments/", "/api/v1/market/quote/?instruments=NSE:INFY", "/api/v1/market/depth/408065/"):
        response = client.get(url)
        assert response.status_code in (401, 403)
        assert response.json()["error"]["code"] in ("NOT_AUTHENTICATED", "AUTHENTICATION_FAILED")


def test_instrument_list_filters(api, small_master) -> None:  # noqa: ANN001
    body = api.get("/api/v1/instruments/").json()
    assert body["count"] == 5 and {"next", "previous", "results"} <= set(body)
    body = api.get("/api/v1/instruments/", {"exchange": "NFO", "instrument_type": "CE"}).json()
    assert [r["tradingsymbol"] for r in body["results"]] == ["NIFTY26NOV26000CE"]
    assert body["results"][0]["lot_size"] == 65 and body["results"][0]["freeze_quantity"] == 1800
    body = api.get("/api/v1/instruments/", {"name": "NIFTY", "expiry": "2026-11-24", "strike": "26000"}).json()
    assert {r["instrument_type"] for r in body["results"]} == {"CE", "PE"}
    assert api.get("/api/v1/instruments/", {"q": "infy"}).json()["results"][0]["instrument_token"] == 408065
    bad = api.get("/api/v1/instruments/", {"expiry": "soon"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_instrument_detail_and_not_found(api, small_master) -> None:  # noqa: ANN001
    assert api.get("/api/v1/instruments/9000002/").json()["tradingsymbol"] == "NIFTY26NOVFUT"
    missing = api.get("/api/v1/instruments/123/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "INSTRUMENT_NOT_FOUND"


def test_quote_keyed_by_exchange_symbol(api, small_master) -> None:  # noqa: ANN001
    body = api.get("/api/v1/market/quote/", {"instruments": "NFO:NIFTY26NOV26000CE,NSE:INFY"}).json()
    assert set(body["data"]) == {"NFO:NIFTY26NOV26000CE", "NSE:INFY"}
    q = body["data"]["NFO:NIFTY26NOV26000CE"]
    assert q["instrument_token"] == 9000102
    assert len(q["depth"]["buy"]) == 5 and len(q["depth"]["sell"]) == 5
    assert Decimal(q["depth"]["buy"][0]["price"]) < Decimal(q["depth"]["sell"][0]["price"])
    assert set(q["ohlc"]) == {"open", "high", "low", "close"}
    kite_style = api.get("/api/v1/market/quote/?i=NSE:INFY&i=NFO:NIFTY26NOVFUT").json()
    assert set(kite_style["data"]) == {"NSE:INFY", "NFO:NIFTY26NOVFUT"}


def test_quote_errors(api, small_master) -> None:  # noqa: ANN001
    unknown = api.get("/api/v1/market/quote/", {"instruments": "NSE:INFY,NFO:NOPE,BSE:NADA"})
    assert unknown.status_code == 404
    err = unknown.json()["error"]
    assert err["code"] == "UNKNOWN_INSTRUMENT_KEYS" and err["details"]["unknown"] == ["NFO:NOPE", "BSE:NADA"]
    malformed = api.get("/api/v1/market/quote/", {"instruments": "INFY"})
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "INVALID_INSTRUMENT_KEY"
    empty = api.get("/api/v1/market/quote/")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "VALIDATION_ERROR"
    many = ",".join(f"NSE:S{i}" for i in range(501))
    too_many = api.get("/api/v1/market/quote/", {"instruments": many})
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "TOO_MANY_INSTRUMENTS"


def test_depth(api, small_master) -> None:  # noqa: ANN001
    body = api.get("/api/v1/market/depth/9000002/").json()
    assert body["tradingsymbol"] == "NIFTY26NOVFUT"
    bids = [Decimal(lv["price"]) for lv in body["buy"]]
    asks = [Decimal(lv["price"]) for lv in body["sell"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
    assert api.get("/api/v1/market/depth/1/").json()["error"]["code"] == "INSTRUMENT_NOT_FOUND"


@pytest.mark.django_db
def test_search_lists_the_exact_underlying_first(api):
    from tests.marketdata.conftest import make_instrument

    make_instrument(instrument_token=1001, tradingsymbol="BANKNIFTY26DECFUT", name="BANKNIFTY", instrument_type="FUT")
    make_instrument(instrument_token=1002, tradingsymbol="NIFTY26DECFUT", name="NIFTY", instrument_type="FUT")
    rows = api.get("/api/v1/instruments/?q=nifty").json()["results"]
    assert [r["tradingsymbol"] for r in rows][:2] == ["NIFTY26DECFUT", "BANKNIFTY26DECFUT"]
