"""Browser (#10): the ticket's costs & margin card shows the engine's figures for a NIFTY future and updates as
the ticket changes, a MARKET order is confirmed in the modal with those figures, and the margin dashboard then
shows the position's margin (gauge, breakdown that adds up, history chart from the fill's snapshot)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_orders import _pick_future

pytestmark = pytest.mark.e2e


def _rupees(text: str) -> Decimal:
    m = re.search(r"(-?)₹\s?([\d,]+\.\d{2})", text)
    assert m, text
    return Decimal(m.group(1) + m.group(2).replace(",", ""))


def _card(page: Any) -> dict[str, str]:
    """Every figure of the costs card read in one go (a refresh cannot swap the card between two reads)."""
    return page.locator("[data-testid=costs]").evaluate(
        "el => Object.fromEntries([...el.querySelectorAll('[data-testid]')].map(e => [e.dataset.testid, e.innerText]))"
    )


def test_ticket_costs_market_confirmation_and_margin_dashboard(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    page.goto(f"{live.url}/orders/new/")
    _pick_future(page)
    page.check("[data-testid=side-buy]")
    page.select_option("[data-testid=order-type]", "MARKET")
    page.fill("[data-testid=lots]", "1")
    costs = page.locator("[data-testid=costs]")
    expect(costs).to_be_visible(timeout=15000)
    card = _card(page)  # one render of the card (a MARKET order's figures move with every tick's refresh)
    span, one_lot_total = _rupees(card["margin-span"]), _rupees(card["margin-total"])
    available, remaining = _rupees(card["margin-available"]), card["margin-remaining"]
    assert span > 0 and one_lot_total >= span
    assert _rupees(remaining) == available - one_lot_total and remaining.strip().endswith("✓")
    value, charges = _rupees(card["cost-order-value"]), _rupees(card["cost-total-charges"])
    assert value > 0 and charges > 0 and _rupees(card["cost-net"]) == value + charges
    assert _rupees(card["cost-brokerage"]) == Decimal("20.00")  # futures cap

    # Two lots: the card follows the ticket at once (about twice the margin), not at the next tick's refresh:
    # within the lots' 300 ms delay and one request, well inside the default 5 s wait.
    page.fill("[data-testid=lots]", "2")
    expect(costs).to_have_attribute("data-title", re.compile(r"^BUY 2 lots "))
    two_lots = _rupees(_card(page)["margin-total"])
    assert one_lot_total * Decimal("1.8") < two_lots < one_lot_total * Decimal("2.2")

    # MARKET: the modal shows the card's figures; Cancel sends nothing, Confirm places.
    page.click("[data-testid=place-order]")
    modal = page.locator("[data-testid=confirm-market-modal]")
    expect(modal).to_be_visible()
    expect(modal.locator("[data-testid=confirm-details]")).to_contain_text("Total margin")
    expect(modal.locator("[data-testid=confirm-details]")).to_contain_text("SPAN")
    page.click("[data-testid=confirm-market-cancel]")
    expect(page.locator("[data-testid=order-placed]")).to_have_count(0)
    page.click("[data-testid=place-order]")
    page.click("[data-testid=confirm-market-ok]")
    expect(page.locator("[data-testid=order-placed] [data-testid=order-status]")).to_have_text("COMPLETE")

    # The dashboard: the position's margin, a breakdown that adds up, the fill's snapshot in the chart.
    page.goto(f"{live.url}/margin/")
    gauge = page.locator("[data-testid=margin-gauge]")
    expect(gauge).to_be_visible()
    total = _rupees(page.locator("[data-testid=breakdown-total]").inner_text())
    parts = [
        _rupees(page.locator(f"[data-testid=breakdown-{name}]").inner_text())
        for name in ("span", "exposure", "premium", "additional", "buffer")
    ]
    assert total > 0 and sum(parts) == total
    assert Decimal(gauge.get_attribute("data-pct")) > 0
    assert _rupees(page.locator("[data-testid=gauge-used]").inner_text()) == total
    for _ in range(20):  # the fill's snapshot is taken by the in-process worker, just after the fill
        if page.locator("[data-testid=margin-chart]").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#margin-chart")).to_have_attribute("data-rendered", re.compile(r"^[1-9]\d*$"))
