"""Issue #12: an order parked for approval (PENDING_APPROVAL) that is approved after the kill switch was engaged
is refused (the `risk.kill_switch` stage runs again at approval) and left REJECTED with the refusal; approved
while the switch is ACTIVE it is sent; the alert's Approve button follows the same rule."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from alerts.services import alert_respond
from oms_project.lib import events
from orders import services as order_services
from orders.models import OrderPreferences
from orders.services import square_off as square_off_module
from risk import errors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def parked(user, account, fut, place):  # noqa: ANN001, ANN201
    """A near-duplicate held for the trader's confirmation."""
    OrderPreferences.objects.update_or_create(
        user=user,
        defaults={"duplicate_action": OrderPreferences.DuplicateAction.CONFIRM, "duplicate_window_seconds": 60},
    )
    place()
    order = place(confirm_duplicate=False)
    assert order.status == "PENDING_APPROVAL"
    return order


def _engage_without_square_off(user, capture) -> None:  # noqa: ANN001
    """Engaged (REDUCING) with the order core's cancel/square-off held back: the parked order is still there,
    as in the moment between an engage and its square-off reaching it."""
    events.unsubscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)
    try:
        with capture(execute=True):
            services.kill_switch_engage(user=user, reason="stop now")
    finally:
        events.subscribe("risk.kill_switch_engaged", square_off_module.on_kill_switch_engaged)


def test_approval_after_an_engage_is_refused_and_the_order_rejected(
    user, parked, django_capture_on_commit_callbacks
) -> None:
    _engage_without_square_off(user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.KillSwitchEngaged) as exc:
        order_services.order_approve(user=user, order_id=parked.pk)
    assert exc.value.code == "KILL_SWITCH_ENGAGED" and "stop now" in exc.value.message
    parked.refresh_from_db()
    assert parked.status == "REJECTED" and parked.submitted_at is None
    assert "kill switch" in parked.status_message
    assert parked.events.filter(kind="REJECTED").exists() and not parked.events.filter(kind="APPROVED").exists()


def test_approval_while_active_sends_and_after_release_too(user, parked, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = order_services.order_approve(user=user, order_id=parked.pk)
    order.refresh_from_db()
    assert order.status == "COMPLETE"


def test_the_alerts_approve_button_after_an_engage_rejects_without_raising(
    user, parked, django_capture_on_commit_callbacks
) -> None:
    alert = Alert.objects.filter(user=user, links__order_id=parked.pk).order_by("-id").first()
    assert alert is not None
    _engage_without_square_off(user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        alert_respond(user=user, alert_id=alert.pk, action="Approve", actor=f"user:{user.pk}")
    parked.refresh_from_db()
    assert parked.status == "REJECTED"


@pytest.mark.django_db(transaction=True)
@pytest.mark.service
def test_approvals_racing_an_engage_send_nothing_after_it(user, account, fut, settings) -> None:
    """PostgreSQL, threads approving parked orders while the switch engages: an approval either committed before
    the engage took its lock (and the square-off flattens what it sent) or is refused; the book ends flat."""
    import threading
    import time

    from django.db import connection

    from orders.models import Order, OrderEvent
    from portfolio.models import Position
    from risk.models import KillSwitch
    from tests.conftest import require_service
    from tests.support.orders import place_order

    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    settings.KILL_SWITCH_SQUARE_OFF_ATTEMPTS = 10
    settings.KILL_SWITCH_RETRY_SECONDS = 0.2
    OrderPreferences.objects.update_or_create(
        user=user,
        defaults={"duplicate_action": OrderPreferences.DuplicateAction.CONFIRM, "duplicate_window_seconds": 600},
    )
    fields = dict(transaction_type="BUY", quantity=75, product="NRML", order_type="MARKET",
                  instrument_token=fut.instrument_token)  # fmt: skip
    place_order(user, **fields, confirm_duplicate=True)
    parked = [place_order(user, **fields).pk for _ in range(24)]
    assert Order.objects.filter(pk__in=parked, status="PENDING_APPROVAL").count() == len(parked)
    queue = list(parked)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approver() -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    order_id = queue.pop(0)
                try:
                    order_services.order_approve(user=user, order_id=order_id)
                    outcome = "approved"
                except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                    outcome = getattr(exc, "code", type(exc).__name__)
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=approver) for _ in range(4)]
    for t in threads:
        t.start()
    while len(outcomes) < 6:
        time.sleep(0.005)
    switch = services.kill_switch_engage(user=user, reason="approval drill")
    for t in threads:
        t.join(60)
    switch = KillSwitch.objects.get(pk=switch.pk)
    assert "approved" in outcomes and "KILL_SWITCH_ENGAGED" in outcomes, outcomes
    assert set(outcomes) <= {"approved", "KILL_SWITCH_ENGAGED", "ORDER_NOT_PENDING_APPROVAL", "ORDER_RATE_LIMITED"}
    assert not OrderEvent.objects.filter(order_id__in=parked, kind="APPROVED", created_at__gt=switch.since).exists()
    assert switch.state == "HALTED"
    assert sum(p.quantity for p in Position.objects.filter(account=account)) == 0
    assert not Order.objects.filter(pk__in=parked, status__in=["PENDING_APPROVAL", "PENDING_SUBMIT", "OPEN"]).exists()
    print(f"\napprovals: {outcomes.count('approved')} sent, {outcomes.count('KILL_SWITCH_ENGAGED')} refused")
