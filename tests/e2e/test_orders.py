"""Browser: the order ticket, the live order book and positions, against the real served product."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _api_key(live: Any, username: str) -> str:
    out = live.shell(
        "from django.contrib.auth import get_user_model\n"
        "from accounts.services import api_key_create\n"
        f"u = get_user_model().objects.get(username={username!r})\n"
        "print('KEY=' + api_key_create(user=u, name='e2e')[1])"
    )
    return re.search(r"KEY=(\S+)", out).group(1)


def _pick_future(page: Any, query: str = "NIFTY FUT") -> None:
    page.fill("[data-testid=instrument-search]", query)
    option = page.locator("[data-testid=instrument-option]").filter(has_text=re.compile(r"FUT")).first
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("[data-testid=chosen-instrument]")).to_contain_text("FUT")
    expect(page.locator("[data-testid=preview-ltp]")).not_to_have_text("–")


def _ltp(page: Any) -> Decimal:
    return Decimal(page.locator("[data-testid=preview-ltp]").inner_text().replace(",", "").strip())


def test_limit_order_ticket_book_and_live_cancel(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    page.goto(f"{live.url}/orders/new/")
    _pick_future(page)
    price = (_ltp(page) * Decimal("0.95")).quantize(
        Decimal("1"), rounding=ROUND_DOWN
    )  # rests below the market, inside the band
    page.check("[data-testid=side-buy]")
    page.fill("[data-testid=lots]", "2")
    page.select_option("[data-testid=order-type]", "LIMIT")
    page.fill("[data-testid=price]", str(price))
    page.click("[data-testid=place-order]")
    placed = page.locator("[data-testid=order-placed]")
    expect(placed).to_be_visible()
    expect(placed.locator("[data-testid=order-status]")).to_have_text(re.compile("OPEN|SUBMITTED"))
    order_id = placed.get_attribute("data-order-id")

    # Its page: a completion policy for this order only (#11), through the card's form.
    page.goto(f"{live.url}/orders/{order_id}/")
    card = page.locator("[data-testid=order-completion]")
    expect(card.locator("[data-testid=completion-state]")).to_have_attribute("data-state", "OFF")
    card.locator("summary").click()
    card.locator("select[name=oc-unfilled_action]").select_option("CHASE")
    card.locator("[data-testid=completion-override-save]").click()
    expect(page.locator("[data-testid=completion-state]")).to_have_attribute("data-state", "ACTIVE")
    expect(page.locator("[data-testid=completion-reason]")).to_contain_text("set for this order")

    page.goto(f"{live.url}/orders/")
    row = page.locator(f"#order-row-{order_id}")
    expect(row.locator("[data-testid=order-status]")).to_have_text("OPEN")
    page.wait_for_function("document.body.dataset.wswsorders === 'open'")
    row.locator("[data-testid=cancel-order]").click()
    page.locator("[data-testid=cancel-confirm] [data-testid=confirm-ok]").click()  # the product's own modal
    expect(page.locator(f"#order-row-{order_id} [data-testid=order-status]")).to_have_text("CANCELLED")

    # A second order placed and cancelled by a bot (API) while the book is open: inserted and updated live.
    key = _api_key(live, page.username)
    headers = {"Authorization": f"Api-Key {key}"}
    first = httpx.get(f"{live.url}/api/v1/orders/{order_id}/", headers=headers, timeout=10).json()
    body = {k: first[k] for k in ("exchange", "tradingsymbol", "transaction_type", "product", "order_type", "quantity")}
    body.update(price=str(price - 5), client_order_id=f"e2e-{order_id}-bot")
    created = httpx.post(f"{live.url}/api/v1/orders/", json=body, headers=headers, timeout=10)
    assert created.status_code in (200, 201), created.text
    bot_id = created.json()["id"]
    bot_row = page.locator(f"#order-row-{bot_id}")
    expect(bot_row.locator("[data-testid=order-status]")).to_have_text("OPEN")
    cancelled = httpx.delete(f"{live.url}/api/v1/orders/{bot_id}/", headers=headers, timeout=10)
    assert cancelled.status_code in (200, 202), cancelled.text
    expect(bot_row.locator("[data-testid=order-status]")).to_have_text("CANCELLED")


def test_market_order_shows_up_as_a_position(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    page.goto(f"{live.url}/positions/")
    page.wait_for_function("document.body.dataset.wswsorders === 'open'")
    expect(page.locator("[data-testid=positions-empty]")).to_be_visible()

    ticket = page.context.new_page()
    ticket.goto(f"{live.url}/orders/new/")
    _pick_future(ticket)
    ticket.check("[data-testid=side-buy]")
    ticket.fill("[data-testid=lots]", "1")
    ticket.select_option("[data-testid=order-type]", "MARKET")
    expect(ticket.locator("[data-testid=price]")).to_be_hidden()
    ticket.click("[data-testid=place-order]")
    # A MARKET order is confirmed in the product's modal first (#10; skippable per user).
    ticket.click("[data-testid=confirm-market-ok]")
    expect(ticket.locator("[data-testid=order-placed] [data-testid=order-status]")).to_have_text("COMPLETE")
    symbol = ticket.locator("[data-testid=chosen-instrument]").inner_text().split(":", 1)[1]

    # The positions page (already open) gets the new position live, with a P&L from ticks.
    row = page.locator("[data-testid=position-row]").filter(has_text=symbol)
    expect(row).to_be_visible()
    expect(row.locator("[data-testid=position-qty]")).to_have_text(re.compile(r"^BUY [\d,]+$"))
    expect(row.locator("[data-testid=position-pnl]")).not_to_have_text("–")

    page.reload()
    expect(page.locator("[data-testid=position-row]").filter(has_text=symbol)).to_be_visible()
