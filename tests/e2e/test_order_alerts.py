"""Alerts raised by REAL order events reach the owner's browser live, and nobody else's.

Orders are placed through the served product's own API (an API key from `manage.py create_api_key`),
so the order is processed - and its alert raised - inside the server process, exactly as for a bot.
Orders raise ORDER_FILLED at INFO (`orders/services/broker_updates.py::_status_alert`): not CRITICAL/URGENT, so no
toast; it bumps the badge and adds a row. An order short of margin is refused before it exists (margin.funds):
no alert.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _api_key(live: Any, username: str) -> str:
    return live.manage("create_api_key", username, "--name", "e2e-order-alerts").strip().splitlines()[-1]


def _future(live: Any) -> dict[str, Any]:
    """A tradable index future of the demo master, with its lot and freeze quantity (from the data)."""
    out = live.shell(
        "import json\n"
        "from marketdata.models import Instrument\n"
        "i = Instrument.objects.filter(instrument_type='FUT', exchange='NFO', freeze_quantity__isnull=False)"
        ".order_by('expiry', 'tradingsymbol').first()\n"
        "print('INST=' + json.dumps({'token': i.instrument_token, 'symbol': i.tradingsymbol, "
        "'lot': i.lot_size, 'freeze': i.freeze_quantity}))"
    )
    return json.loads(next(line for line in out.splitlines() if line.startswith("INST=")).split("=", 1)[1])


def _body(inst: dict[str, Any], quantity: int) -> dict[str, Any]:
    return {
        "instrument_token": inst["token"],
        "transaction_type": "BUY",
        "quantity": quantity,
        "product": "NRML",
        "order_type": "MARKET",
        "client_order_id": f"e2e-alerts-{uuid.uuid4().hex[:16]}",
        "confirm_duplicate": True,
    }


def _place(live: Any, key: str, inst: dict[str, Any], quantity: int) -> dict[str, Any]:
    body = _body(inst, quantity)
    r = httpx.post(f"{live.url}/api/v1/orders/", json=body, headers={"Authorization": f"Api-Key {key}"}, timeout=20)
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_order_filled_alert_arrives_live_and_stays_private(logged_in_page, live, browser):
    page = logged_in_page
    page.goto(f"{live.url}/alerts/")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open")
    badge = page.locator("[data-testid=alert-badge]")
    expect(badge).to_have_attribute("data-count", "0")
    expect(page.locator("[data-testid=alert-empty]")).to_be_visible()

    # Another user watches their own alert center (and an orders page) the whole time.
    live.create_user("e2e_order_alerts_other")
    other_context = browser.new_context()
    other = other_context.new_page()
    login(other, live, "e2e_order_alerts_other")
    other.goto(f"{live.url}/alerts/")
    expect(other.locator("body")).to_have_attribute("data-wswsalerts", "open")

    key = _api_key(live, page.username)
    inst = _future(live)

    # 1. A one-lot MARKET order fills on the paper broker -> ORDER_FILLED appears live.
    filled = _place(live, key, inst, inst["lot"])
    assert filled["status"] == "COMPLETE", filled
    expect(badge).to_have_attribute("data-count", "1")
    rows = page.locator("[data-testid=alert-item]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".alert-type")).to_have_text("Order Filled")
    expect(row.locator("[data-testid=alert-level]")).to_have_text("INFO")
    expect(row.locator(".alert-message")).to_contain_text(f"#{filled['id']} BUY {inst['lot']} {inst['symbol']} filled")
    expect(row.locator("[data-testid=alert-link]")).to_have_text(f"Order #{filled['id']} →")
    expect(row.locator("[data-testid=alert-link]")).to_have_attribute("href", f"/orders/{filled['id']}/")
    expect(page.locator(".toast")).to_have_count(0)  # INFO: no toast

    # 2. The freeze quantity of a future needs far more margin than the paper capital -> the pre-trade
    #    stage margin.funds refuses it (INSUFFICIENT_MARGIN, nothing stored or sent) -> no alert is raised.
    big = inst["freeze"] // inst["lot"] * inst["lot"]
    r = httpx.post(
        f"{live.url}/api/v1/orders/",
        json={**_body(inst, big)},
        headers={"Authorization": f"Api-Key {key}"},
        timeout=20,
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INSUFFICIENT_MARGIN", r.text
    assert r.json()["error"]["details"]["shortfall"], r.text
    page.wait_for_timeout(500)
    expect(badge).to_have_attribute("data-count", "1")
    expect(rows).to_have_count(1)

    # 3. The same order events reached nobody else: the other user's page got no push, and after a
    #    reload (the stored state) still has no alerts.
    expect(other.locator("[data-testid=alert-badge]")).to_have_attribute("data-count", "0")
    expect(other.locator("[data-testid=alert-item]")).to_have_count(0)
    expect(other.locator(".toast")).to_have_count(0)
    other.reload()
    expect(other.locator("[data-testid=alert-empty]")).to_be_visible()
    expect(other.locator("[data-testid=alert-badge]")).to_have_attribute("data-count", "0")
    # ...and the other user's key cannot read the owner's alert (404, not 403).
    other_key = _api_key(live, "e2e_order_alerts_other")
    alert_id = _alert_id(live, page.username, filled["id"])
    r = httpx.get(f"{live.url}/api/v1/alerts/{alert_id}/", headers={"Authorization": f"Api-Key {other_key}"})
    assert r.status_code == 404, r.text
    mine = httpx.get(f"{live.url}/api/v1/alerts/{alert_id}/", headers={"Authorization": f"Api-Key {key}"}).json()
    assert (mine["type"], mine["links"]) == ("ORDER_FILLED", {"order_id": filled["id"]})

    # 4. The stored state matches what was shown live: reload shows the same row.
    page.reload()
    expect(page.locator("[data-testid=alert-item]")).to_have_count(1)
    expect(page.locator("[data-testid=alert-badge]")).to_have_attribute("data-count", "1")
    other_context.close()


def _alert_id(live: Any, username: str, order_id: int) -> int:
    out = live.shell(
        "from alerts.models import Alert\n"
        f"a = Alert.objects.get(user__username={username!r}, links__order_id={order_id})\n"
        "print('ALERT=%d' % a.pk)"
    )
    return int(next(line for line in out.splitlines() if line.startswith("ALERT=")).split("=", 1)[1])


def test_reconnect_resyncs_new_and_changed_alerts(logged_in_page, live):
    """While the page's socket is down: an order fills (new alert), a question it shows in a modal is
    answered elsewhere, and an alert is read elsewhere. After the reconnect the page shows all of it."""
    from tests.e2e.test_alerts import WS_CONTROL

    page = logged_in_page
    page.add_init_script(WS_CONTROL)
    page.goto(f"{live.url}/alerts/")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open")
    badge = page.locator("[data-testid=alert-badge]")
    key = _api_key(live, page.username)
    api = httpx.Client(base_url=f"{live.url}/api/v1", headers={"Authorization": f"Api-Key {key}"}, timeout=20)
    inst = _future(live)

    first = _place(live, key, inst, inst["lot"])
    filled_id = _alert_id(live, page.username, first["id"])
    expect(page.locator(f"#alert-{filled_id}")).to_have_class(re.compile(r"\bunread\b"))
    assert api.post("/alerts/test/", json={"level": "WARNING", "with_actions": True}).status_code in (200, 201)
    modal = page.locator("[data-testid=alert-modal]")
    expect(modal).to_be_visible()
    question_id = int(modal.get_attribute("data-alert-id"))
    expect(badge).to_have_attribute("data-count", "2")

    # Drop the socket and hold reconnects back.
    page.evaluate("window.__blockWs = true; window.__sockets.forEach(s => s.close())")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "closed")
    r = api.post(f"/alerts/{question_id}/respond/", json={"action": "Acknowledge"})
    assert r.status_code == 200, r.text
    assert api.put(f"/alerts/{filled_id}/mark-read/").status_code == 200
    second = _place(live, key, inst, inst["lot"])
    page.wait_for_timeout(300)
    expect(modal).to_be_visible()  # nothing reached the page yet
    expect(badge).to_have_attribute("data-count", "2")

    page.evaluate("window.__blockWs = false")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open", timeout=20000)
    # The question answered elsewhere: its modal closes and its row shows the answer.
    expect(modal).to_have_count(0)
    expect(page.locator(f"#alert-{question_id} [data-testid=alert-response]")).to_have_text("Answered: Acknowledge")
    # The alert read elsewhere is no longer unread; the order filled meanwhile is a new unread row.
    expect(page.locator(f"#alert-{filled_id}")).not_to_have_class(re.compile(r"\bunread\b"))
    new_id = _alert_id(live, page.username, second["id"])
    expect(page.locator(f"#alert-{new_id}")).to_have_class(re.compile(r"\bunread\b"))
    expect(page.locator("[data-testid=alert-item]")).to_have_count(3)
    expect(badge).to_have_attribute("data-count", "1")
    expect(page.locator(".toast")).to_have_count(0)

    # Marking all read elsewhere (a bot) clears the badge and the unread rows live.
    assert api.post("/alerts/mark-all-read/").json()["marked"] == 1
    expect(badge).to_have_attribute("data-count", "0")
    expect(page.locator("[data-testid=alert-item].unread")).to_have_count(0)
    expect(page.locator("[data-testid=alert-mark-read]")).to_have_count(0)
    api.close()
