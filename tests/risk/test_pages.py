"""Kill-switch and limits pages (server-rendered): the control, engage/release through the form, the banner on
every page while engaged, the limits form saving overrides."""

from __future__ import annotations

import pytest

from risk.models import KillSwitch, RiskLimitConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, user, account):  # noqa: ANN001, ANN201
    client.force_login(user)
    return client


def test_engage_from_the_page_then_banner_everywhere_then_release(
    browser, account, fut, place, django_capture_on_commit_callbacks
):
    page = browser.get("/risk/").content.decode()
    assert 'data-testid="kill-switch-engage"' in page and "data-kill-confirm" in page
    assert 'data-testid="kill-switch-banner"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.post("/risk/kill-switch/", {"action": "engage", "reason": "from the page"})
    assert r.status_code == 302
    assert KillSwitch.objects.get(account=account).state == "HALTED"
    for url in ("/risk/", "/alerts/", "/risk/limits/"):
        html = browser.get(url).content.decode()
        assert 'data-testid="kill-switch-banner"' in html and "from the page" in html, url
    r = browser.post("/risk/kill-switch/", {"action": "release", "reason": "ok"}, follow=True)
    assert "Kill switch released." in r.content.decode()
    assert 'data-testid="kill-switch-banner"' not in browser.get("/alerts/").content.decode()


def test_limits_form_saves_overrides(browser, account):
    html = browser.get("/risk/limits/").content.decode()
    assert 'data-testid="limit-daily_loss"' in html and "RISK_FNO_BAN" in html
    form = {"daily_loss__enabled": "on", "daily_loss__pct": "4", "daily_loss__max_loss_per_strategy_abs": "50000"}
    browser.post("/risk/limits/", form)
    stored = RiskLimitConfig.objects.get(account=account).overrides
    assert stored["daily_loss"] == {"enabled": True, "pct": "4", "max_loss_per_strategy_abs": "50000"}
    assert stored["open_positions"]["enabled"] is False  # unchecked box: switched off
    r = browser.post("/risk/limits/", {"daily_loss__enabled": "on", "daily_loss__pct": "abc"}, follow=True)
    assert "pct must be a number" in r.content.decode()


def test_ops_engage_and_release_from_admin_and_the_ban_list(
    client, django_user_model, user, account, fut, place, django_capture_on_commit_callbacks
):
    ops = django_user_model.objects.create_superuser(username="ops", password="pw-secret-123")
    client.force_login(ops)
    place()
    from risk.selectors import _ensure_rows

    _ensure_rows(account)
    switch = KillSwitch.objects.get(scope="ACCOUNT", account=account)
    for url in (
        "/admin/risk/killswitch/",
        f"/admin/risk/killswitch/{switch.pk}/change/",
        "/admin/risk/fnoban/",
        "/admin/risk/killswitchevent/",
        "/admin/risk/risklimitconfig/",
        "/admin/risk/riskevent/",
    ):
        assert client.get(url).status_code == 200, url
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/risk/killswitch/", {"action": "engage", "_selected_action": [switch.pk]})
    switch.refresh_from_db()
    assert switch.state == "HALTED" and switch.engaged_by == "OPS" and switch.actor == f"ops:{ops.pk}"
    client.post("/admin/risk/killswitch/", {"action": "release", "_selected_action": [switch.pk]})
    switch.refresh_from_db()
    assert switch.state == "ACTIVE"
    r = client.post("/admin/risk/fnoban/add/", {"underlying": " rblbank ", "trade_date": "2026-12-01", "source": "NSE"})
    assert r.status_code == 302
    from risk.models import FnoBan

    assert FnoBan.objects.get().underlying == "RBLBANK"
