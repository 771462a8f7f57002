"""Every page in real headless Chromium at 1440 and 390 px (#14): no console error, no page wider than
the screen, ₹ with Indian grouping on a known amount, the product's own modal (never the browser's
confirm()), the formatter in the browser agreeing with the template filters; a screenshot of each page
under artifacts/screenshots/ (SCREENSHOT_DIR overrides; see tests/README.md).

Data is made through the served product itself (its API and management shell), so the pages show
real orders, positions (one open, one closed today), alerts and two accounts in the switcher."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, login

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "artifacts" / "screenshots")
WIDTHS = {"desktop": 1440, "phone": 390}
USER = "e2e_pages"


def _json_line(out: str, tag: str) -> Any:
    return json.loads(next(line for line in out.splitlines() if line.startswith(tag)).split("=", 1)[1])


def _setup(live: Any) -> dict[str, Any]:
    """A staff trader with two paper accounts, a market watch, a resting order, an open and a closed position."""
    live.create_user(USER)
    out = live.shell(
        "import json\n"
        "from decimal import Decimal, ROUND_CEILING\n"
        "from django.contrib.auth import get_user_model\n"
        "from accounts.services import paper_account_create\n"
        "from accounts.models import TradingAccount\n"
        "from marketdata.models import Instrument\n"
        "from marketdata import selectors as md, services as mds\n"
        f"u = get_user_model().objects.get(username={USER!r}); u.is_staff = True; u.is_superuser = True; u.save()\n"
        "if not TradingAccount.objects.filter(user=u, name='Paper swing').exists():\n"
        "    paper_account_create(user=u, name='Paper swing')\n"
        "futs = list(Instrument.objects.filter(instrument_type='FUT', exchange='NFO', freeze_quantity__isnull=False)"
        ".order_by('expiry', 'tradingsymbol')[:2])\n"
        "for i in futs: mds.watchlist_add(user=u, instrument=i)\n"
        "q = md.quote_for(futs[0])\n"
        "far = (q.lower_circuit_limit * Decimal('1.01')).quantize(Decimal('1'), rounding=ROUND_CEILING)\n"
        "print('DATA=' + json.dumps({'futs': [{'token': i.instrument_token, 'symbol': i.tradingsymbol, "
        "'lot': i.lot_size, 'freeze': i.freeze_quantity} for i in futs], 'far': str(far)}))"
    )
    data = _json_line(out, "DATA=")
    key = live.manage("create_api_key", USER, "--name", "e2e-pages").strip().splitlines()[-1]
    headers = {"Authorization": f"Api-Key {key}"}

    def place(inst: dict[str, Any], side: str, order_type: str = "MARKET", price: str | None = None) -> dict:
        body = {"instrument_token": inst["token"], "transaction_type": side, "quantity": inst["lot"],
                "product": "NRML", "order_type": order_type, "confirm_duplicate": True,
                "client_order_id": f"e2e-pages-{uuid.uuid4().hex[:16]}"}
        if price:
            body["price"] = price
        r = httpx.post(f"{live.url}/api/v1/orders/", json=body, headers=headers, timeout=20)
        assert r.status_code in (200, 201), r.text
        return r.json()

    a, b = data["futs"]
    data["open_order"] = place(a, "BUY", "LIMIT", data["far"])
    place(a, "SELL")  # open: a short, shown as "SELL <lot>"
    place(b, "BUY")
    place(b, "SELL")  # closed today, with its realised P&L
    return data


@pytest.fixture(scope="module")
def data(live: Any) -> dict[str, Any]:
    return _setup(live)


class ConsoleWatch:
    """Collects console errors, uncaught exceptions and failed requests of a page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.page = page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("dialog", lambda d: (self.errors.append(f"native dialog: {d.message}"), d.dismiss()))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    def _console(self, m: Any) -> None:
        if m.type != "error":
            return
        # A 404 page is a 404 document: Chromium logs that for the page itself; any other resource counts.
        if "404" in m.text and (m.location or {}).get("url") == self.page.url and self.page.url.endswith("/no-such-page/"):
            return
        self.errors.append(f"console.{m.type}: {m.text} ({(m.location or {}).get('url', '')})")


def _settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)  # a few ticks (the feed runs every 0.5 s) and htmx refreshes


def _check(page: Any, name: str, label: str, watch: ConsoleWatch, width: int) -> None:
    _settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {width}px is {overflow}px wider than the screen"
    assert not page.locator("text=/\\b[A-Z]+(_[A-Z]+)+\\b \\|/").count(), f"{name}: a raw error code is shown"
    assert watch.errors == [], f"{name} at {width}px: {watch.errors}"


@pytest.mark.parametrize("label", list(WIDTHS))
def test_every_page_renders_clean(label: str, data: dict[str, Any], live: Any, browser: Any) -> None:
    width = WIDTHS[label]
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    watch = ConsoleWatch(page)
    a, b = data["futs"]
    order_id = data["open_order"]["id"]

    page.goto(f"{live.url}/login/")
    _check(page, "login", label, watch, width)
    login(page, live, USER)

    page.goto(f"{live.url}/market/")
    expect(page.locator("[data-testid=watch-row]")).to_have_count(2)
    page.wait_for_function("document.getElementById('feed-status').textContent === 'live'")
    page.locator("[data-testid=watch-symbol]").first.click()
    expect(page.locator("[data-testid=depth-bid-price-0]")).not_to_have_text("")
    _check(page, "market-watch", label, watch, width)

    # Ticket opened from "Trade": the preview is filled at once, then follows the ticks.
    page.goto(f"{live.url}/orders/new/?instrument_token={a['token']}")
    expect(page.locator("[data-testid=preview-ltp]")).not_to_have_text("–", timeout=1500)
    page.select_option("[data-testid=order-type]", "LIMIT")
    page.fill("[data-testid=lots]", "2")
    page.fill("[data-testid=price]", "12345.5")
    # The known amount: 2 lots x lot x 12,345.50, in rupees with Indian grouping, rendered by the server...
    expected = OMS_INR(2 * a["lot"] * 12345.5)
    expect(page.locator("[data-testid=preview-order-value]")).to_have_text(expected)
    # ...and still the same after live ticks re-render the cell in the browser (OMS.fmt).
    page.wait_for_timeout(1200)
    expect(page.locator("[data-testid=preview-order-value]")).to_have_text(expected)
    assert re.fullmatch(r"[\d,]+\.\d{2}", page.locator("[data-testid=preview-ltp]").inner_text())
    # A letter in the price is not dropped silently.
    page.fill("[data-testid=price]", "12345a")
    expect(page.locator("[data-testid=price-hint]")).to_contain_text("“a” is not allowed")
    page.fill("[data-testid=price]", "12345.5")
    expect(page.locator("[data-testid=price-hint]")).to_be_hidden()
    _check(page, "ticket", label, watch, width)

    # Above the freeze limit: the ticket offers "Split into N slices", and the error offers it as a control.
    lots = a["freeze"] // a["lot"] + 1
    page.fill("[data-testid=price]", data["far"])
    page.fill("[data-testid=lots]", str(lots))
    page.locator("[data-testid=lots]").dispatch_event("change")
    expect(page.locator("[data-testid=slice-toggle]")).to_be_visible()
    page.click("[data-testid=place-order]")
    error = page.locator("[data-testid=order-error]")
    expect(error).to_have_attribute("data-error-code", "FREEZE_QUANTITY_EXCEEDED")
    expect(error).not_to_contain_text("FREEZE_QUANTITY_EXCEEDED")
    expect(error).not_to_contain_text("auto_slice")
    expect(error.locator("[data-testid=split-order]")).to_contain_text("Split into 2 slices")
    _check(page, "ticket-freeze-error", label, watch, width)

    # Enter pressed before the suggestions arrive still picks the match once they do (never sends the order).
    page.goto(f"{live.url}/orders/new/")
    page.fill("[data-testid=instrument-search]", a["symbol"])
    page.press("[data-testid=instrument-search]", "Enter")
    expect(page.locator("[data-testid=chosen-instrument]")).to_contain_text(a["symbol"])
    assert page.locator("[data-testid=instrument-token]").input_value() == str(a["token"])
    expect(page.locator("[data-testid=preview-checks]")).to_be_visible()
    expect(page.locator("[data-testid=ticket-idle]")).to_be_visible()

    # Enter in the search picks the highlighted match completely (and never sends the order).
    page.goto(f"{live.url}/orders/new/")
    page.fill("[data-testid=instrument-search]", b["symbol"])
    expect(page.locator("[data-testid=instrument-option]").first).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("[data-testid=option-ltp]").first).not_to_have_text("–")
    page.press("[data-testid=instrument-search]", "Enter")
    expect(page.locator("[data-testid=chosen-instrument]")).to_contain_text(b["symbol"])
    assert page.locator("[data-testid=instrument-token]").input_value() == str(b["token"])
    expect(page.locator("[data-testid=preview-ltp]")).not_to_have_text("–")
    expect(page.locator("[data-testid=ticket-idle]")).to_be_visible()  # nothing was placed
    _check(page, "ticket-chosen", label, watch, width)

    page.goto(f"{live.url}/orders/")
    row = page.locator(f"#order-row-{order_id}")
    expect(row.locator("[data-testid=order-status]")).to_have_text("OPEN")
    row.locator("[data-testid=cancel-order]").click()
    modal = page.locator("[data-testid=cancel-confirm]")
    expect(modal).to_be_visible()
    for text in (a["symbol"], "BUY", f"{a['lot']} (1 lot)", "LIMIT @"):
        expect(modal).to_contain_text(text)
    _check(page, "orders-cancel-modal", label, watch, width)
    modal.locator("[data-testid=confirm-cancel]").click()
    expect(modal).to_have_count(0)
    expect(row.locator("[data-testid=order-status]")).to_have_text("OPEN")  # kept
    _check(page, "orders", label, watch, width)

    page.goto(f"{live.url}/orders/{order_id}/")
    expect(page.locator("[data-testid=detail-created]")).to_contain_text("IST")
    _check(page, "order-detail", label, watch, width)

    page.goto(f"{live.url}/positions/")
    open_row = page.locator("#position-rows [data-testid=position-row]")
    expect(open_row).to_have_count(1)
    expect(open_row.locator("[data-testid=position-qty]")).to_have_text(f"SELL {a['lot']}")
    expect(open_row.locator("[data-testid=position-pnl]")).to_have_text(re.compile(r"^([+-]₹|₹)[\d,]+\.\d{2}$"))
    closed = page.locator("#closed-rows [data-testid=position-row]")
    expect(closed).to_have_count(1)
    expect(closed.locator("[data-testid=position-pnl]")).to_have_text(re.compile(r"^([+-]₹|₹)[\d,]+\.\d{2}$"))
    open_row.locator("[data-testid=exit-position]").click()
    exit_modal = page.locator("[data-testid=exit-confirm]")
    expect(exit_modal).to_contain_text("Estimated P&L")
    expect(exit_modal).to_contain_text(f"BUY {a['lot']} (1 lot) at market")
    _check(page, "positions-exit-modal", label, watch, width)
    page.keyboard.press("Escape")
    expect(exit_modal).to_have_count(0)
    _check(page, "positions", label, watch, width)

    page.goto(f"{live.url}/margin/")  # #10: gauge, breakdown, chips, warnings, history chart
    expect(page.locator("[data-testid=margin-gauge]")).to_be_visible()
    expect(page.locator("[data-testid=breakdown-total]")).to_have_text(re.compile(r"^₹[\d,]+\.\d{2}$"))
    _check(page, "margin", label, watch, width)

    page.goto(f"{live.url}/alerts/preferences/")
    page.select_option("[data-testid=alert-test-level]", "URGENT")
    page.click("[data-testid=alert-test-send]")
    expect(page.locator(".flash")).to_contain_text("Sent an urgent test alert")
    _check(page, "alert-preferences", label, watch, width)
    page.goto(f"{live.url}/alerts/")
    expect(page.locator("[data-testid=alert-item]").first).to_contain_text("an urgent test alert")
    expect(page.locator("[data-testid=alert-link]").first).to_have_attribute("href", re.compile(r"^/orders/\d+/$"))
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    _check(page, "alerts", label, watch, width)

    page.goto(f"{live.url}/settings/api-keys/")
    _check(page, "api-keys", label, watch, width)
    page.goto(f"{live.url}/broker/kite/accounts/")
    _check(page, "broker-accounts", label, watch, width)

    # The account switcher: the other account's (empty) order book.
    page.goto(f"{live.url}/orders/")
    swing = page.locator("[data-testid=account-switcher] option", has_text="Paper swing").get_attribute("value")
    with page.expect_navigation():
        page.select_option("[data-testid=account-switcher]", swing)
    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.locator("[data-testid=order-book-empty]")).to_be_visible()
    _check(page, "account-switched", label, watch, width)
    # The switch submits a form: wait for that navigation, or the next goto races it (net::ERR_ABORTED).
    with page.expect_navigation():
        page.select_option("[data-testid=account-switcher]", index=0)
    page.wait_for_load_state("networkidle")

    page.goto(f"{live.url}/no-such-page/")
    _check(page, "not-found", label, watch, width - 0)

    page.goto(f"{live.url}/admin/")
    expect(page.locator("#content")).not_to_contain_text("preferencess")
    assert page.locator("a", has_text=re.compile(r"^API keys$")).count() == 1
    watch.errors.clear()  # Django's own admin: judged on labels, not on its markup
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"admin-{label}.png"), full_page=True)
    context.close()


def test_browser_formatter_matches_the_template_filters(live: Any, page: Any) -> None:
    """OMS.fmt inside Chromium on the shared case table (the same table the Python filters pass)."""
    cases = json.loads((ROOT / "tests/project/format_cases.json").read_text())["cases"]
    page.goto(f"{live.url}/login/")
    page.wait_for_function("!!(window.OMS && window.OMS.fmt)")
    bad = page.evaluate(
        "(cases) => cases.filter(([name, args, shown]) => window.OMS.fmt[name](...args) !== shown)"
        ".map(([name, args, shown]) => `${name}(${JSON.stringify(args)}) = ${window.OMS.fmt[name](...args)} != ${shown}`)",
        cases,
    )
    assert bad == []


def OMS_INR(amount: float) -> str:  # noqa: N802  (the expected text, from the Python side of the formatter)
    from oms_project.lib.formatting import inr

    return inr(f"{amount:.2f}")
