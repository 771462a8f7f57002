"""Positions show Kite's conventions where the trader compares with Kite (portfolio.kite_conventions): day
buy/sell averages over all the day's trades, M2M against the previous close for an overnight position, the
close price.

Before: the positions API had no close price, no M2M and no day averages; only the average cost of the open
quantity, which differs from Kite's day buy average as soon as part of the day's buys was sold.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_key_create
from portfolio.kite_conventions import DayTrades, kite_figures
from portfolio.models import Position, Trade
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def test_kite_mock_m2m() -> None:
    """positions.json: overnight 3, today bought 1 for 23,388 and sold 4 for 93,360; close 23,232, last 23,355."""
    f = kite_figures(quantity=0, overnight_quantity=3, day=DayTrades(1, D("23388"), 4, D("93360")),
                     last_price=D("23355"), close_price=D("23232"))  # fmt: skip
    assert (f.m2m, f.day_buy_price, f.day_sell_price, f.close_price) == (D("276"), D("23388"), D("23340"), D("23232"))


def _api(user):  # noqa: ANN001, ANN202
    _, key = api_key_create(user=user, name="kite-view")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def _row(api, token):  # noqa: ANN001, ANN202
    r = api.get("/api/v1/positions/?open=false")
    assert r.status_code == 200, r.content
    return next(p for p in r.json()["results"] if p["instrument_token"] == token)


def test_day_averages_cover_all_the_days_trades(user, account, fut, fake_market) -> None:
    market = {"instrument_token": fut.instrument_token, "quantity": 75, "product": "NRML", "order_type": "MARKET",
              "confirm_duplicate": True}  # fmt: skip
    for side, ltp in (("BUY", "24000"), ("SELL", "24020"), ("BUY", "24040")):
        fake_market.set(fut.instrument_token, ltp)
        place_order(user, transaction_type=side, **market)
    buys = list(Trade.objects.filter(instrument_token=fut.instrument_token, transaction_type="BUY"))
    sells = list(Trade.objects.filter(instrument_token=fut.instrument_token, transaction_type="SELL"))
    buy_value, sell_value = sum(t.price * t.quantity for t in buys), sum(t.price * t.quantity for t in sells)
    row = _row(_api(user), fut.instrument_token)
    assert D(row["day_buy_price"]) == (buy_value / 150).quantize(D("0.01"))
    assert D(row["day_buy_price"]) != D(row["average_price"])  # Kite's day average is not the open average cost
    assert D(row["day_sell_value"]) == sell_value and D(row["day_buy_value"]) == buy_value
    last = D(row["mark_price"])
    assert D(row["m2m"]) == sell_value - buy_value + 75 * last


@pytest.mark.dates
def test_overnight_position_m2m_is_against_the_previous_close(user, account, fut, fake_market) -> None:
    q = fake_market.set(fut.instrument_token, "24100")
    fake_market.quotes[fut.instrument_token] = replace(q, close=D("24050"))
    Position.objects.create(user=user, account=account, exchange="NFO", tradingsymbol=fut.tradingsymbol,
                            instrument_token=fut.instrument_token, product="NRML", quantity=75,
                            average_price=D("23900"), overnight_quantity=75, buy_quantity=75,
                            buy_value=D("23900") * 75,
                            trading_day=timezone.localdate() - timedelta(days=1))  # fmt: skip
    row = _row(_api(user), fut.instrument_token)
    assert D(row["close_price"]) == D("24050")
    assert D(row["m2m"]) == (D("24100") - D("24050")) * 75  # today's move only
    assert D(row["pnl"]) == (D("24100") - D("23900")) * 75  # P&L since entry, as before
    assert row["day_buy_price"] == "0.00"
