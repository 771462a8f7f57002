"""Changing an order after placement: modify, cancel, cancel-all, and the near-duplicate approval
(approve/reject, also from the alert's action buttons)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from alerts.types import AlertAction
from oms_project.lib.brokers import ReportOutcome, report_of_call
from oms_project.lib.errors import DomainError

from .. import errors, market, rate_limit, validation
from ..brokers import broker_for
from ..domain import (
    MAX_MODIFICATIONS,
    TERMINAL,
    WORKING,
    EventKind,
    OrderRole,
    OrderType,
)
from ..models import Order
from . import brackets, submission
from ._common import SYSTEM, S, _dec, _event, _owned, _push_order, _s, _snapshot, _transition
from .broker_updates import order_apply_executions


def order_modify(
    *,
    user: AbstractBaseUser,
    order_id: int,
    quantity: int | None = None,
    price: Any = None,
    trigger_price: Any = None,
    order_type: str | None = None,
    validity: str | None = None,
    actor: str = "",
) -> Order:
    order = _owned(user, order_id)
    return _modify(
        order,
        quantity=quantity,
        price=_dec(price),
        trigger_price=_dec(trigger_price),
        order_type=order_type,
        validity=validity,
        actor=actor or f"user:{user.pk}",
    )


def _modify(
    order: Order,
    *,
    quantity: int | None = None,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
    order_type: str | None = None,
    validity: str | None = None,
    actor: str,
    reason: str = "",
) -> Order:
    changes = {
        k: v
        for k, v in {
            "quantity": quantity,
            "price": price,
            "trigger_price": trigger_price,
            "order_type": order_type,
            "validity": validity,
        }.items()
        if v is not None
    }
    if not changes:
        raise errors.InvalidOrderField(
            "Nothing to change: give quantity, price, trigger_price, order_type or validity."
        )
    if order.children.filter(role=OrderRole.SLICE).exists():
        raise errors.OrderNotModifiable("A sliced order is modified through its slices.")
    if order.status in TERMINAL or order.status in (S.UNKNOWN, S.CANCEL_PENDING):
        raise errors.OrderNotModifiable(f"Order #{order.pk} is {order.status}; it can no longer be modified.")
    if order.modification_count >= MAX_MODIFICATIONS:
        raise errors.ModificationLimitReached(
            details={"modifications": order.modification_count, "limit": MAX_MODIFICATIONS}
        )
    # Re-validate the changed order against the instrument.
    instrument = market.instrument_by_token(order.instrument_token)
    new = {
        f: changes.get(f, getattr(order, f)) for f in ("quantity", "price", "trigger_price", "order_type", "validity")
    }
    if new["order_type"] not in (OrderType.SL, OrderType.SLM) and "trigger_price" not in changes:
        new["trigger_price"] = None  # a stop order changed to LIMIT/MARKET drops its trigger; a new one is refused
    if new["order_type"] in (OrderType.MARKET, OrderType.SLM) and "price" not in changes:
        new["price"] = None  # an order changed to MARKET/SL-M drops its limit price; a new one is refused
    draft = validation.OrderDraft(
        transaction_type=order.transaction_type,
        quantity=int(new["quantity"]),
        product=order.product,
        order_type=new["order_type"],
        validity=new["validity"],
        price=new["price"],
        trigger_price=new["trigger_price"],
        validity_ttl=order.validity_ttl,
        market_protection=order.market_protection or (-1 if new["order_type"] in ("MARKET", "SL-M") else None),
    )
    facts = replace(market.facts(instrument, market.quote(instrument)), last_price=None)
    validation.check_enums(draft)
    validation.check_quantity(draft, facts)
    validation.check_prices(draft, facts)
    if int(new["quantity"]) <= order.filled_quantity:
        raise errors.InvalidQuantity(f"Quantity must stay above the {order.filled_quantity} already filled.")
    before = _snapshot(order)
    if order.status in (S.PENDING_APPROVAL,) or (order.status == S.PENDING_SUBMIT and order.submitted_at is None):
        with transaction.atomic():
            n = Order.objects.filter(pk=order.pk, version=order.version, status=order.status).update(
                version=F("version") + 1,
                modification_count=F("modification_count") + 1,
                **changes,
                pending_quantity=int(new["quantity"]) - order.filled_quantity,
            )
            if not n:
                raise errors.OrderNotModifiable("The order changed meanwhile; reload and try again.")
            _record_modified(order, actor=actor, before=before, reason=reason or "modified before sending")
        return order
    rate_limit.acquire(order.account_id)
    with transaction.atomic():
        n = Order.objects.filter(pk=order.pk, version=order.version, modification_count__lt=MAX_MODIFICATIONS).update(
            version=F("version") + 1, modification_count=F("modification_count") + 1
        )
        if not n:
            raise errors.OrderNotModifiable("The order changed meanwhile; reload and try again.")
        order.refresh_from_db()
        _event(
            order,
            EventKind.MODIFY_REQUESTED,
            actor=actor,
            before=before,
            frm=order.status,
            to=order.status,
            reason=reason or json.dumps({k: _s(v) for k, v in changes.items()}),
        )
    broker = broker_for(order.account)
    report = report_of_call(broker.modify_order, order.broker_order_id, **changes, variety=order.variety)
    if report.outcome == ReportOutcome.REFUSED:
        with transaction.atomic():
            _event(
                order,
                EventKind.MODIFY_REQUESTED,
                actor=actor,
                frm=order.status,
                to=order.status,
                reason=f"refused by the broker: {report.message}",
            )
        raise errors.BrokerRefused(f"The broker refused the change: {report.message}")
    if report.outcome in (ReportOutcome.UNAVAILABLE, ReportOutcome.RATE_LIMITED):
        raise errors.BrokerNotReachable(f"The change was not sent: {report.message}")
    if not report.accepted:
        raise errors.BrokerNotReachable(
            f"The broker did not confirm the change: {report.message}. Check the order before retrying."
        )
    with transaction.atomic():
        # A synchronous venue's consequences of the change (a modified limit that now fills) come first.
        order_apply_executions(account=order.account, executions=report.executions, source="paper")
        order.refresh_from_db()
        fields = dict(changes)
        if "quantity" in changes:
            fields["pending_quantity"] = max(0, int(changes["quantity"]) - order.filled_quantity)
        Order.objects.filter(pk=order.pk).update(version=F("version") + 1, **fields)
        _record_modified(order, actor=actor, before=before, reason=reason or "accepted by the broker")
    return order


def _record_modified(order: Order, *, actor: str, before: dict[str, Any], reason: str) -> None:
    """After a change was written: reload, audit it as MODIFIED and push the new state (on commit)."""
    order.refresh_from_db()
    _event(order, EventKind.MODIFIED, actor=actor, before=before, frm=order.status, to=order.status, reason=reason)
    _push_order(order, change=EventKind.MODIFIED)


def order_cancel(*, user: AbstractBaseUser, order_id: int, actor: str = "") -> Order:
    order = _owned(user, order_id)
    return _cancel(order, actor=actor or f"user:{user.pk}", reason="cancelled by the user")


def _cancel(order: Order, *, actor: str, reason: str = "") -> Order:
    order.refresh_from_db()
    kids = list(order.children.filter(role=OrderRole.SLICE))
    if kids:
        for k in kids:
            if k.status not in TERMINAL:
                try:
                    _cancel(k, actor=actor, reason=reason)
                except errors.OrderNotCancellable:
                    pass
        brackets._slice_parent_refresh(order.pk)
        order.refresh_from_db()
        return order
    if order.status in TERMINAL or order.status == S.UNKNOWN:
        raise errors.OrderNotCancellable(f"Order #{order.pk} is {order.status}; it cannot be cancelled.")
    if order.status == S.PENDING_APPROVAL or (order.status == S.PENDING_SUBMIT and order.submitted_at is None):
        with transaction.atomic():
            if not _transition(
                order,
                S.CANCELLED,
                actor=actor,
                kind=EventKind.CANCELLED,
                reason=reason,
                pending_quantity=0,
                cancelled_quantity=order.quantity - order.filled_quantity,
            ):
                raise errors.OrderNotCancellable("The order changed meanwhile; reload and try again.")
        return order
    if not order.broker_order_id:
        raise errors.OrderNotCancellable("The order is being sent; cancel it once the broker has it.")
    with transaction.atomic():
        _event(order, EventKind.CANCEL_REQUESTED, actor=actor, frm=order.status, to=order.status, reason=reason)
    report = report_of_call(broker_for(order.account).cancel_order, order.broker_order_id, variety=order.variety)
    if report.outcome == ReportOutcome.REFUSED:
        order.refresh_from_db()
        if order.status in TERMINAL:
            return order
        raise errors.OrderNotCancellable(f"The broker refused the cancel: {report.message}")
    if report.outcome in (ReportOutcome.UNAVAILABLE, ReportOutcome.RATE_LIMITED):
        raise errors.BrokerNotReachable(f"The cancel was not sent: {report.message}")
    if not report.accepted:
        raise errors.BrokerNotReachable(f"The broker did not confirm the cancel: {report.message}")
    order_apply_executions(account=order.account, executions=report.executions, source="paper")
    order.refresh_from_db()
    if order.status not in TERMINAL:
        with transaction.atomic():
            _transition(
                order,
                S.CANCEL_PENDING,
                actor=actor,
                kind=EventKind.CANCEL_REQUESTED,
                reason="cancel accepted by the broker",
            )
    return order


def orders_cancel_all(
    *, user: AbstractBaseUser, account_id: int | None = None, strategy_id: int | None = None, actor: str = ""
) -> list[Order]:
    qs = Order.objects.filter(
        user=user, status__in=[*WORKING, S.PENDING_APPROVAL, S.PENDING_SUBMIT], children__isnull=True
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    out = []
    for order in qs.order_by("id"):
        try:
            out.append(_cancel(order, actor=actor or f"user:{user.pk}", reason="cancel all"))
        except errors.OrderNotCancellable:
            continue
    return out


# Stages judged again when a parked order is approved: what may have changed while it waited. The kill switch
# engaged meanwhile refuses it (its commit guard reads the switch share-locked in the approving transaction).
APPROVAL_RECHECK_STAGES = ["risk.kill_switch"]


def order_approve(*, user: AbstractBaseUser, order_id: int, actor: str = "") -> Order:
    """Send a parked (PENDING_APPROVAL) order. The stages in APPROVAL_RECHECK_STAGES run again first: a refusal
    rejects the order (REJECTED, with the refusal's message, audited) and is raised with its own code, e.g.
    KILL_SWITCH_ENGAGED when the kill switch was engaged after the order was parked."""
    order = _owned(user, order_id)
    refusal = _approve(order, actor=actor or f"user:{user.pk}")
    if refusal is not None:
        raise refusal
    return order


def _approve(order: Order, *, actor: str) -> Any:
    """Approve `order`, or reject it when a re-checked stage refuses; returns that refusal (a DomainError)."""
    from oms_project.lib import pretrade

    from .. import pipeline

    if order.status != S.PENDING_APPROVAL:
        raise errors.OrderNotPendingApproval()
    intent = pretrade.OrderIntent(
        user_id=order.user_id,
        actor=actor,
        account_id=order.account_id,
        strategy_id=order.strategy_id,
        instrument_token=order.instrument_token,
        transaction_type=order.transaction_type,
        product=order.product,
        order_type=order.order_type,
        quantity=order.quantity,
        price=order.price,
        trigger_price=order.trigger_price,
        variety=order.variety,
        role=order.role,
    )
    ctx = pipeline.build_context(intent, user=order.user, dry_run=False)
    checked = pretrade.run_named(APPROVAL_RECHECK_STAGES, intent, ctx)
    refusal = checked.denial.error if checked.denial is not None else None
    with transaction.atomic():
        if refusal is None:
            try:
                for guard in ctx.scratch.get("commit_guards", ()):
                    guard()
            except DomainError as exc:
                refusal = exc
        if refusal is not None:
            _reject_parked(order, actor=actor, reason=refusal.message)
            return refusal
        if order.status != S.PENDING_APPROVAL or not _transition(
            order, S.PENDING_SUBMIT, actor=actor, kind=EventKind.APPROVED, reason="confirmed by the user"
        ):
            raise errors.OrderNotPendingApproval()
        Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL).update(
            status=S.PENDING_SUBMIT, version=F("version") + 1
        )
    rate_limit.acquire(order.account_id)
    transaction.on_commit(lambda: submission._submit_tree(order, actor=actor))
    return None


def _reject_parked(order: Order, *, actor: str, reason: str) -> None:
    """A parked order (and its parked slices) refused at approval: REJECTED with the refusal's message."""
    fields = dict(pending_quantity=0, status_message=reason[:500])
    if not _transition(order, S.REJECTED, actor=actor, kind=EventKind.REJECTED, reason=reason[:500], **fields):
        if order.status in TERMINAL:
            return  # the kill switch's square-off cancelled it meanwhile: the refusal still stands
        raise errors.OrderNotPendingApproval()
    for kid in Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL):
        _transition(kid, S.REJECTED, actor=actor, kind=EventKind.REJECTED, reason=reason[:500], **fields)


def order_reject(*, user: AbstractBaseUser, order_id: int, actor: str = "", reason: str = "not confirmed") -> Order:
    order = _owned(user, order_id)
    with transaction.atomic():
        if order.status != S.PENDING_APPROVAL:
            raise errors.OrderNotPendingApproval()
        _transition(
            order,
            S.CANCELLED,
            actor=actor or f"user:{user.pk}",
            kind=EventKind.CANCELLED,
            reason=reason,
            pending_quantity=0,
            cancelled_quantity=order.quantity,
        )
        for kid in Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL):
            _transition(
                kid,
                S.CANCELLED,
                actor=actor or SYSTEM,
                kind=EventKind.CANCELLED,
                reason=reason,
                pending_quantity=0,
                cancelled_quantity=kid.quantity,
            )
    return order


def approval_alert_handler(alert: Any, action: str, actor: str) -> None:
    """Registered for APPROVAL_REQUIRED alerts: Approve submits the order, Reject/expiry cancels it."""
    links, payload = alert.links or {}, alert.payload or {}
    if payload.get("source") != "orders" or "order_id" not in links:
        return
    order = Order.objects.filter(pk=links["order_id"], user_id=alert.user_id).select_related("user").first()
    if order is None or order.status != S.PENDING_APPROVAL:
        return
    if action == AlertAction.APPROVE:
        _approve(order, actor=actor)  # a refusal on re-check leaves the order REJECTED with its reason
    else:
        order_reject(
            user=order.user,
            order_id=order.pk,
            actor=actor,
            reason="not confirmed" if action != "EXPIRED" else "confirmation expired",
        )
