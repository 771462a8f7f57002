"""Fault tests: timeout after send -> UNKNOWN, resolved by tag, never sent twice; provable absence -> one retry.
Also: the rate governor, the 25-modification limit, idempotent broker updates."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from oms_project.lib.brokers import BrokerOutcomeUnknown, BrokerUnavailable
from orders import rate_limit, services
from orders.brokers import override_broker
from orders.errors import ModificationLimitReached, OrderRateLimited
from orders.models import Order, OrderEvent
from paper_venue.broker import PaperBroker
from portfolio.models import Trade

pytestmark = pytest.mark.django_db


class TimeoutAfterSend(PaperBroker):
    """The venue records the order, then the answer is lost (a read timeout)."""

    def __init__(self, account, *, record: bool = True) -> None:  # noqa: ANN001
        super().__init__(account)
        self.record = record
        self.place_calls = 0

    def place_order(self, request):  # noqa: ANN001, ANN201
        self.place_calls += 1
        if self.place_calls == 1:
            if self.record:
                super().place_order(request)
            raise BrokerOutcomeUnknown("read timeout")
        return super().place_order(request)


def test_timeout_after_send_goes_unknown_and_resolver_adopts_without_resending(user, account, fut, place):
    broker = TimeoutAfterSend(account, record=True)
    with override_broker(account.pk, broker):
        order = place()
        # The venue filled it, but the answer (and the reports with it) was lost: like a Kite timeout, the
        # OMS does not know, and says so; it never guesses either way.
        assert order.status == "UNKNOWN" and not order.broker_order_id
        assert not Trade.objects.filter(order=order).exists()
        assert not OrderEvent.objects.filter(order=order, kind="REJECTED").exists()
        order = services.order_resolve_unknown(order_id=order.pk, grace_seconds=0)
    assert order.status == "COMPLETE"
    assert broker.place_calls == 1  # never sent twice
    assert order.broker_order_id
    assert Trade.objects.filter(order=order).count() >= 1
    assert Order.objects.count() == 1


def test_timeout_with_silent_venue_stays_unknown_then_adopts(user, account, fut, place):
    """The venue stores the order but its update never reaches us: only the resolver finds it (by tag)."""

    class Silent(TimeoutAfterSend):
        def __init__(self, account):  # noqa: ANN001
            super().__init__(account, record=True)
            self.venue._listeners = []  # updates lost

    broker = Silent(account)
    with override_broker(account.pk, broker):
        order = place()
        assert order.status == "UNKNOWN"
        from alerts.models import Alert

        assert Alert.objects.filter(type="ORDER_UNKNOWN", user=user).exists()
    with override_broker(account.pk, TimeoutAfterSend(account)) as resolver_broker:
        resolver_broker.place_calls = 99
        order = services.order_resolve_unknown(order_id=order.pk, grace_seconds=0)
    assert order.status == "COMPLETE"
    assert broker.place_calls == 1
    assert OrderEvent.objects.filter(order=order, kind="RESOLVED").exists()


def test_provably_absent_is_retried_once(user, account, fut, place):
    broker = TimeoutAfterSend(account, record=False)  # the first request never reached the venue
    with override_broker(account.pk, broker):
        order = place()
        assert order.status == "UNKNOWN"
        order = services.order_resolve_unknown(order_id=order.pk, grace_seconds=0)
    assert order.status == "COMPLETE"
    assert broker.place_calls == 2
    assert order.submit_attempts == 2
    assert OrderEvent.objects.filter(order=order, kind="RETRIED").count() == 1
    from paper_venue.models import PaperVenueOrder

    assert PaperVenueOrder.objects.filter(tag=order.tag).count() == 1


def test_unreachable_broker_retries_with_backoff_then_rejects(account, fut, place):
    class Down(PaperBroker):
        calls = 0

        def place_order(self, request):  # noqa: ANN001, ANN201
            Down.calls += 1
            raise BrokerUnavailable("connection refused")

    with override_broker(account.pk, Down(account)):
        order = place()
    assert order.status == "REJECTED"
    assert Down.calls == services.SUBMIT_MAX_ATTEMPTS
    assert OrderEvent.objects.filter(order=order, kind="SUBMIT_FAILED").count() == services.SUBMIT_MAX_ATTEMPTS - 1


def test_transient_then_ok(account, fut, place):
    class Flaky(PaperBroker):
        calls = 0

        def place_order(self, request):  # noqa: ANN001, ANN201
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise BrokerUnavailable("connection refused")
            return super().place_order(request)

    with override_broker(account.pk, Flaky(account)):
        order = place()
    assert order.status == "COMPLETE" and Flaky.calls == 2


def test_rate_governor_queues_then_refuses(settings, account):
    settings.ORDER_RATE_LIMIT_PER_SECOND = 3
    t = [100.2]
    sleeps: list[float] = []

    def clock() -> float:
        return t[0]

    def sleep(s: float) -> None:
        sleeps.append(s)
        t[0] += s

    for _ in range(3):
        rate_limit.acquire(account.pk, clock=clock, sleep=sleep)
    assert sleeps == []
    rate_limit.acquire(account.pk, clock=clock, sleep=sleep, max_wait=1.0)  # queued into the next second
    assert len(sleeps) == 1 and int(t[0]) == 101
    for _ in range(2):
        rate_limit.acquire(account.pk, clock=clock, sleep=sleep)
    with pytest.raises(OrderRateLimited) as exc:
        rate_limit.acquire(account.pk, clock=clock, sleep=sleep, max_wait=0)
    assert exc.value.code == "ORDER_RATE_LIMITED" and exc.value.retry_after > 0


def test_rate_limited_api_answers_429_with_retry_after(settings, api, account, fut):
    settings.ORDER_RATE_LIMIT_PER_SECOND = 1
    settings.ORDER_RATE_MAX_WAIT_SECONDS = 0
    body = {
        "instrument_token": 1001,
        "transaction_type": "BUY",
        "product": "NRML",
        "order_type": "LIMIT",
        "price": "23000",
        "confirm_duplicate": True,
    }
    codes = [api.post("/api/v1/orders/", {**body, "quantity": 75 * (i + 1)}, format="json") for i in range(3)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert limited[0].json()["error"]["code"] == "ORDER_RATE_LIMITED"
    assert "Retry-After" in limited[0]


def test_modification_limit(user, account, fut, place):
    order = place(order_type="LIMIT", price=D("23000"))
    Order.objects.filter(pk=order.pk).update(modification_count=25)
    with pytest.raises(ModificationLimitReached):
        services.order_modify(user=user, order_id=order.pk, price=D("23000.05"))


def test_broker_update_is_idempotent_and_stale_ignored(user, account, fut, place):
    order = place(order_type="LIMIT", price=D("23000"))
    broker = PaperBroker(account)
    snapshot = broker.orders()[0]
    from dataclasses import replace

    from oms_project.lib.brokers import BrokerTrade

    filled = replace(
        snapshot,
        status="COMPLETE",
        filled_quantity=75,
        pending_quantity=0,
        average_price=D("23000"),
        exchange_timestamp=snapshot.exchange_timestamp,
    )
    trade = BrokerTrade(
        trade_id="T1",
        broker_order_id=snapshot.broker_order_id,
        exchange="NFO",
        tradingsymbol=snapshot.tradingsymbol,
        instrument_token=1001,
        transaction_type="BUY",
        product="NRML",
        quantity=75,
        price=D("23000"),
        fill_timestamp=snapshot.order_timestamp,
    )
    for _ in range(3):  # a replayed postback changes nothing
        services.order_apply_broker_update(account=account, order=filled, trades=[trade])
    order.refresh_from_db()
    assert order.status == "COMPLETE" and order.filled_quantity == 75
    assert Trade.objects.filter(order=order).count() == 1
    from portfolio.models import Position

    assert Position.objects.get(instrument_token=1001).quantity == 75
    # a late OPEN snapshot cannot undo COMPLETE
    services.order_apply_broker_update(account=account, order=snapshot)
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    assert OrderEvent.objects.filter(order=order, kind="FILLED").count() == 1


def test_update_without_trades_synthesises_fills_once(user, account, fut, place):
    order = place(order_type="LIMIT", price=D("23000"))
    snap = PaperBroker(account).orders()[0]
    from dataclasses import replace

    part = replace(snap, status="OPEN", filled_quantity=0, quantity=150)
    Order.objects.filter(pk=order.pk).update(quantity=150)
    half = replace(part, filled_quantity=75, pending_quantity=75, average_price=D("23000"))
    full = replace(part, status="COMPLETE", filled_quantity=150, pending_quantity=0, average_price=D("22999"))
    services.order_apply_broker_update(account=account, order=half)
    services.order_apply_broker_update(account=account, order=half)
    order.refresh_from_db()
    assert order.status == "PARTIALLY_FILLED" and order.filled_quantity == 75
    services.order_apply_broker_update(account=account, order=full)
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    prices = sorted(Trade.objects.filter(order=order).values_list("price", flat=True))
    assert prices == [D("22998"), D("23000")]
    assert order.average_price == D("22999")
