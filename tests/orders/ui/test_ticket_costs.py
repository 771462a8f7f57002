"""The ticket's costs & margin card (#10): the seed's confirmation figures from the margin engine and the charges,
a reducing order blocks nothing, the MARKET confirmation preference. Django's test client."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from margin import preview as margin_preview
from margin import selectors as ms
from oms_project.lib.formatting import inr
from orders.models import OrderPreferences
from portfolio.models import Position
from tests.orders.conftest import _paper_account

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def _costs(client: Any, instrument: Any, **overrides: Any) -> str:
    data = {
        "instrument_token": instrument.instrument_token,
        "side": "BUY",
        "lots": "2",
        "product": "NRML",
        "order_type": "MARKET",
        "validity": "DAY",
        "exit_mode": "price",
        "market_protection": "-1",
    }
    data.update(overrides)
    response = client.get(reverse("order-ticket-costs"), data, **HTMX)
    assert response.status_code == 200
    return unescape(response.content.decode())


def _cell(html: str, testid: str) -> str:
    m = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dd>', html, re.S)
    assert m, f"{testid} missing"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_the_card_shows_the_engines_margin_and_the_charges(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    account = _paper_account(user)
    html = _costs(logged_in, nifty_fut, lots="2")
    order = ms.MarginOrder(nifty_fut, "BUY", 2 * nifty_fut.lot_size, None, "NRML", "MARKET")
    om = ms.order_margin(account, [order])
    day = timezone.localdate()
    ch = margin_preview.seed_charges(margin_preview.charges_of(order, om.orders[0].price, day))
    assert _cell(html, "margin-span") == inr(om.final.span) and om.final.span > 0
    assert _cell(html, "margin-exposure") == inr(om.final.exposure)
    assert _cell(html, "margin-buffer").startswith(inr(om.buffer))
    assert _cell(html, "margin-total") == inr(om.required)
    assert _cell(html, "margin-available") == inr(om.available)
    remaining = _cell(html, "margin-remaining")
    assert remaining.startswith(inr(om.remaining)) and remaining.endswith("✓")
    assert om.remaining == om.available - om.required
    assert _cell(html, "cost-order-value") == inr(ch["order_value"]) and ch["order_value"] > 0
    assert _cell(html, "cost-brokerage") == inr(ch["brokerage"]) == "₹20.00"  # futures: min(0.03%, ₹20)
    assert _cell(html, "cost-stt") == inr(ch["stt"])
    other = ch["exchange_charges"] + ch["sebi_charges"] + ch["stamp_duty"] + ch["gst"]
    assert _cell(html, "cost-other") == inr(other)
    assert _cell(html, "cost-total-charges") == inr(ch["total_charges"]) == inr(ch["brokerage"] + ch["stt"] + other)
    assert _cell(html, "cost-net") == inr(ch["order_value"] + ch["total_charges"])
    assert 'data-can-execute="true"' in html and "at market" in html


def test_a_sell_that_closes_a_long_blocks_no_margin_and_a_short_of_funds_is_crossed(
    logged_in: Any, user: Any, nifty_fut: Any
) -> None:
    account = _paper_account(user)
    Position.objects.create(
        user=user,
        account=account,
        exchange="NFO",
        tradingsymbol=nifty_fut.tradingsymbol,
        instrument_token=nifty_fut.instrument_token,
        product="NRML",
        quantity=2 * nifty_fut.lot_size,
        average_price=Decimal("24500"),
    )
    html = _costs(logged_in, nifty_fut, side="SELL", lots="2")
    assert _cell(html, "margin-total").startswith("₹0.00") and "reduces your margin" in html
    assert "Net proceeds" in html
    # Far beyond the capital: ✗ and the engine's warning.
    account.paper_capital = Decimal("1000")
    account.save()
    short = _costs(logged_in, nifty_fut, side="BUY", lots="10")
    assert _cell(short, "margin-remaining").endswith("✗") and 'data-can-execute="false"' in short
    assert "Insufficient margin" in short


def test_an_incomplete_ticket_says_what_is_missing(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _paper_account(user)
    assert 'data-testid="costs-empty"' in _costs(logged_in, nifty_fut, order_type="LIMIT")  # no price yet
    html = logged_in.get(reverse("order-ticket-costs"), **HTMX).content.decode()
    assert "Choose an instrument" in html


def test_market_confirmation_can_be_turned_off_per_user(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _paper_account(user)
    page = logged_in.get(reverse("order-ticket"), {"instrument_token": nifty_fut.instrument_token}).content.decode()
    assert 'data-confirm-market="true"' in page
    url = reverse("order-market-confirm-preference")
    assert logged_in.post(url, {"confirm_market_orders": "maybe"}).status_code == 400
    assert logged_in.post(url, {"confirm_market_orders": "false"}).status_code == 204
    assert OrderPreferences.objects.get(user=user).confirm_market_orders is False
    page = logged_in.get(reverse("order-ticket")).content.decode()
    assert 'data-confirm-market="false"' in page
    assert logged_in.post(url, {"confirm_market_orders": "true"}).status_code == 204
    assert OrderPreferences.objects.get(user=user).confirm_market_orders is True


def test_market_confirmation_preference_through_the_api(api: Any, user: Any) -> None:
    assert api.get("/api/v1/orders/preferences/").json()["confirm_market_orders"] is True
    r = api.put("/api/v1/orders/preferences/", {"confirm_market_orders": False}, format="json")
    assert r.status_code == 200 and r.json()["confirm_market_orders"] is False
    assert OrderPreferences.objects.get(user=user).confirm_market_orders is False
    assert api.put("/api/v1/orders/preferences/", {"confirm_market_orders": "no"}, format="json").status_code == 400
