"""Placing an order: the pre-trade pipeline (replay protection, validation, strategy, near-duplicates, later
margin and risk, the rate slot: orders.pipeline), then the committed Order + CREATED event (claimed for
sending in the same transaction), then inline submission. `order_preview` is the same pipeline as a dry run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.types import AlertAction, AlertLevel, AlertType
from oms_project.lib import pretrade
from oms_project.lib.pretrade import OrderIntent

from .. import market, pipeline
from ..domain import EventKind, OrderRole
from ..models import Order
from . import execution, submission
from ._common import S, _alert, _dec, _event, _new_tag, _push_order

GUARD_ALERT_TYPES = (AlertType.WIDE_SPREAD, AlertType.HIGH_IMPACT)


def order_place(intent: OrderIntent, *, user: AbstractBaseUser | None = None, submit: bool = True) -> Order:
    """Place what `intent` says: the pre-trade pipeline (orders.pipeline) first, then the committed order,
    then inline submission. `user` is the intent's owner when the caller already has the row (saves a
    query); `submit=False` creates the order claimed by nobody (bracket legs are sent by their caller)."""
    ctx = pipeline.build_context(intent, user=user, dry_run=False, submit=submit)
    with market.instruments_pinned(ctx.instrument):  # the broker and the update read it again: no re-query
        intent = pipeline.normalise(intent, ctx)
        ctx.intent = intent
        result = pretrade.run(intent, ctx)
        if result.replay is not None:
            existing = result.replay.replay_of
            existing.replayed = True
            return existing
        if result.denial is not None:
            raise result.denial.error  # type: ignore[misc]
        intent = _amended(intent, result.amendments)
        return _create_and_send(intent, ctx, result, submit=submit)


def _amended(intent: OrderIntent, amendments: dict[str, Any]) -> OrderIntent:
    """The intent with a stage's `order_changes` amendment (orders.execution: a WIDE-spread MARKET order goes
    out as a LIMIT at the recommended price)."""
    changes = amendments.get("order_changes")
    return intent.with_changes(**changes) if changes else intent


def order_preview(intent: OrderIntent, *, user: AbstractBaseUser | None = None) -> dict[str, Any]:
    """The same pipeline as `order_place`, as a dry run: every stage runs, nothing is written or taken
    (no rate slot), and every finding comes back with its stage and time. A refusal of the context
    itself (unknown instrument or account) raises, as placement would."""
    ctx = pipeline.build_context(intent, user=user, dry_run=True)
    intent = pipeline.normalise(intent, ctx)
    ctx.intent = intent
    result = pretrade.run(intent, ctx)
    intent = _amended(intent, result.amendments)
    return {
        "verdict": result.verdict,
        "would_place": result.verdict in ("pass", "park"),
        "findings": [f.as_json() for f in result.findings],
        "order": {
            "account_id": ctx.account.pk,
            "instrument_token": ctx.instrument.instrument_token,
            "exchange": ctx.instrument.exchange,
            "tradingsymbol": ctx.instrument.tradingsymbol,
            "transaction_type": intent.transaction_type,
            "quantity": intent.quantity,
            "lots": (intent.quantity or 0) // ctx.instrument.lot_size if ctx.instrument.lot_size else None,
            "order_type": intent.order_type,
            "product": intent.product,
            "price": intent.price,
            "trigger_price": intent.trigger_price,
            "market_protection": intent.market_protection,
            "slices": result.amendments.get("slices", [intent.quantity]),
        },
        "micros": sum(f.micros for f in result.findings),
    }


def _create_and_send(intent: OrderIntent, ctx: Any, result: Any, *, submit: bool) -> Order:
    account, instrument, user = ctx.account, ctx.instrument, ctx.user
    quantity = intent.quantity
    price, trigger_price = _dec(intent.price), _dec(intent.trigger_price)
    b = intent.bracket
    stop_loss, target = _dec(b.stop_loss), _dec(b.target)
    stop_loss_points, target_points = _dec(b.stop_loss_points), _dec(b.target_points)
    trailing_stop_points = _dec(b.trailing_stop_points)
    transaction_type, product, order_type = intent.transaction_type, intent.product, intent.order_type
    validity, validity_ttl, variety = intent.validity, intent.validity_ttl, intent.variety
    disclosed_quantity, market_protection, tag = intent.disclosed_quantity, intent.market_protection, intent.tag
    client_order_id, actor, role = intent.client_order_id, intent.actor, intent.role
    strategy = ctx.scratch.get("strategy")
    parent = Order.objects.get(pk=intent.parent_id) if intent.parent_id else None
    payload_hash = ctx.scratch.get("payload_hash") or pipeline.payload_hash(intent, ctx)
    slices = result.amendments.get("slices", [quantity])
    park = result.park
    status = S.PENDING_APPROVAL if park is not None else S.PENDING_SUBMIT

    common = dict(
        user=user,
        account=account,
        strategy=strategy,
        exchange=instrument.exchange,
        tradingsymbol=instrument.tradingsymbol,
        instrument_token=instrument.instrument_token,
        transaction_type=transaction_type,
        product=product,
        order_type=order_type,
        variety=variety,
        iceberg_legs=intent.iceberg_legs,
        iceberg_quantity=intent.iceberg_quantity,
        price=price,
        trigger_price=trigger_price,
        validity=validity,
        validity_ttl=validity_ttl,
        disclosed_quantity=disclosed_quantity or 0,
        market_protection=market_protection,
        user_tag=tag or "",
    )
    # An order sent right away (no slices) is claimed for sending in the transaction that creates it
    # (submitted_at set, one attempt): the same exactly-once claim `order_submit` makes, without its own commit.
    # A paper venue works every order at once, so the order core holds a paper AMO until the open
    # (orders.services.amo releases it at 09:15); Kite holds a Kite account's AMO itself.
    held_for_open = variety == "amo" and account.is_paper
    submit = submit and not held_for_open
    send_now = submit and status == S.PENDING_SUBMIT and len(slices) <= 1
    claimed_at = timezone.now() if send_now else None
    try:
        with transaction.atomic():
            # Stages that must judge inside this transaction (risk.kill_switch: the switch read with a share
            # lock, so no order is written after an engage committed) registered a commit guard; one raising
            # refuses the order and nothing is written.
            for guard in ctx.scratch.get("commit_guards", ()):
                guard()
            order = Order.objects.create(
                **common,
                quantity=quantity,
                pending_quantity=quantity,
                status=status,
                submitted_at=claimed_at,
                submit_attempts=1 if send_now else 0,
                role=role,
                parent=parent,
                client_order_id=client_order_id,
                payload_hash=payload_hash,
                tag=_new_tag(),
                stop_loss=_dec(stop_loss),
                target=_dec(target),
                stop_loss_points=_dec(stop_loss_points),
                target_points=_dec(target_points),
                trailing_stop_points=_dec(trailing_stop_points),
            )
            _event(
                order,
                EventKind.CREATED,
                actor=actor,
                to=status,
                reason=park.alert.get("reason", "")
                if park is not None
                else ("after-market order: held until the open" if held_for_open else ""),
            )
            children: list[Order] = []
            if len(slices) > 1:
                for n, part in enumerate(slices, 1):
                    child = Order.objects.create(
                        **common,
                        quantity=part,
                        pending_quantity=part,
                        role=OrderRole.SLICE,
                        parent=order,
                        tag=_new_tag(),
                        status=status,
                    )
                    _event(child, EventKind.CREATED, actor=actor, to=status, reason=f"slice {n}/{len(slices)}")
                    children.append(child)
                _event(
                    order,
                    EventKind.SLICED,
                    actor=actor,
                    to=status,
                    reason=f"split into {len(slices)} orders at the freeze limit {instrument.freeze_quantity}",
                )
            advice = ctx.scratch.get("execution")
            execution.analysis_record(order, advice, at=ctx.now)
            if park is not None and park.alert.get("type") in GUARD_ALERT_TYPES:
                execution.guard_alert(order, advice, park=park)
            elif status == S.PENDING_APPROVAL:
                _alert(
                    order,
                    AlertType.APPROVAL_REQUIRED,
                    AlertLevel.WARNING,
                    park.alert["message"],
                    actions=[AlertAction.APPROVE, AlertAction.REJECT],
                    expires_in=timedelta(minutes=5),
                )
            if park is None and advice is not None and advice.alert:
                execution.guard_alert(order, advice)
            _push_order(order, change=EventKind.CREATED)
    except IntegrityError:
        if client_order_id:  # a concurrent twin with the same key committed first: answer as its replay
            again = pipeline.stage_replay(intent, ctx)
            if again.error is not None:
                raise again.error from None
            if again.replay_of is not None:
                again.replay_of.replayed = True
                return again.replay_of
        raise
    order.replayed = False
    if submit and status == S.PENDING_SUBMIT:
        if send_now:
            order = submission._send(order, actor=actor)  # claimed at creation; the returned row is current
        else:
            submission._submit_tree(order, actor=actor, children=children)
            order.refresh_from_db()
        order.replayed = False
    return order
