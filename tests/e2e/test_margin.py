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


def test_ticket_costs_market_confirmation_and_margin_dashboard(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    page.goto(f"{live.url}/orders/new/")
    _pick_future(page)
    page.check("[data-testid=side-buy]")
    page.select_option("[data-testid=order-type]", "MARKET")
    page.fill("[data-testid=lots]", "1")
    costs = page.locator("[data-testid=costs]")
    expect(costs).to_be_visible(timeout=15000)
    span = _rupees(costs.locator("[data-testid=margin-span]").inner_text())
    one_lot_total = _rupees(costs.locator("[data-testid=margin-total]").inner_text())
    available = _rupees(costs.locator("[data-testid=margin-available]").inner_text())
    remaining = costs.locator("[data-testid=margin-remaining]").inner_text()
    assert span > 0 and one_lot_total >= span
    assert _rupees(remaining) == available - one_lot_total and remaining.strip().endswith("✓")
    value = _rupees(costs.locator("[data-testid=cost-order-value]").inner_text())
    charges = _rupees(costs.locator("[data-testid=cost-total-charges]").inner_text())
    assert (
        value > 0 and charges > 0 and _rupees(costs.locator("[data-testid=cost-net]").inner_text()) == value + charges
    )
    assert _rupees(costs.locator("[data-testid=cost-brokerage]").inner_text()) == Decimal("20.00")  # futures cap

    # Two lots: the card follows the ticket (about twice the margin).
    page.fill("[data-testid=lots]", "2")
    # (the change itself or, at the latest, the next tick's throttled refresh: within 15 s)
    expect(costs).to_have_attribute("data-title", re.compile(r"^BUY 2 lots "), timeout=15000)
    two_lots = _rupees(costs.locator("[data-testid=margin-total]").inner_text())
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
