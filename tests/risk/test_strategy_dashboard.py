"""Issue #12 UI: the strategy risk dashboard (risk metric cards with the seeds' levels, drawdown from the strategy's
peak), the per-position guards form, releasing the monitor's REDUCING status and the kill switch from REDUCING,
correlated exposure and sizing advice on /risk/ and in the ticket preview. Server-rendered; owner-scoped (404)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from oms_project.lib import events
from orders.services import square_off as square_off_module
from portfolio.models import Strategy
from risk import dashboard, greeks_book, levels, monitor, services
from risk.models import KillSwitch, PositionGuardConfig, RiskEvent, RiskStatus, StrategyRiskDay
from risk.monitor_errors import RiskReducingOnly

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

SESSION = "2026-12-01 11:00 IST"  # a Tuesday, the market open
AT = datetime.fromisoformat("2026-12-01T11:00:00+05:30")


def test_levels_follow_the_seeds_bands() -> None:
    assert [levels.level_of(D(x)) for x in ("0", "69.9", "70", "79.9", "80", "89.9", "90", "140")] == [
        "LOW", "LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH", "EXTREME", "EXTREME",
    ]  # fmt: skip
    assert levels.level_of(None) == "LOW"
    assert levels.used_pct(D("-40500"), D("50000")) == D("81.0")
    assert levels.used_pct(D("1"), D("0")) is None and levels.used_pct(None, D("5")) is None
    assert levels.worst(["LOW", "HIGH", "MEDIUM"]) == "HIGH" and levels.worst([]) == "LOW"


@pytest.fixture
def book(travel_to, user, account, fut, place):  # noqa: ANN001, ANN201
    travel_to(SESSION, tick=True)
    s = Strategy.objects.create(user=user, account=account, name="trend", auto_square_off_on_loss_limit=False)
    place(strategy_id=s.pk)  # long 75 NIFTY futures at ~24000
    return s


def _mark(fake_market, fut, price) -> None:  # noqa: ANN001
    fake_market.set(fut.instrument_token, price)
    monitor.monitor_accounts([fut_account(fut)], marks={fut.instrument_token: D(price)})


def fut_account(fut) -> int:  # noqa: ANN001
    from portfolio.models import Position

    return Position.objects.filter(instrument_token=fut.instrument_token).first().account_id


def test_cards_show_pnl_drawdown_from_the_strategys_peak_limits_and_level(
    client, user, account, fut, fake_market, book
) -> None:
    _mark(fake_market, fut, "24100")  # ≈ +₹7,500: the strategy's peak today
    peak = StrategyRiskDay.objects.get(strategy=book).peak_pnl
    assert peak > D("7000")
    _mark(fake_market, fut, "23460")  # ≈ −₹40,500: 81% of the ₹50,000 strategy cap → HIGH
    view = dashboard.strategy_dashboard(user=user, account_id=account.pk)
    card = next(c for c in view["strategies"] if c["strategy_id"] == book.pk)
    summary_row = next(
        r
        for r in services.selectors.risk_summary(user=user, account_id=account.pk)["strategies"]
        if r["strategy_id"] == book.pk
    )
    assert card["pnl_today"] == summary_row["pnl_today"] < 0  # the summary's own figure
    assert card["drawdown"] == peak - card["pnl_today"]  # from the peak, not from zero
    loss = next(r for r in card["limits"] if r["code"] == "RISK_DAILY_LOSS")
    assert loss["limit"] == summary_row["loss_limit"] and loss["headroom"] == summary_row["loss_headroom"]
    assert loss["level"] == "HIGH" and card["level"] == "HIGH"
    margin_row = next(r for r in card["limits"] if r["code"] == "RISK_MARGIN_UTILISATION")
    assert card["utilisation_pct"] is not None and card["utilisation_pct"] > 0
    # the seeds' bands judge utilisation itself, not its share of the 90% limit
    assert margin_row["level"] == levels.level_of(card["utilisation_pct"])
    assert StrategyRiskDay.objects.get(strategy=book).peak_pnl == peak  # a lower P&L leaves the peak
    client.force_login(user)
    html = client.get(reverse("risk-strategies")).content.decode()
    assert f'data-testid="risk-card-{book.pk}" data-level="HIGH"' in html
    assert 'data-testid="risk-card-account"' in html and "RISK_DAILY_LOSS" in html
    assert 'data-testid="nav-risk"' in html
    assert f"₹{card['drawdown']:,.2f}" in html


def test_a_reducing_strategy_is_extreme_and_released_from_its_page_with_a_reason(
    client, user, account, fut, fake_market, place, book, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _mark(fake_market, fut, "23300")  # −₹52,500: past the cap, CRITICAL → REDUCING
    assert RiskStatus.objects.get(strategy=book).status == "REDUCING"
    client.force_login(user)
    page = client.get(reverse("risk-strategy", args=[book.pk])).content.decode()
    assert 'data-level="EXTREME"' in page and 'data-testid="risk-status-reducing"' in page
    assert "data-risk-confirm=" in page and "confirm(" not in page  # the product's modal (risk.js), not native
    r = client.post(reverse("risk-status-release"), {"strategy": book.pk, "reason": " "}, follow=True)
    assert "reason" in r.content.decode().lower() and RiskStatus.objects.get(strategy=book).status == "REDUCING"
    r = client.post(reverse("risk-status-release"), {"strategy": book.pk, "reason": "cut size"}, follow=True)
    assert "Released" in r.content.decode()
    row = RiskStatus.objects.get(strategy=book)
    assert row.status == "ACTIVE" and row.reason == "cut size"
    event = RiskEvent.objects.get(kind="RISK_STATUS_RELEASED")
    assert event.code == "RISK_DAILY_LOSS" and event.details["strategy_id"] == book.pk
    place(strategy_id=book.pk)  # new risk is accepted again
    with pytest.raises(Exception) as exc:
        services.risk_status_release(user=user, reason="again", strategy_id=book.pk)
    assert exc.value.code == "RISK_STATUS_NOT_REDUCING"
    assert RiskReducingOnly.code == "RISK_REDUCING_ONLY"


def test_guards_form_saves_validates_and_blank_turns_a_guard_off(client, user, book) -> None:
    client.force_login(user)
    page = client.get(reverse("risk-strategy", args=[book.pk])).content.decode()
    assert 'data-testid="guards-form"' in page and 'value="2000' in page  # the house defaults shown
    url = reverse("risk-strategy-guards", args=[book.pk])
    form = {"enabled": "on", "target_pnl": "3,500", "stop_loss_pnl": "1200", "timeout_hours": "",
            "auto_close_on_stop": "on"}  # fmt: skip
    client.post(url, form)
    cfg = PositionGuardConfig.objects.get(strategy=book)
    assert (cfg.enabled, cfg.target_pnl, cfg.stop_loss_pnl, cfg.timeout_hours) == (True, D("3500"), D("1200"), None)
    assert (cfg.auto_close_on_target, cfg.auto_close_on_stop, cfg.auto_close_on_timeout) == (False, True, False)
    assert monitor._guard_settings({book.pk})[book.pk]["auto"]["STOP"] is True  # what the monitor reads
    r = client.post(url, {**form, "stop_loss_pnl": "-5"}, follow=True)
    assert "stop_loss_pnl must be 0 (off) or above 0" in r.content.decode()
    assert PositionGuardConfig.objects.get(strategy=book).stop_loss_pnl == D("1200")
    assert RiskEvent.objects.filter(kind="GUARDS_CHANGED").count() == 1


def test_another_users_strategy_is_not_found_anywhere(client, other_user, book) -> None:
    client.force_login(other_user)
    assert client.get(reverse("risk-strategy", args=[book.pk])).status_code == 404
    assert client.post(reverse("risk-strategy-guards", args=[book.pk]), {"target_pnl": "1"}).status_code == 404
    assert client.post(reverse("risk-status-release"), {"strategy": book.pk, "reason": "x"}).status_code == 404
    assert not PositionGuardConfig.objects.exists()
    html = client.get(reverse("risk-strategies")).content.decode()
    assert f'risk-card-{book.pk}"' not in html and "trend" not in html


def test_kill_switch_released_from_reducing_on_its_page_stops_the_square_off(
    client, user, account, fut, place, django_capture_on_commit_callbacks
) -> None:
    place()
    events.unsubscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            switch = services.kill_switch_engage(user=user, reason="pause")
    finally:
        events.subscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)
    assert switch.state == "REDUCING"
    client.force_login(user)
    page = client.get("/risk/").content.decode()
    assert 'data-testid="kill-switch-release-form"' in page and "data-risk-confirm=" in page
    assert "no further attempt" in page  # the modal's note while REDUCING
    r = client.post("/risk/kill-switch/", {"action": "release", "reason": "back"}, follow=True)
    assert "Kill switch released." in r.content.decode()
    assert KillSwitch.objects.get(pk=switch.pk).state == "ACTIVE"
    # The square-off's next report after the release is told to stop.
    assert not services.kill_switch_square_off_result(
        switch_id=switch.pk, flat=False, attempt=1, max_attempts=3, summary={}
    )


def test_risk_page_shows_correlated_exposure_and_sizing_advice(client, user, account, fut, book) -> None:
    client.force_login(user)
    html = client.get("/risk/").content.decode()
    extras = dashboard.risk_page_extras(user=user, account_id=account.pk)
    assert 'data-testid="risk-correlated-exposure"' in html
    assert f"₹{extras['correlation']['gross_inr']}" in html and float(extras["correlation"]["gross_inr"]) > 0
    assert "NIFTY" in html.split('data-testid="exposure-clusters"')[1].split("</ul>")[0]
    assert f"₹{extras['risk_per_trade']['budget']}" in html  # 2% of capital
    r = client.get("/risk/", {"instrument": f"NFO:{fut.tradingsymbol}", "stop": "20"}).content.decode()
    want = greeks_book.sizing_view(user=user, instrument_token=fut.instrument_token, stop_distance=D("20"))
    assert want["by_constraint"]["risk"] == int(extras["risk_per_trade"]["budget"] / (20 * 75))
    assert (
        'data-testid="sizing-advice"' in r
        and f"{want['lots']} lot" in r
        and f"risk: {want['by_constraint']['risk']} lot" in r
    )
    bad = client.get("/risk/", {"instrument": "NFO:NOPE", "stop": "20"}).content.decode()
    assert 'data-testid="sizing-error"' in bad
    bad = client.get("/risk/", {"instrument": f"NFO:{fut.tradingsymbol}", "stop": "-1"}).content.decode()
    assert "positive number" in bad


def test_ticket_preview_carries_one_sizing_line(client, user, account, fut, fake_market) -> None:
    q = fake_market.set(fut.instrument_token, "24000")
    fake_market.quotes[fut.instrument_token] = dataclasses.replace(q, volume=10_000_000, oi=50_000_000)
    client.force_login(user)
    params = {"instrument_token": fut.instrument_token, "lots": "400", "order_type": "MARKET", "side": "BUY",
              "stop_loss": "23900", "exit_mode": "price"}  # fmt: skip
    html = client.get(reverse("order-ticket-preview"), params).content.decode()
    want = greeks_book.sizing_view(user=user, instrument_token=fut.instrument_token, stop_distance=D("100"))
    assert want["lots"] is not None
    line = html.split('data-testid="ticket-sizing"')[1].split("</p>")[0]
    assert f'data-lots="{want["lots"]}"' in line and f'data-binding="{want["binding"]}"' in line
    assert "this order is larger" in line  # 400 lots is more than the advice
    no_stop = client.get(reverse("order-ticket-preview"), {**params, "stop_loss": ""}).content.decode()
    assert 'data-testid="ticket-sizing"' in no_stop
