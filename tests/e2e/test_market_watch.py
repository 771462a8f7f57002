"""Browser: a trader adds an instrument to the market watch, opens its depth and sees it move live."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_add_instrument_and_watch_live_depth(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    page.goto(f"{live.url}/market/")
    page.get_by_test_id("watch-empty").wait_for()
    page.get_by_test_id("instrument-search").fill("NIFTY FUT")
    result = page.get_by_test_id("search-result").first
    result.wait_for()
    symbol = result.get_attribute("data-symbol")
    assert symbol and symbol.endswith("FUT")
    result.click()
    row = page.locator(f'[data-testid="watch-row"][data-symbol="NFO:{symbol}"]')
    row.wait_for()
    page.wait_for_function("document.getElementById('feed-status').textContent === 'live'")

    row.get_by_test_id("watch-symbol").click()
    panel = page.get_by_test_id("depth-panel")
    panel.wait_for(state="visible")
    page.wait_for_function(
        "document.querySelector('[data-testid=depth-bid-price-4]').textContent !== ''", timeout=10_000
    )
    first = (page.get_by_test_id("depth-time").text_content(), panel.inner_text())
    # The feed runs every 0.5 s in the live server: the book and its timestamp change.
    page.wait_for_function(
        "(prev) => document.querySelector('[data-testid=depth-time]').textContent !== prev",
        arg=first[0],
        timeout=10_000,
    )
    assert panel.inner_text() != first[1]
    bid = float(page.get_by_test_id("depth-bid-price-0").text_content().replace(",", ""))
    ask = float(page.get_by_test_id("depth-ask-price-0").text_content().replace(",", ""))
    assert 0 < bid < ask
    ltp = row.get_by_test_id("ltp").text_content()
    assert ltp and float(ltp.replace(",", "")) > 0

    # Persistent: after a reload the instrument is still on the watch.
    page.reload()
    page.locator(f'[data-testid="watch-row"][data-symbol="NFO:{symbol}"]').wait_for()
