"""Alerts in the browser: live badge, toast, answer via the modal, replay after a dropped socket.

The live server runs embedded mode (in-memory channel layer), so alerts must be raised inside the
server process: a second tab uses the "Send a test alert" form, which calls the same alert_raise.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Lets the test drop the page's WebSockets and hold reconnects back (to raise alerts meanwhile).
WS_CONTROL = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__blockWs = false;
  window.WebSocket = function (url, protocols) {
    const ws = new Native(window.__blockWs ? url.replace('/ws/', '/ws-blocked/') : url, protocols);
    window.__sockets.push(ws);
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""


def send_test_alert(page, live, level: str, with_actions: bool = False) -> None:  # noqa: ANN001
    page.goto(f"{live.url}/alerts/preferences/")
    page.select_option("[data-testid=alert-test-level]", level)
    if with_actions:
        page.check("[data-testid=alert-test-actions]")
    page.click("[data-testid=alert-test-send]")
    page.wait_for_url(f"{live.url}/alerts/preferences/")


def test_alerts_live_badge_toast_modal_and_replay(logged_in_page, live):
    page = logged_in_page
    page.add_init_script(WS_CONTROL)
    page.goto(f"{live.url}/alerts/")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open")
    badge = page.locator("[data-testid=alert-badge]")
    expect(badge).to_have_attribute("data-count", "0")
    other_tab = page.context.new_page()

    # A CRITICAL alert: badge, toast and a new row in the alert center, all live.
    send_test_alert(other_tab, live, "CRITICAL")
    expect(badge).to_have_attribute("data-count", "1")
    expect(badge).to_be_visible()
    expect(page.locator(".toast-critical")).to_contain_text("Test alert")
    expect(page.locator("[data-testid=alert-item]")).to_have_count(1)

    # An alert that asks for an answer opens a modal; answering it updates the row live.
    send_test_alert(other_tab, live, "WARNING", with_actions=True)
    modal = page.locator("[data-testid=alert-modal]")
    expect(modal).to_be_visible()
    modal.locator("[data-testid=alert-modal-action][data-action=Acknowledge]").click()
    expect(modal).to_have_count(0)
    first_row = page.locator("[data-testid=alert-item]").first
    expect(first_row.locator("[data-testid=alert-response]")).to_have_text("Answered: Acknowledge")
    stored = live.shell(
        "from alerts.models import Alert\n"
        f"a = Alert.objects.filter(user__username={page.username!r}).order_by('-id').first()\n"
        "print(a.status, a.response, a.response_actor.split(':')[0], a.responses.count())"
    )
    assert stored.strip().splitlines()[-1].split() == ["RESPONDED", "Acknowledge", "user", "1"]

    # Drop the socket and hold reconnects back; alerts raised meanwhile arrive after reconnect.
    page.evaluate("window.__blockWs = true; window.__sockets.forEach(s => s.close())")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "closed")
    send_test_alert(other_tab, live, "INFO")
    send_test_alert(other_tab, live, "WARNING")
    page.evaluate("window.__blockWs = false")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open", timeout=20000)
    expect(page.locator("[data-testid=alert-item]")).to_have_count(4, timeout=10000)
    expect(badge).to_have_attribute("data-count", "3")  # CRITICAL + the two missed (answered one is read)

    # Mark all read clears the badge.
    page.click("[data-testid=alert-mark-all-read]")
    expect(page.locator("[data-testid=alert-badge]")).to_have_attribute("data-count", "0")


def test_alerts_stay_private_between_users(logged_in_page, live, browser):
    page = logged_in_page
    page.goto(f"{live.url}/alerts/")
    expect(page.locator("body")).to_have_attribute("data-wswsalerts", "open")
    live.create_user("e2e_alert_other")
    other_context = browser.new_context()
    other = other_context.new_page()
    from tests.e2e.conftest import login

    login(other, live, "e2e_alert_other")
    send_test_alert(other, live, "URGENT")
    other.goto(f"{live.url}/alerts/")
    expect(other.locator("[data-testid=alert-item]")).to_have_count(1)
    page.wait_for_timeout(1000)
    expect(page.locator("[data-testid=alert-badge]")).to_have_attribute("data-count", "0")
    expect(page.locator(".toast")).to_have_count(0)
    expect(page.locator("[data-testid=alert-empty]")).to_be_visible()
    other_context.close()
