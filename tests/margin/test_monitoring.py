"""Margin monitoring: the pure rules, idempotent snapshots, the 5-minute beat on the calendar, MARGIN_CHANGE and
MARGIN_WARNING thresholds, the margin-call lifecycle (open, still short, resolved by a pay-in, grace, square-off).

The lifecycle tests drive the engine's figures by hand (`engine.set(required=...)`): what is under test is what the
monitor does with a figure, not the SPAN engine (tests/margin/test_account_margin.py). The snapshot and beat tests
use the real engine.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alert_respond
from margin import monitoring
from margin import monitoring_rules as rules
from margin import selectors as ms
from margin.events import MarginCallExpired, MarginCallSquareOffRequested
from margin.monitoring_models import MarginCall, MarginCallPolicy, MarginSnapshot
from oms_project.lib import events
from portfolio import services as portfolio_services
from portfolio.models import Position
from tests.margin.test_account_margin import _inst, account, fake_market  # noqa: F401

pytestmark = pytest.mark.django_db
REAL_ACCOUNT_MARGIN = ms.account_margin


def reading(required, capital="100000", pct=None, key="k"):  # noqa: ANN001, ANN201
    required, capital = D(required), D(capital)
    pct = D(pct) if pct is not None else (required / capital * 100).quantize(D("0.01"))
    return rules.Reading(required, capital, pct, key)


# --- pure rules ---------------------------------------------------------------------------------------------------
def test_margin_change_needs_the_same_positions_and_more_than_the_threshold():
    ten = D(10)
    assert rules.margin_change(reading("100000"), reading("110000"), threshold_pct=ten) is None  # exactly 10%: no
    assert rules.margin_change(reading("100000"), reading("110001"), threshold_pct=ten) == D("10.00")
    assert rules.margin_change(reading("100000"), reading("120000"), threshold_pct=ten) == D("20.00")
    assert rules.margin_change(reading("100000"), reading("85000"), threshold_pct=ten) == D("-15.00")
    # Other positions (a fill): the trader changed the margin, no alert; no baseline: none either.
    assert rules.margin_change(reading("100000"), reading("150000", key="other"), threshold_pct=ten) is None
    assert rules.margin_change(reading("0"), reading("50000"), threshold_pct=ten) is None
    assert rules.margin_change(None, reading("50000"), threshold_pct=ten) is None


def test_warning_fires_on_crossing_and_once_until_rearmed():
    line = D(90)
    assert rules.warning_due(reading("89990"), warning_pct=line, last_marker_warned=None) is False
    assert rules.warning_due(reading("90000"), warning_pct=line, last_marker_warned=None) is True
    assert rules.warning_due(reading("95000"), warning_pct=line, last_marker_warned=False) is True
    assert rules.warning_due(reading("95000"), warning_pct=line, last_marker_warned=True) is False


def test_positions_key_ignores_order_and_flat_rows():
    a = rules.positions_key([(1, "NRML", 75), (2, "MIS", -50), (3, "NRML", 0)])
    assert a == rules.positions_key([(2, "MIS", -50), (1, "NRML", 75)])
    assert a != rules.positions_key([(1, "NRML", 150), (2, "MIS", -50)])
    assert rules.positions_key([]) == ""


# --- a hand-driven engine -------------------------------------------------------------------------------------------
class Engine:
    """account_margin with the required margin set by the test (funds are the account's real cash)."""

    def __init__(self) -> None:
        self.required = D(0)
        self.buffer = D(0)

    def set(self, required, buffer="0"):  # noqa: ANN001, ANN201
        self.required, self.buffer = D(required), D(buffer)

    def __call__(self, acc, *, at=None):  # noqa: ANN001, ANN204
        real = REAL_ACCOUNT_MARGIN(acc, at=at)
        funds = real.funds
        total = self.required
        pct = (total / funds * 100).quantize(D("0.01")) if funds else None
        exchange = total - self.buffer
        return dataclasses.replace(
            real,
            span=exchange * D("0.8"),
            exposure=exchange - exchange * D("0.8"),
            option_premium=D(0),
            var=D(0),
            additional=D(0),
            exchange_total=exchange,
            buffer=self.buffer,
            buffer_factors=[("vix", D("1.2"), "VIX 28.5")] if self.buffer else [],
            total_blocked=total,
            used=total,
            available=None if funds is None else funds - total,
            utilisation_pct=pct,
            level=ms.utilisation_level(pct),
        )


@pytest.fixture
def engine(monkeypatch):
    e = Engine()
    monkeypatch.setattr("margin.selectors.account_margin", e)
    return e


@pytest.fixture
def held(account, fake_market):  # noqa: F811
    fut = _inst(5001, "NIFTYTESTFUT", "FUT")
    fake_market.set(fut.instrument_token, "24000")
    return Position.objects.create(
        user=account.user,
        account=account,
        exchange="NFO",
        tradingsymbol=fut.tradingsymbol,
        instrument_token=fut.instrument_token,
        product="NRML",
        quantity=75,
        average_price=D("24000"),
    )


def _capital(account):  # noqa: ANN001, ANN202, F811
    return REAL_ACCOUNT_MARGIN(account).funds


def snap(account, key, now=None):  # noqa: ANN001, ANN201, F811
    return monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.SCHEDULE, key=key, now=now)


def alerts_of(user, type_):  # noqa: ANN001, ANN201
    return list(Alert.objects.filter(user=user, type=type_).order_by("id"))


# --- snapshots ------------------------------------------------------------------------------------------------------
@pytest.mark.dates
def test_a_snapshot_stores_the_engines_figures_once_per_key(account, held, travel_to):  # noqa: F811
    travel_to("2026-12-02 10:07 IST")
    expected = ms.account_margin(account)
    first = snap(account, "slot:test")
    assert first is not None and snap(account, "slot:test") is None  # the same key: nothing stored twice
    assert MarginSnapshot.objects.filter(account=account).count() == 1
    assert first.total_required == expected.total_blocked.quantize(D("0.01")) > 0
    assert first.span == expected.span.quantize(D("0.01")) and first.buffer == expected.buffer.quantize(D("0.01"))
    assert first.exchange_total + first.buffer == first.total_required
    assert first.capital == expected.funds and first.utilisation_pct == expected.utilisation_pct
    assert [f[0] for f in first.factors] == [f[0] for f in expected.buffer_factors]
    assert first.positions_key == rules.positions_key([(held.instrument_token, "NRML", 75)])


@pytest.mark.dates
@pytest.mark.parametrize(
    "instant, takes",
    [
        ("2026-12-02 10:07 IST", True),  # a Wednesday in the session
        ("2026-12-02 09:10 IST", False),  # before the open (pre-open)
        ("2026-12-02 15:31 IST", False),  # after the close
        ("2026-12-05 11:00 IST", False),  # a Saturday
        ("2026-12-25 11:00 IST", False),  # Christmas: an NSE holiday
    ],
)
def test_the_five_minute_task_runs_only_in_the_session_and_once_per_slot(account, held, travel_to, instant, takes):  # noqa: F811
    from margin.tasks import margin_snapshots_due_task

    clock = travel_to(instant)
    assert monitoring.market_open(timezone.now()) is takes

    assert margin_snapshots_due_task.delay().get() == (1 if takes else 0)
    assert margin_snapshots_due_task.delay().get() == 0  # same slot: idempotent
    if takes:
        row = MarginSnapshot.objects.get(account=account)
        assert row.key == "slot:2026-12-02T10:05" and row.trigger == "SCHEDULE"
        clock.move_to("2026-12-02 10:12 IST")
        assert monitoring.snapshots_due() == 1
        assert MarginSnapshot.objects.filter(account=account).count() == 2


def test_the_beat_rows_exist_and_point_at_registered_tasks():
    from celery import current_app
    from django_celery_beat.models import PeriodicTask

    import margin.tasks  # noqa: F401  (registers the tasks)

    rows = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="margin.")}
    assert set(rows) >= {"margin.snapshots_due", "margin.calls_expire_due", "margin.nse_files_import"}
    assert all(name in current_app.tasks for name in rows)
    five = rows["margin.snapshots_due"].crontab
    assert (five.minute, five.hour, five.day_of_week, str(five.timezone)) == ("*/5", "9-15", "1-5", "Asia/Kolkata")


def test_a_fill_and_a_pay_in_take_a_snapshot_on_commit(account, engine, django_capture_on_commit_callbacks):  # noqa: F811
    from portfolio.events import FundsChanged, PositionOpened

    engine.set("10000")
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(PositionOpened(1, account.user_id, account.pk, None, 5001, "NRML", 75, D("1"), 812, 9))
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(PositionOpened(1, account.user_id, account.pk, None, 5001, "NRML", 75, D("1"), 812, 9))
    entry = portfolio_services.funds_pay_in(account=account, amount=D("5000"), actor="test")
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(FundsChanged(account.pk, account.user_id, "PAY_IN", D("5000"), entry.pk))
        events.publish(FundsChanged(account.pk, account.user_id, "REALISED_PNL", D("10"), entry.pk + 1000))
    keys = sorted(MarginSnapshot.objects.filter(account=account).values_list("key", "trigger"))
    assert keys == [(f"ledger:{entry.pk}", "FUNDS"), ("trade:812", "FILL")]


# --- thresholds -----------------------------------------------------------------------------------------------------
def test_margin_change_alerts_above_ten_percent_on_the_same_positions(account, held, engine):  # noqa: F811
    engine.set("100000")
    snap(account, "s1")
    engine.set("108000")
    snap(account, "s2")  # +8%: quiet
    assert alerts_of(account.user, "MARGIN_CHANGE") == []
    engine.set("125000", buffer="5000")
    snap(account, "s3")  # +15.74% on 108,000
    (alert,) = alerts_of(account.user, "MARGIN_CHANGE")
    assert alert.payload["change_pct"] == str(((D(125000) - 108000) / 108000 * 100).quantize(D("0.01")))
    assert alert.payload["previous_required"] == "108000.00" and alert.level == "WARNING"
    assert "VIX 28.5" in alert.message and alert.links == {"account_id": account.pk}
    # The trader's own fill changes the positions: a new baseline, no alert.
    held.quantity = 150
    held.save()
    engine.set("250000")
    snap(account, "s4")
    assert len(alerts_of(account.user, "MARGIN_CHANGE")) == 1


def test_margin_warning_at_ninety_percent_once_until_it_comes_down(account, held, engine):  # noqa: F811
    capital = _capital(account)
    at = lambda pct: (capital * D(pct) / 100).quantize(D("0.01"))  # noqa: E731
    engine.set(at("89.9"))
    snap(account, "w1")
    assert alerts_of(account.user, "MARGIN_WARNING") == []
    engine.set(at("91"))
    snap(account, "w2")
    (first,) = alerts_of(account.user, "MARGIN_WARNING")
    assert D(first.payload["utilization_pct"]) == D("91.00") and first.actions == ["Add funds"]
    engine.set(at("89.5"))
    snap(account, "w3")
    engine.set(at("92"))
    snap(account, "w4")  # hovering around the line: no second warning
    assert len(alerts_of(account.user, "MARGIN_WARNING")) == 1
    engine.set(at("80"))
    snap(account, "w5")  # clearly down: re-armed
    engine.set(at("95"))
    snap(account, "w6")
    warnings = alerts_of(account.user, "MARGIN_WARNING")
    assert len(warnings) == 2 and D(warnings[1].payload["utilization_pct"]) == D("95.00")


# --- margin calls ---------------------------------------------------------------------------------------------------
def test_margin_call_opens_once_and_a_pay_in_resolves_it(
    account,  # noqa: F811
    held,
    engine,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    travel_to("2026-12-02 11:00 IST", tick=True)
    capital = _capital(account)
    engine.set(capital + D("25000"))
    snap(account, "c1")
    call = MarginCall.objects.get(account=account)
    assert call.status == "OPEN" and call.shortfall == D("25000.00") and call.auto_square_off is False
    assert call.grace_until - call.opened_at == timedelta(minutes=30)
    (alert,) = alerts_of(account.user, "MARGIN_CALL")
    assert alert.level == "URGENT" and alert.actions == ["Add funds", "Reduce positions", "Square off"]
    assert alert.links == {"account_id": account.pk, "margin_call_id": call.pk} and alert.pk == call.alert_id
    assert alert.payload["shortfall"] == "25000.00" and D(alert.payload["utilization_pct"]) > 100
    engine.set(capital + D("30000"))
    snap(account, "c2")  # still short: the same call, its shortfall followed
    assert MarginCall.objects.filter(account=account).count() == 1
    assert MarginCall.objects.get(pk=call.pk).last_shortfall == D("30000.00")
    assert len(alerts_of(account.user, "MARGIN_CALL")) == 1
    # The trader adds funds; the pay-in's snapshot (on commit) finds no shortfall.
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_services.funds_pay_in(account=account, amount=D("40000"), actor="test")
    call.refresh_from_db()
    assert call.status == "RESOLVED" and call.closed_at is not None and "Funds changed" in call.resolution
    resolved = alerts_of(account.user, "MARGIN_CALL")[-1]
    assert resolved.level == "INFO" and resolved.payload["margin_call_id"] == call.pk


def test_grace_without_auto_square_off_keeps_the_call_open(account, held, engine, travel_to):  # noqa: F811
    clock = travel_to("2026-12-02 11:00 IST", tick=True)
    engine.set(_capital(account) + D("1000"))
    snap(account, "g1")
    seen = []
    events.subscribe(MarginCallExpired.name, seen.append)
    try:
        clock.move_to("2026-12-02 11:31 IST")
        assert monitoring.margin_calls_expire_due() == 0
    finally:
        events.unsubscribe(MarginCallExpired.name, seen.append)
    assert MarginCall.objects.get(account=account).status == "OPEN" and seen == []


def test_grace_with_auto_square_off_publishes_call_expired(
    account,  # noqa: F811
    held,
    engine,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    clock = travel_to("2026-12-02 11:00 IST", tick=True)
    monitoring.policy_update(account=account, auto_square_off=True, grace_minutes=10)
    engine.set(_capital(account) + D("1000"))
    snap(account, "a1")
    call = MarginCall.objects.get(account=account)
    assert call.auto_square_off and call.grace_until - call.opened_at == timedelta(minutes=10)
    assert "squares the account off" in alerts_of(account.user, "MARGIN_CALL")[0].message
    seen: list = []
    events.subscribe(MarginCallExpired.name, seen.append)
    try:
        clock.move_to("2026-12-02 11:05 IST")
        assert monitoring.margin_calls_expire_due() == 0  # still in its grace
        clock.move_to("2026-12-02 11:10:01 IST")
        with django_capture_on_commit_callbacks(execute=True):
            assert monitoring.margin_calls_expire_due() == 1
        assert monitoring.margin_calls_expire_due() == 0  # once
    finally:
        events.unsubscribe(MarginCallExpired.name, seen.append)
    assert [(e.margin_call_id, e.account_id, e.shortfall) for e in seen] == [(call.pk, account.pk, D("1000.00"))]
    # The order core (subscribed in orders/apps.py) squared the account off through the pipeline, as the system.
    from orders.models import Order, OrderEvent

    call.refresh_from_db()
    assert call.status == "SQUARED_OFF" and len(call.square_off_orders) == 1, call.resolution
    exit_order = Order.objects.get(pk=call.square_off_orders[0])
    assert (exit_order.role, exit_order.transaction_type, exit_order.quantity) == ("EXIT", "SELL", 75)
    assert exit_order.order_type == "MARKET" and exit_order.instrument_token == held.instrument_token
    created = OrderEvent.objects.filter(order=exit_order).order_by("id").first()
    assert created.actor.startswith("system:margin-call")
    assert "Margin call: squared off" in [a.title for a in alerts_of(account.user, "MARGIN_CALL")]


def test_grace_after_a_cure_resolves_instead_of_squaring_off(account, held, engine, travel_to):  # noqa: F811
    clock = travel_to("2026-12-02 11:00 IST", tick=True)
    MarginCallPolicy.objects.create(account=account, auto_square_off=True, grace_minutes=5)
    engine.set(_capital(account) + D("1000"))
    snap(account, "r1")
    engine.set(_capital(account) - D("1000"))  # the market came back; no snapshot yet
    clock.move_to("2026-12-02 11:06 IST")
    assert monitoring.margin_calls_expire_due() == 0
    assert MarginCall.objects.get(account=account).status == "RESOLVED"


def test_answering_square_off_asks_the_order_core(account, held, engine, django_capture_on_commit_callbacks):  # noqa: F811
    engine.set(_capital(account) + D("500"))
    snap(account, "q1")
    call = MarginCall.objects.get(account=account)
    seen: list = []
    events.subscribe(MarginCallSquareOffRequested.name, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            alert_respond(
                user=account.user, alert_id=call.alert_id, action="Square off", actor=f"user:{account.user_id}"
            )
    finally:
        events.unsubscribe(MarginCallSquareOffRequested.name, seen.append)
    call.refresh_from_db()
    assert call.response == "Square off" and call.status in ("SQUARING_OFF", "SQUARED_OFF")
    assert [(e.margin_call_id, e.actor) for e in seen] == [(call.pk, f"user:{account.user_id}")]
