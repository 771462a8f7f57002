"""The algorithm panel in the real served product (issue #11): a TWAP started from the form is driven by the
embedded beat (orders.algo_tick) and its progress bar fills live from /ws/orders/ without a reload."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_FUTURE = """
from marketdata.models import Instrument
i = Instrument.objects.filter(exchange="NFO", instrument_type="FUT", name="NIFTY").order_by("expiry").first()
print("FUT", i.tradingsymbol)
"""


def test_a_twap_started_on_the_panel_fills_its_progress_bar_live(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    symbol = re.search(r"^FUT (\S+)$", live.shell(_FUTURE), re.M).group(1)
    page.goto(f"{live.url}/algos/")
    expect(page.locator("body")).to_have_attribute("data-wswsorders", "open")
    page.select_option("select[name=algorithm]", "TWAP")
    page.fill("input[name=tradingsymbol]", symbol)
    page.fill("input[name=lots]", "2")
    page.fill("input[name=duration_seconds]", "12")
    page.fill("input[name=slices]", "2")
    page.click("[data-testid=algo-form] button[type=submit]")
    row = page.locator("[data-testid=algo-row]").first
    expect(row).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-wswsorders", "open")
    # The beat sends both slices within the 12 s; the row follows the pushes (no reload).
    page.evaluate("window.__not_reloaded = true")
    expect(row.locator("[data-testid=algo-status]")).to_have_text("COMPLETED", timeout=40_000)
    expect(row.locator("[data-testid=algo-progress]")).to_have_attribute("value", "100")
    assert page.evaluate("window.__not_reloaded === true")
