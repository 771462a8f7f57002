"""The kill switch: engage cancels every open order and squares off through the pipeline as the system, then
HALTED refuses everything but reducing orders; release rules; retries then URGENT; audit; the API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alerts.models import Alert
from oms_project.lib import events
from orders.models import Order
from orders.services import square_off as square_off_module
from portfolio.models import Position
from risk import errors, services
from risk.models import KillSwitch, KillSwitchEvent, RiskEvent
from tests.support.orders import preview_order

pytestmark = pytest.mark.django_db


def _open_qty(account) -> int:  # noqa: ANN001
    return sum(p.quantity for p in Position.objects.filter(account=account))


def test_engage_flattens_the_book_halts_and_refuses_new_risk(
    user, account, fut, place, django_capture_on_commit_callbacks
):
    place()  # long 75
    resting = place(order_type="LIMIT", price=D("23000"))
    assert resting.status == "OPEN" and _open_qty(account) == 75
    with django_capture_on_commit_callbacks(execute=True):
        switch = services.kill_switch_engage(user=user, reason="done for the day")
    switch.refresh_from_db()  # the square-off ran on commit (at the end of the block here)
    assert switch.state == "HALTED"
    resting.refresh_from_db()
    assert resting.status == "CANCELLED"
    assert _open_qty(account) == 0
    exit_order = Order.objects.get(role="EXIT")
    assert exit_order.transaction_type == "SELL" and exit_order.order_type == "MARKET"
    assert exit_order.market_protection == -1 and exit_order.status == "COMPLETE"
    assert exit_order.events.filter(kind="CREATED", actor="system").exists()
    with pytest.raises(errors.KillSwitchEngaged) as exc:
        place()
    assert exc.value.code == "KILL_SWITCH_ENGAGED" and "done for the day" in exc.value.message
    preview = preview_order(
        user,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        order_type="MARKET",
        instrument_token=fut.instrument_token,
    )
    finding = next(f for f in preview["findings"] if f["stage"] == "risk.kill_switch")
    assert preview["verdict"] == "deny" and finding["code"] == "KILL_SWITCH_ENGAGED"
    actions = list(KillSwitchEvent.objects.filter(switch=switch).order_by("id").values_list("action", flat=True))
    assert actions == ["ENGAGE", "SQUARE_OFF", "HALT"]
    assert Alert.objects.filter(user=user, type="KILL_SWITCH", level="CRITICAL").count() == 1
    assert RiskEvent.objects.filter(user=user, kind="KILL_SWITCH_ENGAGED").count() == 1


def test_while_engaged_only_reducing_orders_pass(user, account, fut, place, django_capture_on_commit_callbacks):
    place(quantity=150)  # long 150
    events.unsubscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.kill_switch_engage(user=user, reason="stop")
    finally:
        events.subscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)
    assert KillSwitch.objects.get(scope="ACCOUNT", account=account).state == "REDUCING"
    with pytest.raises(errors.KillSwitchEngaged):
        place(transaction_type="SELL", quantity=225)  # through zero: adds a short
    with pytest.raises(errors.KillSwitchEngaged):
        place(transaction_type="BUY", quantity=75)
    reduced = place(transaction_type="SELL", quantity=75)
    assert reduced.status == "COMPLETE" and _open_qty(account) == 75


def test_release_by_the_engaging_user_only_and_automatic_by_ops(
    user, other_user, account, other_account, fut, django_capture_on_commit_callbacks, place
):
    with django_capture_on_commit_callbacks(execute=True):
        services.kill_switch_engage(user=user, reason="manual")
    with pytest.raises(errors.KillSwitchReasonRequired):
        services.kill_switch_release(user=user, reason="  ")
    switch = KillSwitch.objects.get(scope="ACCOUNT", account=account)
    with pytest.raises(errors.KillSwitchForbidden):
        services.kill_switch_release_switch(switch_id=switch.pk, user=other_user, reason="not mine")
    assert services.kill_switch_release(user=user, reason="new plan").state == "ACTIVE"
    assert place().status == "COMPLETE"
    with pytest.raises(errors.KillSwitchNotEngaged):
        services.kill_switch_release(user=user, reason="again")
    # An automatic engage (a breach) is released by ops only.
    with django_capture_on_commit_callbacks(execute=True):
        services.kill_switch_engage(
            user=None, reason="automatic: RISK_DAILY_LOSS", account_id=account.pk, by="AUTO", actor="system:risk"
        )
    with pytest.raises(errors.KillSwitchForbidden):
        services.kill_switch_release(user=user, reason="mine?")
    other_user.is_staff = True
    other_user.save()
    assert services.kill_switch_release_switch(switch_id=switch.pk, user=other_user, reason="ops ok").state == "ACTIVE"
    release = KillSwitchEvent.objects.filter(switch=switch, action="RELEASE").order_by("-id").first()
    assert release.actor == f"user:{other_user.pk}" and release.reason == "ops ok"


def test_global_switch_is_for_ops_and_governs_every_account(
    user, other_user, account, other_account, fut, place, django_capture_on_commit_callbacks
):
    with pytest.raises(errors.KillSwitchForbidden):
        services.kill_switch_engage(user=user, reason="everyone", scope="GLOBAL")
    other_user.is_staff = True
    other_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        switch = services.kill_switch_engage(user=other_user, reason="exchange outage", scope="GLOBAL")
    assert switch.engaged_by == "OPS"
    with pytest.raises(errors.KillSwitchEngaged) as exc:
        place()
    assert exc.value.details["scope"] == "GLOBAL"
    with pytest.raises(errors.KillSwitchForbidden):
        services.kill_switch_release(user=user, reason="me", scope="GLOBAL")
    services.kill_switch_release(user=other_user, reason="over", scope="GLOBAL")
    assert place().status == "COMPLETE"


def test_square_off_retries_then_urgent_alert(
    user, account, fut, place, monkeypatch, settings, django_capture_on_commit_callbacks
):
    place()
    settings.KILL_SWITCH_SQUARE_OFF_ATTEMPTS = 3
    calls, sleeps = [], []
    real = square_off_module.square_off

    def stuck(account_id, strategy_id=None, **kw):  # noqa: ANN001, ANN003
        calls.append(account_id)
        result = real(account_id, strategy_id, **kw, cancel_working=True)
        result.open_positions = [{"tradingsymbol": "NIFTY26DECFUT", "quantity": 75}]  # the broker did not fill
        return result

    monkeypatch.setattr(square_off_module, "square_off", stuck)
    monkeypatch.setattr(square_off_module, "_sleep", sleeps.append)
    with django_capture_on_commit_callbacks(execute=True):
        switch = services.kill_switch_engage(user=user, reason="stop")
    switch.refresh_from_db()
    assert calls == [account.pk] * 3 and sleeps == [1.0, 1.0]
    assert switch.state == "HALTED" and switch.attempts == 3
    actions = list(KillSwitchEvent.objects.filter(switch=switch).order_by("id").values_list("action", flat=True))
    assert actions == ["ENGAGE", "SQUARE_OFF", "SQUARE_OFF", "SQUARE_OFF", "GAVE_UP"]
    assert Alert.objects.filter(user=user, type="KILL_SWITCH", level="URGENT").count() == 1


def test_kill_switch_api(api, other_api, user, account, fut, place):
    assert api.get("/api/v1/risk/kill-switch/").json()["state"] == "ACTIVE"
    assert (
        api.post("/api/v1/risk/kill-switch/", {"action": "engage", "reason": "x", "force": True}, format="json").json()[
            "error"
        ]["code"]
        == "UNKNOWN_FIELD"
    )
    assert api.post("/api/v1/risk/kill-switch/", {"action": "engage"}, format="json").status_code == 400
    place()
    r = api.post("/api/v1/risk/kill-switch/", {"action": "engage", "reason": "api stop"}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["engaged"] and body["state"] in ("REDUCING", "HALTED") and body["reason"] == "api stop"
    assert body["actor"].startswith("api_key:") and body["since"] and body["can_release"]
    assert other_api.get(f"/api/v1/risk/kill-switch/?account_id={account.pk}").status_code == 404
    refused = api.post(
        "/api/v1/orders/",
        {
            "instrument_token": fut.instrument_token,
            "transaction_type": "BUY",
            "quantity": 150,
            "product": "NRML",
            "order_type": "MARKET",
        },
        format="json",
    )
    assert refused.status_code == 423 and refused.json()["error"]["code"] == "KILL_SWITCH_ENGAGED"
    events_ = api.get("/api/v1/risk/events/").json()["results"]
    assert events_[0]["kind"] == "KILL_SWITCH_ENGAGED"
    r = api.post("/api/v1/risk/kill-switch/", {"action": "release", "reason": "back"}, format="json")
    assert r.json()["state"] == "ACTIVE"
