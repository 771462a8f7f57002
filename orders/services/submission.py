"""Sending a committed order to its broker exactly once: the claim, retries of provably-unsent requests,
UNKNOWN on an unknown outcome, rejection; and settling UNKNOWN orders and expired claims by their tag.

Crash safety: a claim (PENDING_SUBMIT with `submitted_at`, no broker id) is a lease of
`settings.ORDER_SUBMIT_LEASE_SECONDS`, renewed by a live sender before each attempt (a conditional UPDATE
on the version, which also fences the resolver). A claim whose result was not recorded within the lease
(the sending process died, e.g. `kill -9` between the broker's answer and our commit) is settled by the
resolver like an UNKNOWN order: found at the broker by its tag and adopted (status, fills, position), or,
proven absent, REJECTED (never re-sent: see `_settle_expired_claim`).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.types import AlertLevel, AlertType
from oms_project.lib.brokers import BrokerError, BrokerOrderRequest, BrokerTrade, ReportOutcome, report_of_call

from .. import rate_limit
from ..brokers import broker_for
from ..domain import (
    EventKind,
    OrderRole,
)
from ..models import Order, OrderEvent
from . import brackets, broker_updates
from ._common import SYSTEM, S, _alert, _event, _transition, logger

# Retries of a provably-unsent submission (BrokerUnavailable / 429): exponential backoff with full jitter.
SUBMIT_MAX_ATTEMPTS = 4


SUBMIT_BACKOFF_BASE_SECONDS = 0.2


UNKNOWN_GRACE_SECONDS = 3  # wait this long before concluding an order is absent at the broker

DEFAULT_SUBMIT_LEASE_SECONDS = 10.0  # settings.ORDER_SUBMIT_LEASE_SECONDS; > one broker call (Kite: 7 s)

RESOLVER = "system:resolver"

_sleep = time.sleep  # tests replace it


def submit_lease_seconds() -> float:
    return float(getattr(settings, "ORDER_SUBMIT_LEASE_SECONDS", DEFAULT_SUBMIT_LEASE_SECONDS))


def _drill_armed() -> bool:
    """The one place that reads the fault drill setting (`OMS_FAULT_AFTER_SEND`, tests only)."""
    return getattr(settings, "OMS_FAULT_AFTER_SEND", "") == "kill"


def _fault_after_send(order: Order) -> None:
    """Fault drill (`OMS_FAULT_AFTER_SEND=kill`): end this process the moment the broker has accepted
    `order` and before the OMS records anything of the result, as a `kill -9` would."""
    if not _drill_armed():
        return
    logger.critical(
        "OMS_FAULT_AFTER_SEND=kill: killing pid %s after the broker accepted order %s", os.getpid(), order.pk
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _submit_tree(order: Order, *, actor: str, children: list[Order] | None = None) -> None:
    if children is None:
        children = list(order.children.filter(role=OrderRole.SLICE).order_by("id"))
    if not children:
        order_submit(order_id=order.pk, actor=actor)
        return
    for i, child in enumerate(children):
        if i:
            rate_limit.acquire(order.account_id)
        order_submit(order_id=child.pk, actor=actor)
    brackets._slice_parent_refresh(order.pk)


def _request_for(order: Order) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=order.tag,
        exchange=order.exchange,
        tradingsymbol=order.tradingsymbol,
        instrument_token=order.instrument_token,
        transaction_type=order.transaction_type,
        quantity=order.quantity,
        product=order.product,
        order_type=order.order_type,
        validity=order.validity,
        price=order.price,
        trigger_price=order.trigger_price,
        validity_ttl=order.validity_ttl,
        disclosed_quantity=order.disclosed_quantity,
        market_protection=order.market_protection,
        variety=order.variety,
        iceberg_legs=order.iceberg_legs,
        iceberg_quantity=order.iceberg_quantity,
    )


def order_submit(*, order_id: int, actor: str = SYSTEM) -> Order:
    """Send a committed PENDING_SUBMIT order to its broker exactly once (claimed by a conditional UPDATE)."""
    claimed = Order.objects.filter(pk=order_id, status=S.PENDING_SUBMIT, submitted_at__isnull=True).update(
        submitted_at=timezone.now(), submit_attempts=F("submit_attempts") + 1, version=F("version") + 1
    )
    order = Order.objects.select_related("account", "user").get(pk=order_id)
    if not claimed:
        return order  # someone else is sending it, or it is past this point
    return _send(order, actor=actor)


def _send(order: Order, *, actor: str) -> Order:
    """Hand a claimed order to its broker; every outcome lands in the order's status and audit trail."""
    broker = broker_for(order.account)
    request = _request_for(order)
    for attempt in range(1, SUBMIT_MAX_ATTEMPTS + 1):
        if attempt > 1 and not _renew_claim(order):
            # The resolver settled the expired claim meanwhile (or the row moved on): not ours to send.
            logger.warning("order %s: claim lost before attempt %s; not sending again", order.pk, attempt)
            return order
        report = report_of_call(broker.place_order, request)
        outcome = report.outcome
        if outcome == ReportOutcome.ACCEPTED:
            break
        if outcome == ReportOutcome.UNKNOWN:
            order.refresh_from_db()
            with transaction.atomic():
                if _transition(
                    order,
                    S.UNKNOWN,
                    actor=actor,
                    kind=EventKind.UNKNOWN,
                    reason=f"broker outcome unknown: {report.message}",
                ):
                    _alert(
                        order,
                        AlertType.ORDER_UNKNOWN,
                        AlertLevel.CRITICAL,
                        f"Order #{order.pk} ({order.transaction_type} {order.quantity} {order.tradingsymbol}) was "
                        "sent but the broker did not answer. We are checking the broker's order book; it will "
                        "not be sent twice.",
                    )
            return order
        if outcome in (ReportOutcome.UNAVAILABLE, ReportOutcome.RATE_LIMITED):
            # Provably not received: safe to retry, with exponential backoff and full jitter.
            if attempt == SUBMIT_MAX_ATTEMPTS:
                return _reject(order, f"The broker could not be reached: {report.message}", actor=actor)
            delay = report.retry_after or random.uniform(0, SUBMIT_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            with transaction.atomic():
                _event(
                    order,
                    EventKind.SUBMIT_FAILED,
                    actor=actor,
                    frm=order.status,
                    to=order.status,
                    reason=f"attempt {attempt} not received ({report.message}); retrying in {delay:.2f}s",
                )
            _sleep(delay)
            continue
        if outcome == ReportOutcome.SESSION_EXPIRED:
            return _reject(order, f"Broker session expired: {report.message}. Log in to Kite again.", actor=actor)
        return _reject(order, report.message, actor=actor)  # REFUSED
    broker_order_id = report.broker_order_id or ""
    _fault_after_send(order)
    with transaction.atomic():
        # One transaction for the placement and what the broker did meanwhile (a synchronous venue's
        # fills), so a crash leaves either the untouched claim (the resolver adopts it by tag) or all of it.
        if report.executions:
            # The venue's own reports carry the broker id and the status: the placement's audit entry
            # first, then the reports through the one inbound path.
            _event(
                order,
                EventKind.PLACED,
                actor=actor,
                frm=order.status,
                to=order.status,
                reason=f"broker order id {broker_order_id}",
            )
            applied = broker_updates.order_apply_executions(
                account=order.account, executions=report.executions, source="paper", held=order
            )
            order = next((o for o in reversed(applied) if o.pk == order.pk), order)
            if order.status != S.PENDING_SUBMIT:
                _warn_if_settled_meanwhile(order, broker_order_id)
                return order
        # Our claim set PENDING_SUBMIT at `order.version`: unless the resolver settled it meanwhile, this
        # conditional UPDATE records the broker's id with the SUBMITTED status in one statement.
        if not _transition(
            order,
            S.SUBMITTED,
            actor=actor,
            kind=EventKind.PLACED,
            reason=f"broker order id {broker_order_id}",
            broker_order_id=broker_order_id,
        ):
            if not order.broker_order_id:
                Order.objects.filter(pk=order.pk, broker_order_id__isnull=True).update(broker_order_id=broker_order_id)
                order.broker_order_id = broker_order_id
            _event(
                order,
                EventKind.PLACED,
                actor=actor,
                frm=order.status,
                to=order.status,
                reason=f"broker order id {broker_order_id}",
            )
    _warn_if_settled_meanwhile(order, broker_order_id)
    return order


def _warn_if_settled_meanwhile(order: Order, broker_order_id: str) -> None:
    """The residual risk of the lease: a sender stuck in one broker call for longer than the lease, whose
    claim the resolver settled as not sent, and then the broker accepted it after all. Fills are still booked
    (the inbound path matches by tag); the trader and ops must hear of it."""
    if order.status != S.REJECTED:
        return
    if not OrderEvent.objects.filter(order_id=order.pk, kind=EventKind.REJECTED, actor=RESOLVER).exists():
        return  # the broker's own rejection
    logger.critical("order %s reached the broker (%s) after its expired claim was settled", order.pk, broker_order_id)
    _alert(
        order,
        AlertType.ORDER_UNKNOWN,
        AlertLevel.CRITICAL,
        f"Order #{order.pk} ({order.transaction_type} {order.quantity} {order.tradingsymbol}) was marked not sent, "
        f"but the broker accepted it late (broker order {broker_order_id}). Its fills are booked to your "
        "position; check it at the broker.",
    )


def _renew_claim(order: Order) -> bool:
    """Extend our lease before another attempt: a conditional UPDATE on (status, version), so it fails if the
    resolver settled the claim meanwhile, and the resolver's own conditional settle fails if we renewed."""
    now = timezone.now()
    renewed = Order.objects.filter(
        pk=order.pk, status=S.PENDING_SUBMIT, version=order.version, broker_order_id__isnull=True
    ).update(submitted_at=now, version=F("version") + 1, updated_at=now)
    if renewed:
        order.submitted_at, order.version, order.updated_at = now, order.version + 1, now
        return True
    order.refresh_from_db()
    return False


def _reject(order: Order, message: str, *, actor: str) -> Order:
    order.refresh_from_db()
    with transaction.atomic():
        if _transition(
            order,
            S.REJECTED,
            actor=actor,
            kind=EventKind.REJECTED,
            reason=message,
            status_message=message[:500],
            pending_quantity=0,
        ):
            _alert(
                order,
                AlertType.ORDER_REJECTED,
                AlertLevel.WARNING,
                f"Order #{order.pk} {order.transaction_type} {order.quantity} {order.tradingsymbol} was rejected: "
                f"{message}",
            )
    if order.parent_id and order.role == OrderRole.SLICE:
        brackets._slice_parent_refresh(order.parent_id)
    return order


def order_resolve_unknown(
    *,
    order_id: int,
    actor: str = RESOLVER,
    grace_seconds: float | None = None,
    orphaned_before: datetime | None = None,
) -> Order:
    """Settle an UNKNOWN order, or a claim whose result was not recorded within the lease, by finding it at
    the broker by its tag. UNKNOWN and provably absent: re-sent (bounded attempts). Expired claim and
    provably absent: rejected (`_settle_expired_claim`). Anything else is returned unchanged.
    `orphaned_before`: claims made before this instant are expired whatever the lease (the start-up pass of a
    single-process embedded `serve`: no sender of that time is alive)."""
    order = Order.objects.select_related("account", "user").get(pk=order_id)
    grace = UNKNOWN_GRACE_SECONDS if grace_seconds is None else grace_seconds
    if order.status == S.UNKNOWN:
        expired_claim = False
    elif _claim_expired(order, orphaned_before=orphaned_before):
        expired_claim = True
    else:
        return order
    broker = broker_for(order.account)
    try:
        book = broker.orders()
    except BrokerError as exc:
        logger.info("order %s: broker order book unavailable (%s); staying %s", order.pk, exc, order.status)
        return order
    found = next((bo for bo in book if bo.tag == order.tag), None)
    if found is not None:
        return _adopt(order, found, broker, actor=actor, expired_claim=expired_claim)
    if order.submitted_at and (timezone.now() - order.submitted_at).total_seconds() < grace:
        return order  # the broker may still be registering it
    if expired_claim:
        return _settle_expired_claim(order, actor=actor)
    if order.submit_attempts >= SUBMIT_MAX_ATTEMPTS:
        return _reject(order, "The broker never received the order after several attempts.", actor=actor)
    # Provably absent: the broker's order book lists every order it received, and ours is not there.
    with transaction.atomic():
        if not _transition(
            order,
            S.PENDING_SUBMIT,
            actor=actor,
            kind=EventKind.RETRIED,
            reason=f"not in the broker's order book (tag {order.tag}); sending again",
            submitted_at=None,
        ):
            return order
    _sleep(random.uniform(0, SUBMIT_BACKOFF_BASE_SECONDS * 2 ** max(0, order.submit_attempts - 1)))
    return order_submit(order_id=order.pk, actor=actor)


def _claim_expired(order: Order, *, now: Any = None, orphaned_before: datetime | None = None) -> bool:
    if order.status != S.PENDING_SUBMIT or order.submitted_at is None or order.broker_order_id:
        return False
    if orphaned_before is not None and order.submitted_at < orphaned_before:
        return True
    age = ((now or timezone.now()) - order.submitted_at).total_seconds()
    return age >= submit_lease_seconds()


def _adopt(order: Order, found: Any, broker: Any, *, actor: str, expired_claim: bool) -> Order:
    """Take the broker's view of an order it has (found by our tag): id, status, fills, position."""
    frm = order.status
    why = "its claim was not recorded within the lease" if expired_claim else "its outcome was unknown"
    with transaction.atomic():
        recorded = Order.objects.filter(pk=order.pk, broker_order_id__isnull=True).update(
            broker_order_id=found.broker_order_id
        )
        if recorded or not expired_claim:  # several resolvers at start-up: one audit entry for the adoption
            _event(
                order,
                EventKind.RESOLVED,
                actor=actor,
                frm=frm,
                to=frm,
                reason=f"{why}; found at the broker by tag {order.tag}: {found.status}",
            )
    trades: list[BrokerTrade] = []
    try:
        trades = broker.order_trades(found.broker_order_id)
    except BrokerError:
        pass
    broker_updates.order_apply_broker_update(account=order.account, order=found, trades=trades, source="resolver")
    order.refresh_from_db()
    if expired_claim and order.status == S.PENDING_SUBMIT:
        # The broker's snapshot said nothing newer than "received" (e.g. Kite's PUT ORDER REQ RECEIVED):
        # record the id with SUBMITTED so the claim is no longer open.
        with transaction.atomic():
            _transition(
                order,
                S.SUBMITTED,
                actor=actor,
                kind=EventKind.PLACED,
                reason=f"broker order id {found.broker_order_id} (adopted)",
                broker_order_id=found.broker_order_id,
            )
    return order


def _settle_expired_claim(order: Order, *, actor: str) -> Order:
    """An expired claim the broker provably does not have: REJECTED, never re-sent. Why not re-send: the
    claimant's fate is unknown (a live sender stuck past the lease could still deliver its request, and a
    second send would then be a second live order: doubled exposure), and after a crash the trader's decision
    is stale (a MARKET order sent minutes late is not what was asked for). A rejection is visible, alerted,
    and if the first request does land late its fills are still booked to the position by the inbound path
    (and `_send` raises a critical alert). The conditional UPDATE is on the version read BEFORE the
    broker lookup, so a sender that renewed its lease meanwhile wins and the order stays its."""
    message = (
        "Not sent: the OMS stopped before the broker confirmed this order, and the broker does not have it. "
        "Place it again if you still want it."
    )
    with transaction.atomic():
        if _transition(
            order,
            S.REJECTED,
            actor=actor,
            kind=EventKind.REJECTED,
            reason=f"claim expired and tag {order.tag} is not in the broker's order book",
            status_message=message,
            pending_quantity=0,
        ):
            _alert(
                order,
                AlertType.ORDER_REJECTED,
                AlertLevel.WARNING,
                f"Order #{order.pk} {order.transaction_type} {order.quantity} {order.tradingsymbol}: {message}",
            )
        else:
            return order
    if order.parent_id and order.role == OrderRole.SLICE:
        brackets._slice_parent_refresh(order.parent_id)
    return order


def _settle_unsent_slices(parent_id: int, *, cutoff: datetime, actor: str = RESOLVER) -> int:
    """Slices of a sliced order that its sender never claimed (PENDING_SUBMIT, no `submitted_at`) because the
    sending process stopped (a crash, or a rate-limit refusal mid-loop): settled once as REJECTED "not sent",
    like an expired claim the broker does not have, and for the same reason never sent late (the trader's
    decision is stale). Only when no slice of the parent was claimed after `cutoff` (a live sender claims the
    next slice within about a second: `_submit_tree`). Each settlement is the conditional UPDATE on the version,
    so a sender claiming the slice meanwhile wins, and two resolvers settle each slice once. One alert per
    parent; the parent then re-reads its slices."""
    if Order.objects.filter(parent_id=parent_id, role=OrderRole.SLICE, submitted_at__gt=cutoff).exists():
        return 0  # a sender is still working through the slices
    unsent = Order.objects.select_related("user").filter(
        parent_id=parent_id, role=OrderRole.SLICE, status=S.PENDING_SUBMIT, submitted_at__isnull=True
    )
    message = (
        "Not sent: the OMS stopped while sending this order's slices; this slice never reached the broker. "
        "Place it again if you still want it."
    )
    settled: list[Order] = []
    with transaction.atomic():
        for child in unsent.order_by("id"):
            if _transition(
                child,
                S.REJECTED,
                actor=actor,
                kind=EventKind.REJECTED,
                reason="slice never claimed for sending and its sender is gone (no slice claimed within the lease)",
                status_message=message,
                pending_quantity=0,
            ):
                settled.append(child)
        if settled:
            qty = sum(c.quantity for c in settled)
            _alert(
                settled[0],
                AlertType.ORDER_REJECTED,
                AlertLevel.WARNING,
                f"Order #{parent_id}: {len(settled)} slice(s), {qty} {settled[0].tradingsymbol}, were not sent "
                "(the OMS stopped while sending them). Place them again if you still want them.",
            )
    if settled:
        brackets._slice_parent_refresh(parent_id)
    return len(settled)


SWEEP_BATCH = 50


def orders_resolve_unknown_due(*, orphaned_before: datetime | None = None) -> int:
    """One resolver pass (the paper matcher loop, the Celery task, and once at process start-up): UNKNOWN
    orders past the grace and claims past the lease (or made before `orphaned_before`), newest first, and the
    slices a stopped sender never claimed (`_settle_unsent_slices`). Each is a range on the (status,
    submitted_at) index, so the pass does not grow with the order history."""
    now = timezone.now()
    claim_cutoff = now - timedelta(seconds=submit_lease_seconds())
    if orphaned_before is not None:
        claim_cutoff = max(claim_cutoff, orphaned_before)
    unknown = Order.objects.filter(
        status=S.UNKNOWN, submitted_at__lte=now - timedelta(seconds=UNKNOWN_GRACE_SECONDS)
    ).order_by("-submitted_at")
    claims = Order.objects.filter(
        status=S.PENDING_SUBMIT,
        submitted_at__lte=claim_cutoff,
        broker_order_id__isnull=True,
    ).order_by("-submitted_at")
    due = list(claims.values_list("pk", flat=True)[:SWEEP_BATCH]) + list(
        unknown.values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    n = 0
    # Slices left unclaimed by a sender that stopped (a range on the same index: PENDING_SUBMIT, no claim;
    # paper AMOs wait unclaimed for the open on purpose and are left alone).
    unsent_parents = set(
        Order.objects.filter(
            status=S.PENDING_SUBMIT, submitted_at__isnull=True, role=OrderRole.SLICE, updated_at__lte=claim_cutoff
        )
        .exclude(variety="amo")
        .values_list("parent_id", flat=True)[:SWEEP_BATCH]
    )
    for parent_id in sorted(unsent_parents):
        try:
            n += 1 if _settle_unsent_slices(parent_id, cutoff=claim_cutoff) else 0
        except Exception:
            logger.exception("settling the unsent slices of order %s failed", parent_id)
    for pk in due:
        try:
            order_resolve_unknown(order_id=pk, orphaned_before=orphaned_before)
            n += 1
        except Exception:
            logger.exception("resolving order %s failed", pk)
    return n


def orders_resolve_at_startup(*, sole_sender: bool = False) -> int:
    """Run one resolver pass when a process starts, so a restart after a crash repairs at once. With
    `sole_sender` (embedded `serve`, before it accepts requests: the only process that sends) every claim
    already in the database is orphaned and settled now; otherwise (a production web worker or matcher, with
    other senders possibly alive) claims within their lease wait for the matcher loop's next passes."""
    try:
        n = orders_resolve_unknown_due(orphaned_before=timezone.now() if sole_sender else None)
    except Exception:  # start-up must not fail because the database or a broker is unwell
        logger.exception("start-up resolver pass failed")
        return 0
    if n:
        logger.warning("start-up resolver pass settled %s order(s)", n)
    return n
