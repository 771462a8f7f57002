"""Crash-safe submission, in process: a claim (PENDING_SUBMIT, submitted_at set, no broker id) whose result was
never recorded is settled by the resolver after the lease: adopted from the broker by tag, or rejected when the
broker provably does not have it. The end-to-end drill (a real process killed between the broker's answer and
our commit) is tests/project/test_crash_safety.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oms_project.lib.brokers import BrokerUnavailable
from orders import services
from orders.brokers import override_broker
from orders.models import Order, OrderEvent
from orders.services import submission
from paper_venue.broker import PaperBroker
from paper_venue.models import PaperVenueOrder
from portfolio.models import Position, Trade

pytestmark = pytest.mark.django_db


class ProcessDied(BaseException):
    """Stands for the process ending where the drill kills it: nothing after this point runs."""


class DiesAfterVenueCommit(PaperBroker):
    """The venue stores (and fills) the order; the process dies before any of the result reaches the OMS."""

    def __init__(self, account, *, reach_venue: bool = True) -> None:  # noqa: ANN001
        super().__init__(account)
        self.reach_venue = reach_venue
        self.place_calls = 0

        def die(*_args) -> None:  # noqa: ANN002
            raise ProcessDied

        self.venue._listeners = [die]

    def place_order(self, request):  # noqa: ANN001, ANN201
        self.place_calls += 1
        if not self.reach_venue:
            raise ProcessDied
        return super().place_order(request)


def _crash_mid_send(place, broker) -> Order:  # noqa: ANN001
    with override_broker(broker.account.pk, broker), pytest.raises(ProcessDied):
        place()
    order = Order.objects.get()
    assert order.status == "PENDING_SUBMIT" and order.submitted_at and not order.broker_order_id
    return order


def _age(order: Order, seconds: float) -> None:
    Order.objects.filter(pk=order.pk).update(submitted_at=timezone.now() - timedelta(seconds=seconds))


def test_expired_claim_found_at_the_venue_is_adopted_with_fills_and_position(account, fut, place):
    order = _crash_mid_send(place, DiesAfterVenueCommit(account))
    venue_order = PaperVenueOrder.objects.get(tag=order.tag)
    assert venue_order.status == "COMPLETE"

    _age(order, submission.submit_lease_seconds() - 1)
    assert services.orders_resolve_unknown_due() == 0  # inside the lease: the sender may still be working
    order.refresh_from_db()
    assert order.status == "PENDING_SUBMIT"

    _age(order, submission.submit_lease_seconds() + 0.5)
    assert services.orders_resolve_unknown_due() == 1
    order.refresh_from_db()
    assert order.status == "COMPLETE"
    assert order.broker_order_id == venue_order.venue_order_id
    assert order.filled_quantity == 75 and order.average_price == venue_order.average_price
    assert Trade.objects.filter(order=order).count() == venue_order.trades.count() >= 1
    position = Position.objects.get(account=account, instrument_token=fut.instrument_token)
    venue_position = next(p for p in PaperBroker(account).positions() if p.instrument_token == fut.instrument_token)
    assert position.quantity == venue_position.quantity == 75
    assert position.average_price.quantize(D("0.01")) == venue_position.average_price
    assert OrderEvent.objects.filter(order=order, kind="RESOLVED", actor="system:resolver").exists()
    # settled once: a second pass finds nothing to do
    assert services.orders_resolve_unknown_due() == 0


def test_embedded_start_up_settles_every_earlier_claim_without_waiting_for_the_lease(account, fut, place):
    order = _crash_mid_send(place, DiesAfterVenueCommit(account))
    _age(order, 1)  # well inside the lease
    assert services.orders_resolve_at_startup() == 0  # other senders may be alive: the lease applies
    order.refresh_from_db()
    assert order.status == "PENDING_SUBMIT"
    assert services.orders_resolve_at_startup(sole_sender=True) == 1  # embedded serve, before it serves
    order.refresh_from_db()
    assert order.status == "COMPLETE" and order.filled_quantity == 75


def test_expired_claim_absent_at_the_broker_is_rejected_never_resent(user, account, fut, place):
    broker = DiesAfterVenueCommit(account, reach_venue=False)
    order = _crash_mid_send(place, broker)
    _age(order, submission.submit_lease_seconds() + 1)
    with override_broker(account.pk, broker):
        assert services.orders_resolve_unknown_due() == 1
    order.refresh_from_db()
    assert order.status == "REJECTED" and order.pending_quantity == 0
    assert "Not sent" in order.status_message
    assert broker.place_calls == 1  # never re-sent
    assert not PaperVenueOrder.objects.filter(tag=order.tag).exists()
    from alerts.models import Alert

    assert Alert.objects.filter(user=user, type="ORDER_REJECTED", links__order_id=order.pk).exists()


def test_resolver_settling_a_claim_stops_the_sender_from_retrying(account, fut, place, monkeypatch, settings):
    """The lease is fenced: once the resolver has settled the claim, the (slow) sender does not send again."""
    settings.ORDER_SUBMIT_LEASE_SECONDS = 0
    monkeypatch.setattr(submission, "UNKNOWN_GRACE_SECONDS", 0)

    class DownOnce(PaperBroker):
        calls = 0

        def place_order(self, request):  # noqa: ANN001, ANN201
            DownOnce.calls += 1
            if DownOnce.calls == 1:
                raise BrokerUnavailable("connection refused")
            return super().place_order(request)

    def resolver_runs_during_backoff(_delay: float) -> None:
        assert services.orders_resolve_unknown_due() == 1  # lease 0: the claim is "expired"; venue has nothing

    monkeypatch.setattr(submission, "_sleep", resolver_runs_during_backoff)
    with override_broker(account.pk, DownOnce(account)):
        order = place()
    assert order.status == "REJECTED"
    assert DownOnce.calls == 1
    assert not PaperVenueOrder.objects.filter(tag=order.tag).exists()


def test_sender_renewing_its_lease_fences_out_the_resolver(account, fut, place, monkeypatch):
    """A sender that renewed its claim (version bumped) after the resolver read the order wins: no rejection."""
    order = _crash_mid_send(place, DiesAfterVenueCommit(account, reach_venue=False))
    _age(order, submission.submit_lease_seconds() + 1)
    stale = Order.objects.get(pk=order.pk)
    live = Order.objects.get(pk=order.pk)
    assert submission._renew_claim(live)  # the sender renews between the resolver's read and its settle
    submission._settle_expired_claim(stale, actor="system:resolver")
    order.refresh_from_db()
    assert order.status == "PENDING_SUBMIT" and order.version == live.version


def test_sweep_is_three_indexed_range_queries_whatever_the_history(account, fut, place):
    for _ in range(30):
        place(order_type="LIMIT", price=D("23000"))
    with CaptureQueriesContext(connection) as ctx:
        assert services.orders_resolve_unknown_due() == 0
    assert len(ctx.captured_queries) == 3  # claims past the lease, UNKNOWN past the grace, unclaimed slices
    if connection.vendor == "sqlite":
        claims = Order.objects.filter(
            status="PENDING_SUBMIT", submitted_at__lte=timezone.now(), broker_order_id__isnull=True
        ).order_by("-submitted_at")
        plan = claims.values_list("pk", flat=True).explain()
        assert "order_status_submitted_idx" in plan, plan


def test_a_lease_not_above_the_broker_timeout_is_flagged(settings):
    from oms_project.checks import run_mode_checks

    settings.ORDER_SUBMIT_LEASE_SECONDS = 5
    assert "oms.W004" in {p.id for p in run_mode_checks()}
    settings.ORDER_SUBMIT_LEASE_SECONDS = 10
    assert "oms.W004" not in {p.id for p in run_mode_checks()}


class AnswersLater:
    """A broker that does not report synchronously (like Kite): the venue is behind it, its listeners unheard."""

    def __init__(self, account) -> None:  # noqa: ANN001
        self.inner = PaperBroker(account, listener=lambda order, trades: None)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)


@pytest.mark.parametrize("broker_kind", ["synchronous venue", "answers later"])
def test_the_drill_kills_after_the_broker_accepted_and_before_anything_is_recorded(
    account, fut, place, monkeypatch, settings, broker_kind
):
    import signal

    settings.OMS_FAULT_AFTER_SEND = "kill"
    kills: list[int] = []

    def kill(pid: int, sig: int) -> None:
        kills.append(sig)
        raise ProcessDied

    monkeypatch.setattr(submission.os, "kill", kill)
    broker = PaperBroker(account) if broker_kind == "synchronous venue" else AnswersLater(account)
    with override_broker(account.pk, broker), pytest.raises(ProcessDied):
        place()
    assert kills == [signal.SIGKILL]
    order = Order.objects.get()
    assert order.status == "PENDING_SUBMIT" and order.submitted_at and not order.broker_order_id
    assert PaperVenueOrder.objects.get(tag=order.tag).status == "COMPLETE"
    assert not Trade.objects.filter(order=order).exists()
    assert not OrderEvent.objects.filter(order=order).exclude(kind="CREATED").exists()


def _small_freeze_future(make_instrument, fake_market):  # noqa: ANN001, ANN202
    """A future whose freeze limit (2 lots) slices a 5-lot order into 150, 150, 75."""
    inst = make_instrument(token=2002, symbol="NIFTY26DECSMALLFUT", freeze=150)
    fake_market.set(inst.instrument_token, "24000", level_qty=5000)
    return inst


def test_slices_a_stopped_sender_never_claimed_are_settled_once_after_the_lease(
    account, make_instrument, fake_market, place, monkeypatch
):
    """Was: after a crash between slices, the unsent slices stayed PENDING_SUBMIT (unclaimed) forever and the
    parent never settled. Now the resolver rejects them as "not sent" once no slice was claimed within the lease."""
    small = _small_freeze_future(make_instrument, fake_market)
    real_acquire = submission.rate_limit.acquire

    def dies_between_slices(*args, **kwargs):  # noqa: ANN002, ANN003
        if kwargs.get("new_order"):  # the pipeline's rate slot
            return real_acquire(*args, **kwargs)
        raise ProcessDied  # the slot before the second slice: the process ends after the first was sent

    monkeypatch.setattr(submission.rate_limit, "acquire", dies_between_slices)
    with pytest.raises(ProcessDied):
        place(instrument_token=small.instrument_token, quantity=375, auto_slice=True)
    monkeypatch.setattr(submission.rate_limit, "acquire", real_acquire)
    kids = list(Order.objects.filter(role="SLICE").order_by("id"))
    parent = kids[0].parent
    assert [(k.quantity, k.status, k.submitted_at is None) for k in kids] == [
        (150, "COMPLETE", False),
        (150, "PENDING_SUBMIT", True),
        (75, "PENDING_SUBMIT", True),
    ]

    assert services.orders_resolve_unknown_due() == 0  # inside the lease: a sender may still be working
    assert {k.status for k in Order.objects.filter(role="SLICE").exclude(pk=kids[0].pk)} == {"PENDING_SUBMIT"}

    lease_ago = timezone.now() - timedelta(seconds=submission.submit_lease_seconds() + 1)
    Order.objects.filter(role="SLICE").update(updated_at=lease_ago)
    Order.objects.filter(pk=kids[0].pk).update(submitted_at=lease_ago)
    assert services.orders_resolve_unknown_due() == 1
    assert services.orders_resolve_unknown_due() == 0  # settled exactly once
    for k in kids:
        k.refresh_from_db()
    assert [k.status for k in kids] == ["COMPLETE", "REJECTED", "REJECTED"]
    assert all("Not sent" in k.status_message for k in kids[1:])
    assert [OrderEvent.objects.filter(order=k, kind="REJECTED").count() for k in kids[1:]] == [1, 1]
    assert not PaperVenueOrder.objects.filter(tag__in=[k.tag for k in kids[1:]]).exists()  # never sent
    parent.refresh_from_db()
    assert parent.status in ("CANCELLED", "PARTIALLY_FILLED") and parent.status != "PENDING_SUBMIT"
    assert parent.filled_quantity == 150 and parent.pending_quantity == 0
    position = Position.objects.get(account=account, instrument_token=small.instrument_token)
    assert position.quantity == 150  # the OMS agrees with the venue
    from alerts.models import Alert

    assert Alert.objects.filter(message__contains=f"Order #{parent.pk}: 2 slice(s), 225").count() == 1


def test_unsent_slices_wait_while_a_sender_is_still_claiming_them(
    account, make_instrument, fake_market, place, monkeypatch
):
    small = _small_freeze_future(make_instrument, fake_market)
    real_acquire = submission.rate_limit.acquire

    def dies(*args, **kwargs):  # noqa: ANN002, ANN003
        if kwargs.get("new_order"):
            return real_acquire(*args, **kwargs)
        raise ProcessDied

    monkeypatch.setattr(submission.rate_limit, "acquire", dies)
    with pytest.raises(ProcessDied):
        place(instrument_token=small.instrument_token, quantity=375, auto_slice=True)
    lease_ago = timezone.now() - timedelta(seconds=submission.submit_lease_seconds() + 1)
    Order.objects.filter(role="SLICE").update(updated_at=lease_ago)  # old slices, but the first claim is recent
    assert services.orders_resolve_unknown_due() == 0
    assert Order.objects.filter(role="SLICE", status="PENDING_SUBMIT").count() == 2
