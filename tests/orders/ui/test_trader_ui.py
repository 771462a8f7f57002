"""The trader-grade ticket and pages (#14), through Django's test client: preview at once, live LTP in
suggestions, errors in trader language (never a code or a field dump), the split-into-slices control,
the modal's details on cancel/exit buttons, positions open / closed today."""

from __future__ import annotations

import json
import re
from decimal import ROUND_CEILING, Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from accounts.selectors import account_resolve
from marketdata import selectors as md
from orders.models import Order
from portfolio.models import Position
from portfolio.services import funds_pay_in

from .conftest import HTMX

pytestmark = pytest.mark.django_db
RAW_CODE = re.compile(r">[^<]*\b[A-Z]{3,}(?:_[A-Z]+)+\b[^<]*<")  # a code such as TICK_SIZE_MISMATCH in text


def _price(instrument: Any) -> str:
    quote = md.quote_for(instrument)
    return str((quote.lower_circuit_limit * Decimal("1.01")).quantize(Decimal("1"), rounding=ROUND_CEILING))


def _post(client: Any, instrument: Any, **overrides: Any) -> str:
    data = {"instrument_token": instrument.instrument_token, "side": "BUY", "lots": "1", "product": "NRML",
            "order_type": "LIMIT", "price": _price(instrument), "validity": "DAY", "exit_mode": "price"}
    data.update(overrides)
    return client.post(reverse("order-ticket"), data, **HTMX).content.decode()


def test_ticket_opened_on_an_instrument_has_its_preview_at_once(logged_in: Any, nifty_fut: Any) -> None:
    html = logged_in.get(reverse("order-ticket"), {"instrument_token": nifty_fut.instrument_token}).content.decode()
    assert 'data-testid="preview-empty"' not in html
    ltp = re.search(r'data-testid="preview-ltp">([^<]+)<', html).group(1)
    assert re.fullmatch(r"[\d,]+\.\d{2}", ltp), ltp  # at the tick's precision, Indian grouping
    assert re.search(r'data-testid="preview-lot-value">₹[\d,]+\.\d{2}<', html)
    assert "every 5s" not in html  # follows the ticks, no polling


def test_suggestions_show_the_live_ltp_not_the_previous_close(logged_in: Any, nifty_fut: Any) -> None:
    html = logged_in.get(reverse("order-instrument-search"), {"q": "nifty fut"}, **HTMX).content.decode()
    live = md.quote_for(nifty_fut).last_price
    shown = re.search(r'data-testid="option-ltp">([^<]+)<', html).group(1)
    assert Decimal(shown.replace(",", "")) == pytest.approx(live, abs=Decimal("50"))
    assert shown != "24,500.00" or live == Decimal("24500")


def test_refusals_read_like_a_trader_and_never_show_the_code(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    html = _post(logged_in, nifty_fut, price=_price(nifty_fut) + ".05")  # off the 0.10 grid
    assert 'data-error-code="TICK_SIZE_MISMATCH"' in html
    assert "Price is not on the tick grid" in html and "₹0.10" in html and "Try " in html
    assert not RAW_CODE.search(html), RAW_CODE.search(html)
    assert "tick_size:" not in html and "error-details" not in html


def test_a_price_with_a_letter_is_refused_in_words(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    html = unescape(_post(logged_in, nifty_fut, price="245a0"))
    assert 'data-error-code="VALIDATION_ERROR"' in html
    assert "no letters" in html
    assert not Order.objects.filter(user=user).exists()


def test_above_the_freeze_limit_the_ticket_offers_to_split(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    lots = nifty_fut.freeze_quantity // nifty_fut.lot_size + 1  # 28 lots = 1820 > 1800
    preview = logged_in.get(reverse("order-ticket-preview"),
                            {"instrument_token": nifty_fut.instrument_token, "lots": lots}, **HTMX).content.decode()
    assert 'data-slices="2"' in preview and 'data-testid="preview-freeze"' in preview  # ticket incomplete: a note
    funds_pay_in(account=account_resolve(user=user), amount="10000000")  # 28 lots of a NIFTY future: ~₹55 lakh margin
    html = _post(logged_in, nifty_fut, lots=str(lots))
    assert 'data-error-code="FREEZE_QUANTITY_EXCEEDED"' in html
    assert 'data-oms-split="2"' in html and "Split into 2 slices and place" in html
    assert "auto_slice" not in html.split('data-testid="order-error"')[1]
    placed = _post(logged_in, nifty_fut, lots=str(lots), auto_slice="true")
    assert 'data-testid="order-error"' not in placed, placed
    assert Order.objects.filter(user=user).count() >= 2  # the parent and its slices


def test_cancel_and_exit_buttons_carry_the_modal_details(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _post(logged_in, nifty_fut, lots="2")
    book = logged_in.get(reverse("order-book")).content.decode()
    assert "hx-confirm" not in book
    spec = json.loads(unescape(re.search(r'data-confirm="([^"]+)"', book).group(1)))
    rows = dict((r[0], r[1]) for r in spec["rows"])
    assert rows["Side"] == "BUY" and rows["Quantity"] == "130 (2 lots)"
    assert rows["Price"].startswith("LIMIT @ ") and "," in rows["Price"]
    _post(logged_in, nifty_fut, order_type="MARKET", price="", side="SELL")
    page = logged_in.get(reverse("positions")).content.decode()
    assert "hx-confirm" not in page
    assert 'data-testid="position-qty">SELL 65<' in page
    spec = json.loads(unescape(re.search(r'data-confirm="([^"]+)"', page).group(1)))
    rows = dict((r[0], r[1]) for r in spec["rows"])
    assert rows["Exit order"] == "BUY 65 (1 lot) at market"
    assert re.fullmatch(r"([+-]₹|₹)[\d,]+\.\d{2}", rows["Estimated P&L"])


def test_a_flat_position_moves_to_closed_today(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _post(logged_in, nifty_fut, order_type="MARKET", price="")
    _post(logged_in, nifty_fut, order_type="MARKET", price="", side="SELL")
    position = Position.objects.get(user=user)
    assert position.quantity == 0
    page = logged_in.get(reverse("positions")).content.decode()
    closed = page.split('id="closed-rows"')[1].split("</tbody>")[0]
    assert f'id="position-row-{position.pk}"' in closed
    assert re.search(r'data-testid="position-pnl"[^>]*>([+-]?₹[\d,]+\.\d{2})<', closed)
    open_part = page.split('id="position-rows"')[1].split("</tbody>")[0]
    assert "position-row-" not in open_part


def test_preview_runs_the_pretrade_checks_as_a_dry_run(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    base = {"instrument_token": nifty_fut.instrument_token, "side": "BUY", "lots": "1", "product": "NRML",
            "order_type": "LIMIT", "validity": "DAY", "exit_mode": "price"}
    ok = logged_in.get(reverse("order-ticket-preview"), {**base, "price": _price(nifty_fut)}, **HTMX).content.decode()
    assert 'data-testid="preview-checks" data-verdict="pass"' in ok and "Passes the pre-trade checks" in ok
    bad = logged_in.get(reverse("order-ticket-preview"), {**base, "price": _price(nifty_fut) + ".05"},
                        **HTMX).content.decode()
    assert 'data-verdict="deny"' in bad and "Would be refused: Price is not on the tick grid" in bad
    assert not RAW_CODE.search(bad)
    assert not Order.objects.filter(user=user).exists()  # a dry run writes nothing
