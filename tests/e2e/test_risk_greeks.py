"""The Greeks dashboard in real headless Chromium at 1440 and 390 px: a paper future bought through the served
API, one 5-minute snapshot taken in the server's database, then the page draws its Chart.js chart (a Chart
instance on the canvas with the snapshot's delta), shows the tables, no console error, no page wider than the
screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_order_alerts import _api_key, _future, _place

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1440, 390])
def test_greeks_dashboard_draws_the_chart(logged_in_page: Any, live: Any, width: int) -> None:
    page = logged_in_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})
    key = _api_key(live, page.username)
    inst = _future(live)
    assert _place(live, key, inst, inst["lot"])["status"] == "COMPLETE"
    out = live.shell(
        "from django.utils import timezone\n"
        "from accounts.models import TradingAccount\n"
        "from risk.greeks_book import greeks_snapshot_take\n"
        f"a = TradingAccount.objects.filter(user__username={page.username!r}).order_by('id').first()\n"
        "print('TAKEN=%d' % greeks_snapshot_take(a, now=timezone.now()))"
    )
    assert "TAKEN=1" in out or "TAKEN=0" in out  # 0: the second width reuses the same slot
    page.goto(f"{live.url}/risk/greeks/")
    expect(page.locator("[data-testid=greeks-by-underlying]")).to_contain_text(inst["symbol"][:5])
    expect(page.locator("[data-testid=greeks-chart]")).to_be_visible()
    page.wait_for_function("() => document.getElementById('greeks-chart').chart !== undefined")
    delta = page.evaluate("() => document.getElementById('greeks-chart').chart.data.datasets[0].data[0]")
    assert delta > 0  # a long future: positive ₹ delta
    expect(page.locator("[data-testid=correlated-exposure]")).to_contain_text("effective")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.goto(f"{live.url}/alerts/")  # the shell (header, nav) alone: the dashboard adds no width of its own
    shell = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= max(shell, 0) + 1, f"the Greeks page is {overflow}px wider than the screen (shell {shell}px)"
    assert not errors, errors
