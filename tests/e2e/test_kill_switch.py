"""Engaging the kill switch from the UI (the big control, confirmed through the shared modal) flattens a paper
position through the served product, and the banner shows on every page until it is released."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_order_alerts import _api_key, _future, _place

pytestmark = pytest.mark.e2e


def _net(live: Any, key: str) -> int:
    r = httpx.get(f"{live.url}/api/v1/positions/", headers={"Authorization": f"Api-Key {key}"}, timeout=20)
    return sum(p["quantity"] for p in r.json()["results"])


def test_engage_from_the_ui_flattens_the_paper_position_and_shows_the_banner(logged_in_page, live):
    page = logged_in_page
    key = _api_key(live, page.username)
    inst = _future(live)
    assert _place(live, key, inst, inst["lot"])["status"] == "COMPLETE"
    assert _net(live, key) == inst["lot"]

    page.goto(f"{live.url}/risk/")
    expect(page.locator("[data-testid=kill-switch-state]")).to_have_attribute("data-state", "ACTIVE")
    expect(page.locator("[data-testid=kill-switch-banner]")).to_have_count(0)
    page.fill("[data-testid=engage-reason]", "e2e: done for the day")
    page.click("[data-testid=kill-switch-engage]")
    modal = page.locator("[data-testid=confirm-modal]")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("Engage the kill switch?")
    page.click("[data-testid=confirm-ok]")

    expect(page.locator("[data-testid=kill-switch-state]")).to_have_attribute("data-state", "HALTED")
    banner = page.locator("[data-testid=kill-switch-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("e2e: done for the day")
    assert _net(live, key) == 0
    page.goto(f"{live.url}/alerts/")  # another page: the banner is there too
    expect(page.locator("[data-testid=kill-switch-banner]")).to_be_visible()
    r = httpx.post(
        f"{live.url}/api/v1/orders/",
        json={
            "instrument_token": inst["token"],
            "transaction_type": "BUY",
            "quantity": inst["lot"],
            "product": "NRML",
            "order_type": "MARKET",
            "confirm_duplicate": True,
        },
        headers={"Authorization": f"Api-Key {key}"},
        timeout=20,
    )
    assert r.status_code == 423 and r.json()["error"]["code"] == "KILL_SWITCH_ENGAGED"

    page.goto(f"{live.url}/risk/")
    page.fill("[data-testid=release-reason]", "e2e: new day")
    page.click("[data-testid=kill-switch-release]")
    modal = page.locator("[data-testid=confirm-modal]")  # the product's modal, never a native dialog
    expect(modal).to_contain_text("Release the kill switch?")
    expect(modal).to_contain_text("e2e: new day")
    page.click("[data-testid=risk-confirm-ok]")
    expect(page.locator("[data-testid=kill-switch-state]")).to_have_attribute("data-state", "ACTIVE")
    expect(page.locator("[data-testid=kill-switch-banner]")).to_have_count(0)

    # The strategy risk dashboard and /risk/ (exposure, sizing) on a phone: nothing wider than the screen.
    out = live.shell(
        "from django.contrib.auth import get_user_model\n"
        "from accounts.selectors import account_resolve\n"
        "from portfolio.models import Strategy\n"
        f"u = get_user_model().objects.get(username={page.username!r})\n"
        "s, _ = Strategy.objects.get_or_create(user=u, account=account_resolve(user=u), "
        "name='e2e-strategy-with-a-long-name')\n"
        "print('STRATEGY=%s' % s.pk)\n"
    )
    strategy_id = next(line for line in out.splitlines() if line.startswith("STRATEGY=")).split("=", 1)[1]
    page.set_viewport_size({"width": 390, "height": 900})
    shots = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "artifacts" / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    for name, url, testid in (
        ("risk-strategies", "/risk/strategies/", f"risk-card-{strategy_id}"),
        ("risk-strategy", f"/risk/strategies/{strategy_id}/", "guards-form"),
        ("risk-sizing", f"/risk/?instrument=NFO:{inst['symbol']}&stop=25", "sizing-advice"),
    ):
        page.goto(f"{live.url}{url}")
        expect(page.locator(f"[data-testid={testid}]")).to_be_visible()
        page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} is {overflow}px wider than a 390 px screen"
