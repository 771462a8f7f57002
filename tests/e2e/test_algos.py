"""TWAP from the order ticket in the real served product (issue #11): the ticket's Execution choice starts a
parent execution, the embedded beat (orders.algo_tick) sends its slices, the result card's progress bar fills
live from /ws/orders/ without a reload, and its link opens the execution's row on the algorithm panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_FUTURE = """
from marketdata.models import Instrument
i = Instrument.objects.filter(exchange="NFO", instrument_type="FUT", name="NIFTY").order_by("expiry").first()
print("FUT", i.instrument_token, i.tradingsymbol)
"""


def test_a_twap_started_from_the_ticket_fills_its_progress_bar_live(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    token, symbol = re.search(r"^FUT (\d+) (\S+)$", live.shell(_FUTURE), re.M).groups()
    page.goto(f"{live.url}/orders/new/?instrument_token={token}")
    page.check("[data-testid=side-buy]")
    page.select_option("[data-testid=order-type]", "MARKET")
    page.fill("[data-testid=lots]", "2")
    # Regular hides the algorithm's fields; TWAP shows them and the button says what it does.
    expect(page.locator("[data-testid=twap-duration]")).to_be_hidden()
    page.select_option("[data-testid=execution]", "TWAP")
    expect(page.locator("[data-testid=place-order]")).to_have_text("Start TWAP")
    page.fill("[data-testid=twap-duration]", "12s")
    page.fill("[data-testid=twap-slices]", "2")
    expect(page.locator("[data-testid=iceberg-visible-lots]")).to_be_hidden()
    page.click("[data-testid=place-order]")
    card = page.locator("[data-testid=ticket-execution]")
    expect(card).to_contain_text(symbol)
    expect(card).to_contain_text("as a TWAP over 12 s in 2 slices")
    # The beat sends both slices within the 12 s; the card follows the pushes (no reload).
    page.evaluate("window.__not_reloaded = true")
    expect(card.locator("[data-testid=ticket-execution-status]")).to_have_text("COMPLETED", timeout=40_000)
    expect(card.locator("[data-testid=ticket-execution-progress]")).to_have_attribute("value", "100")
    assert page.evaluate("window.__not_reloaded === true")
    execution_id = card.get_attribute("data-execution-id")
    page.click("[data-testid=ticket-execution-link]")
    row = page.locator(f"#algo-row-{execution_id}")
    expect(row.locator("[data-testid=algo-status]")).to_have_text("COMPLETED")
    expect(row.locator("[data-testid=algo-progress]")).to_have_attribute("value", re.compile(r"^100(\.0)?$"))
