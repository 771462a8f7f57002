"""Completion policies (issue #11): what happens to a strategy's unfilled and partly filled LIMIT orders
(docs/completion-policies.md). The decision is the pure `orders.completion.decide`; this module runs it.

The runner `completions_tick` (beat `orders.completion_tick`, every 3 s, orders migration
`0013_completion_policies`) looks at the working orders whose strategy has a policy, creates each order's
`OrderCompletion` row once (one-to-one), and advances each by at most one step:

- every step goes through the order core's own services: a chase re-prices with `_modify` (validation, the
  broker, MODIFY_REQUESTED/MODIFIED audit events), cancel with `_cancel`, the remainder goes out through
  `order_place` (the whole pre-trade pipeline, market protection, idempotency key `cp-<order>-<n>`), all with the
  actor `completion:<order id>` and the reason in the audit;
- a step is *claimed* under the completion row's lock (`FOR UPDATE SKIP LOCKED`, plus a lease on `claimed_at`)
  and committed before it is done, so two runners at once never do it twice; a claim left by a dead process is
  re-driven after `CLAIM_LEASE_SECONDS` (a placement with the same key replays the order it made);
- nothing is done while the exchange session is closed (`marketdata.calendar.session_state`);
- the trader's touch stops it: any modify or cancel of the order by another actor (an audit event), or a price or
  quantity that is not what the policy left (changed at the broker), ends the policy with the reason and the
  actor (`stopped_by`). The `orders.updated` subscriber `on_order_updated` checks at once; the runner checks
  again before every step, under the lock.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from marketdata import calendar as md_calendar
from oms_project.lib.errors import DomainError
from oms_project.lib.pretrade import OrderIntent

from .. import completion as policy
from .. import errors, market
from ..completion_models import OrderCompletion, StrategyCompletionPolicy
from ..domain import TERMINAL, WORKING, EventKind, OrderRole, OrderStatus, OrderType
from ..events import ACCEPTED
from ..models import Order, OrderEvent

logger = logging.getLogger(__name__)

C = OrderCompletion.State
LIVE_STATES = (C.ACTIVE, C.COMPLETING)
# A claimed step with nothing recorded after this long was left by a dead process (above the submit lease, 10 s).
CLAIM_LEASE_SECONDS = 15
# Refusals of a remainder order that pass with time: the step is tried again at the next pass.
TRANSIENT_CODES = frozenset(
    {"ORDER_RATE_LIMITED", "BROKER_PAUSED", "BROKER_UNAVAILABLE", "BROKER_NOT_REACHABLE", "WIDE_SPREAD", "HIGH_IMPACT"}
)
POLICY_ROLES = (OrderRole.ENTRY, OrderRole.EXIT)
TOUCH_KINDS = (EventKind.MODIFY_REQUESTED, EventKind.MODIFIED, EventKind.CANCEL_REQUESTED, EventKind.CANCELLED)
# Changes that can never be a touch: the order's creation and the broker's first acceptance change neither its
# price nor its quantity, and any earlier touch had its own update. The subscriber skips them without a query
# (every placement publishes both); the runner's pass checks every live policy anyway.
NEVER_A_TOUCH = (EventKind.CREATED, ACCEPTED)


def actor_for(order_id: int) -> str:
    return f"completion:{order_id}"


def client_order_id_for(order_id: int, n: int) -> str:
    return f"cp-{order_id}-{n}"


# --- settings ----------------------------------------------------------------------------------------------


def settings_of(strategy: Any | None) -> policy.PolicySettings:
    """A strategy's policy (off without a row or a strategy)."""
    if strategy is None:
        return policy.PolicySettings()
    row = StrategyCompletionPolicy.objects.filter(strategy_id=getattr(strategy, "pk", strategy)).first()
    return _settings_from_row(row)


def _settings_from_row(row: StrategyCompletionPolicy | None) -> policy.PolicySettings:
    if row is None:
        return policy.PolicySettings()
    return policy.PolicySettings(**{name: getattr(row, name) for name in policy.FIELD_NAMES})


def validate_settings(values: dict[str, Any], current: policy.PolicySettings | None = None) -> policy.PolicySettings:
    """The settings `values` make over `current`, or COMPLETION_POLICY_INVALID for a combination that means nothing
    (field ranges are the API serializer's; the same rule is in the API schema, so a schema-valid body passes)."""
    base = (current or policy.PolicySettings()).as_json()
    merged = policy.PolicySettings.from_json({**base, **{k: v for k, v in values.items() if v is not None}})
    if merged.unfilled_action not in policy.UnfilledAction.__members__:
        raise errors.CompletionPolicyInvalid(
            f"unfilled_action must be one of {', '.join(policy.UnfilledAction)}.", details={"field": "unfilled_action"}
        )
    if merged.partial_fill_action not in policy.PartialFillAction.__members__:
        raise errors.CompletionPolicyInvalid(
            f"partial_fill_action must be one of {', '.join(policy.PartialFillAction)}.",
            details={"field": "partial_fill_action"},
        )
    if merged.after_chase not in policy.AfterChase.__members__:
        raise errors.CompletionPolicyInvalid(
            f"after_chase must be one of {', '.join(policy.AfterChase)}.", details={"field": "after_chase"}
        )
    given_after = values.get("after_chase")
    if (
        given_after not in (None, policy.AfterChase.NONE)
        and values.get("unfilled_action") != policy.UnfilledAction.CHASE
    ):
        # Judged on what was given (the API schema says the same): after_chase comes with unfilled_action CHASE.
        raise errors.CompletionPolicyInvalid(
            "after_chase applies only when unfilled_action is CHASE (give both).",
            details={"field": "after_chase", "unfilled_action": values.get("unfilled_action")},
        )
    if merged.unfilled_action != policy.UnfilledAction.CHASE and merged.after_chase != policy.AfterChase.NONE:
        merged = replace(merged, after_chase=policy.AfterChase.NONE)  # a chase's follow-up goes with the chase
    return merged


def strategy_policy_write(strategy: Any, values: dict[str, Any]) -> StrategyCompletionPolicy:
    """Set a strategy's policy (fields not given keep their value). Registered with portfolio's strategy
    settings (`portfolio.services.register_settings_group`), so it is written in the strategy's transaction."""
    row = StrategyCompletionPolicy.objects.select_for_update().filter(strategy_id=strategy.pk).first()
    merged = validate_settings(values, _settings_from_row(row))
    if row is None:
        row = StrategyCompletionPolicy(strategy_id=strategy.pk)
    for name in policy.FIELD_NAMES:
        setattr(row, name, getattr(merged, name))
    row.save()
    return row


def strategy_policy_read(strategy: Any) -> dict[str, Any]:
    return settings_of(strategy).as_json()


# --- the runner --------------------------------------------------------------------------------------------


def _session_open(exchange: str, now: datetime) -> bool:
    return md_calendar.session_state(exchange, now) == md_calendar.SessionState.OPEN


def _eligible() -> Any:
    """Working LIMIT orders the policy may look after: entries and exits of a strategy with a policy on, not a
    bracket entry (its exits hang on its own fills), not a slice parent, not an algorithm's child, not already seen."""
    policy_on = ~Q(strategy__completion_policy__unfilled_action=policy.UnfilledAction.NONE) | ~Q(
        strategy__completion_policy__partial_fill_action=policy.PartialFillAction.NONE
    )
    return (
        Order.objects.filter(
            status__in=list(WORKING),
            order_type=OrderType.LIMIT,
            validity="DAY",
            role__in=list(POLICY_ROLES),
            parent__isnull=True,
            strategy__completion_policy__isnull=False,
            completion__isnull=True,
            stop_loss__isnull=True,
            target__isnull=True,
            stop_loss_points__isnull=True,
            target_points__isnull=True,
        )
        .filter(policy_on)
        .exclude(children__isnull=False)
    )


def completions_discover(now: datetime) -> int:
    """Start the policy of every eligible working order (idempotent: the row is one-to-one with the order)."""
    made = 0
    for order in _eligible().select_related("strategy__completion_policy").order_by("id")[:500]:
        settings = _settings_from_row(order.strategy.completion_policy)
        try:
            with transaction.atomic():
                OrderCompletion.objects.create(
                    order=order,
                    settings=settings.as_json(),
                    source="strategy",
                    original_price=order.price,
                    expected_price=order.price,
                    expected_quantity=order.quantity,
                    reason="started",
                )
            made += 1
        except IntegrityError:  # another runner started it first
            continue
    return made


def completions_tick(at: datetime | None = None) -> int:
    """One pass (beat `orders.completion_tick`): start new orders' policies, then advance each live one by at most
    one step. Returns the steps taken. Safe to run twice at once (row locks and claims)."""
    now = at or timezone.now()
    if not _session_open("NSE", now) and not _session_open("BSE", now):
        return 0
    completions_discover(now)
    ids = list(OrderCompletion.objects.filter(state__in=LIVE_STATES).order_by("id").values_list("pk", flat=True)[:500])
    done = 0
    for pk in ids:
        try:
            done += 1 if completion_step(pk, at=now) else 0
        except Exception:  # one order's failure must not stop the others
            logger.exception("completion tick: completion %s failed", pk)
    return done


def _stop(comp: OrderCompletion, now: datetime, reason: str, *, by: str = "", state: str = C.STOPPED) -> None:
    comp.state = state
    comp.reason = reason[:300]
    comp.stopped_by = by[:120]
    comp.ended_at = now
    comp.claimed_at = None
    comp.claim = {}
    comp.version += 1
    comp.save()


def _touch(comp: OrderCompletion, order: Order) -> tuple[str, str] | None:
    """(why, who) when someone other than the policy modified or cancelled the order since the policy started."""
    mine = actor_for(order.pk)
    ev = (
        OrderEvent.objects.filter(order_id=order.pk, kind__in=list(TOUCH_KINDS), created_at__gte=comp.created_at)
        .exclude(actor=mine)
        .exclude(actor__startswith="broker")  # the broker's own reports (fills, the cancel we asked for)
        .order_by("id")
        .first()
    )
    if ev is not None:
        what = "cancelled" if ev.kind in (EventKind.CANCEL_REQUESTED, EventKind.CANCELLED) else "modified"
        return f"the order was {what} by {ev.actor}: the policy stopped", ev.actor
    if not comp.claim and comp.state == C.ACTIVE and order.status not in TERMINAL:
        if comp.expected_price is not None and order.price is not None and order.price != comp.expected_price:
            return f"the price changed outside the policy ({comp.expected_price} → {order.price}): stopped", "broker"
        if comp.expected_quantity is not None and order.quantity != comp.expected_quantity:
            return (
                f"the quantity changed outside the policy ({comp.expected_quantity} → {order.quantity}): stopped",
                "broker",
            )
    return None


def on_order_updated(event: Any) -> None:
    """`orders.updated` subscriber: a touch stops the order's policy at once (not at the next pass)."""
    if event.change in NEVER_A_TOUCH:
        return
    comp = OrderCompletion.objects.filter(order_id=event.order_id, state__in=LIVE_STATES).only("pk").first()
    if comp is None:
        return
    with transaction.atomic():
        comp = OrderCompletion.objects.select_for_update().filter(pk=comp.pk, state__in=LIVE_STATES).first()
        if comp is None:
            return
        order = Order.objects.get(pk=comp.order_id)
        touched = _touch(comp, order)
        if touched is not None:
            _stop(comp, timezone.now(), touched[0], by=touched[1])


def _book(order: Order, now: datetime) -> tuple[Any, policy.Book, Any]:
    instrument = market.instrument_by_token(order.instrument_token)
    q = market.quote(instrument, now)
    if q is None:
        return instrument, policy.Book(None, None), None
    bid = q.buy_depth[0].price if q.buy_depth else None
    ask = q.sell_depth[0].price if q.sell_depth else None
    return instrument, policy.Book(bid, ask), q


def _state(order: Order, comp: OrderCompletion, tick: Decimal) -> policy.OrderState:
    first = order.trades.order_by("fill_timestamp").values_list("fill_timestamp", flat=True).first()
    return policy.OrderState(
        side=order.transaction_type,
        quantity=order.quantity,
        filled_quantity=order.filled_quantity,
        price=Decimal(order.price),
        original_price=Decimal(comp.original_price if comp.original_price is not None else order.price),
        tick_size=tick,
        placed_at=order.submitted_at or order.created_at,
        first_fill_at=first,
        last_step_at=comp.last_step_at,
    )


def _claim(comp: OrderCompletion, now: datetime, **claim: Any) -> None:
    comp.claimed_at = now
    comp.claim = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in claim.items()}
    comp.version += 1
    comp.save()


def completion_step(completion_id: int, *, at: datetime | None = None) -> bool:
    """Advance one order's policy by at most one step. True when a step was taken."""
    now = at or timezone.now()
    with transaction.atomic():
        comp = (
            OrderCompletion.objects.select_for_update(skip_locked=True)
            .filter(pk=completion_id, state__in=LIVE_STATES)
            .first()
        )
        if comp is None:
            return False  # ended, or another runner holds it right now
        if comp.claimed_at is not None and comp.claimed_at > now - timedelta(seconds=CLAIM_LEASE_SECONDS):
            return False  # a step is in flight
        order = Order.objects.select_related("account", "user", "strategy").get(pk=comp.order_id)
        if not _session_open(order.exchange, now):
            return False
        touched = _touch(comp, order)
        if touched is not None:
            _stop(comp, now, touched[0], by=touched[1])
            return False
        if comp.claim:  # a claim left by a dead process: re-drive it
            action = dict(comp.claim)
            _claim(comp, now, **action)
        elif comp.state == C.COMPLETING:
            action = _completing_action(comp, order, now)
        else:
            action = _active_action(comp, order, now)
        if action is None:
            return False
    return _perform(comp.pk, order, action, now)


def _active_action(comp: OrderCompletion, order: Order, now: datetime) -> dict[str, Any] | None:
    if order.status in TERMINAL:
        _stop(comp, now, f"the order ended {order.status}", state=C.DONE)
        return None
    if order.status not in WORKING or order.price is None:
        return None  # being sent, cancel pending, unknown: wait
    settings = policy.PolicySettings.from_json(comp.settings)
    instrument, book, _q = _book(order, now)
    step = policy.decide(_state(order, comp, Decimal(instrument.tick_size)), settings, book, now)
    if step.kind == policy.StepKind.WAIT:
        return None
    if step.kind == policy.StepKind.DONE:
        _stop(comp, now, step.reason, state=C.DONE)
        return None
    if step.kind == policy.StepKind.REPRICE:
        action = {"kind": "modify", "price": step.price, "reason": step.reason}
        comp.expected_price = step.price
    elif step.kind == policy.StepKind.CANCEL:
        action = {"kind": "cancel", "final": True, "reason": step.reason}
    else:  # COMPLETE / SPLIT: cancel first, then send the remainder
        comp.state = C.COMPLETING
        comp.mode = "SPLIT" if step.kind == policy.StepKind.SPLIT else "COMPLETE"
        action = {"kind": "cancel", "final": False, "reason": step.reason}
    _claim(comp, now, **action)
    return action


def _completing_action(comp: OrderCompletion, order: Order, now: datetime) -> dict[str, Any] | None:
    if order.status not in TERMINAL:
        if order.status == OrderStatus.CANCEL_PENDING or order.status not in WORKING:
            return None  # wait for the broker to confirm the cancel
        action = {"kind": "cancel", "final": False, "reason": "cancel again before sending the remainder"}
        _claim(comp, now, **action)
        return action
    to_send = order.quantity - order.filled_quantity - comp.quantity_sent
    if to_send <= 0:
        _stop(comp, now, comp.reason if comp.children else "filled before the remainder was sent", state=C.DONE)
        return None
    quantity = to_send
    if comp.mode == "SPLIT":
        settings = policy.PolicySettings.from_json(comp.settings)
        kids = Order.objects.filter(pk__in=comp.children)
        if any(k.status not in TERMINAL for k in kids):
            return None  # one child at a time: the next is sized on the book the last one left
        if comp.last_step_at and (now - comp.last_step_at).total_seconds() < settings.chase_interval_seconds:
            return None
        quantity = _depth_size(order, to_send, now)
        if quantity <= 0:
            comp.reason = "waiting: the book takes less than a lot within the impact budget"
            comp.save(update_fields=["reason"])
            return None
    n = comp.children_sent + 1
    action = {
        "kind": "place",
        "n": n,
        "quantity": quantity,
        "reason": f"remainder {quantity} of {order.quantity - order.filled_quantity} at MARKET",
    }
    _claim(comp, now, **action)
    return action


def _depth_size(order: Order, to_send: int, now: datetime) -> int:
    """The next split child: the largest whole-lot quantity the venue's book takes within the strategy's impact
    budget (the pure depth walk of `orders.execution`)."""
    from .. import execution

    instrument = market.instrument_by_token(order.instrument_token)
    q = execution.venue_quote(order.account, instrument, market.quote(instrument, now), order.transaction_type, now)
    _a, _t, size = execution.analyse(
        instrument, q, side=order.transaction_type, quantity=to_send, strategy=order.strategy
    )
    depth_quantity = size.quantity if size is not None else 0
    return policy.split_size(to_send, depth_quantity, int(instrument.lot_size or 1))


def _remainder_intent(order: Order, n: int, quantity: int) -> OrderIntent:
    return OrderIntent(
        user_id=order.user_id,
        actor=actor_for(order.pk),
        account_id=order.account_id,
        strategy_id=order.strategy_id,
        instrument_token=order.instrument_token,
        transaction_type=order.transaction_type,
        product=order.product,
        quantity=quantity,
        order_type=OrderType.MARKET,
        market_protection=-1,  # protected: Kite's automatic market protection (the venue caps the walk)
        validity="DAY",
        client_order_id=client_order_id_for(order.pk, n),
        role=order.role,
    )


def _perform(completion_id: int, order: Order, action: dict[str, Any], now: datetime) -> bool:
    from .order_changes import _cancel, _modify
    from .placement import order_place

    kind, reason = action["kind"], f"completion policy: {action.get('reason', '')}"
    child = None
    try:
        if kind == "modify":
            _modify(order, price=Decimal(action["price"]), actor=actor_for(order.pk), reason=reason)
        elif kind == "cancel":
            _cancel(order, actor=actor_for(order.pk), reason=reason)
        else:
            child = order_place(_remainder_intent(order, int(action["n"]), int(action["quantity"])))
    except DomainError as err:
        _record_failure(completion_id, order, action, err, now)
        return False
    _record(completion_id, order, action, child, now)
    return True


def _record(completion_id: int, order: Order, action: dict[str, Any], child: Order | None, now: datetime) -> None:
    with transaction.atomic():
        comp = OrderCompletion.objects.select_for_update().get(pk=completion_id)
        order.refresh_from_db()
        comp.claimed_at, comp.claim = None, {}
        comp.steps += 1
        comp.last_step_at = now
        comp.reason = str(action.get("reason", ""))[:300]
        if action["kind"] == "modify":
            comp.expected_price = order.price
        elif action["kind"] == "cancel" and action.get("final"):
            comp.state, comp.ended_at = C.DONE, now
        elif action["kind"] == "place" and child is not None:
            comp.children_sent = int(action["n"])
            comp.quantity_sent += child.quantity
            comp.children = [*comp.children, child.pk]
            note = " (waits for your approval)" if child.status == OrderStatus.PENDING_APPROVAL else ""
            comp.reason = f"remainder {child.quantity} sent as order #{child.pk}{note}"[:300]
            if order.quantity - order.filled_quantity - comp.quantity_sent <= 0:
                comp.state, comp.ended_at = C.DONE, now
        comp.version += 1
        comp.save()


def _record_failure(completion_id: int, order: Order, action: dict[str, Any], err: DomainError, now: datetime) -> None:
    with transaction.atomic():
        comp = OrderCompletion.objects.select_for_update().get(pk=completion_id)
        order.refresh_from_db()
        comp.claimed_at, comp.claim = None, {}
        if action["kind"] == "modify":
            comp.expected_price = order.price
        if order.status in TERMINAL and action["kind"] != "place":
            if comp.state == C.COMPLETING:  # it ended (filled or cancelled) as we acted: send what is left next
                comp.save()
                return
            _stop(comp, now, f"the order ended {order.status}", state=C.DONE)
            return
        if err.code in TRANSIENT_CODES or isinstance(err, errors.OrderNotModifiable):
            comp.reason = f"waiting ({err.code}): {err.message}"[:300]
            comp.last_step_at = now
            comp.version += 1
            comp.save()
            return
        _stop(comp, now, f"a step was refused ({err.code}): {err.message}", by=actor_for(order.pk))


# --- reads and the per-order override -----------------------------------------------------------------------


def completion_get(*, user: AbstractBaseUser, order_id: int) -> tuple[Order, OrderCompletion | None]:
    from ._common import _owned

    order = _owned(user, order_id)
    return order, completion_of(order)


def completion_of(order: Order) -> OrderCompletion | None:
    """The policy run of an order the caller already holds (and has scoped to its owner)."""
    return OrderCompletion.objects.filter(order=order).first()


def completion_applicable(order: Order) -> bool:
    """A policy may be set for this order: a working (or about to be sent) LIMIT entry or exit of its own."""
    working = order.status in WORKING or order.status == OrderStatus.PENDING_SUBMIT
    return working and order.order_type == OrderType.LIMIT and order.role in POLICY_ROLES and not order.parent_id


def order_completion_set(*, user: AbstractBaseUser, order_id: int, actor: str = "", **values: Any) -> OrderCompletion:
    """Override one working order's policy (`enabled=False` switches it off for this order). The order must be an
    eligible working LIMIT order (COMPLETION_NOT_APPLICABLE otherwise)."""
    from ._common import _owned

    order = _owned(user, order_id)
    enabled = values.pop("enabled", True)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not completion_applicable(order):
            raise errors.CompletionNotApplicable(
                f"Order #{order.pk} is a {order.status} {order.order_type} {order.role} order: a completion policy "
                "applies to working LIMIT entries and exits.",
                details={"status": order.status, "order_type": order.order_type, "role": order.role},
            )
        comp = OrderCompletion.objects.select_for_update().filter(order=order).first()
        if comp is not None and comp.state not in LIVE_STATES:
            raise errors.CompletionNotApplicable(
                f"The policy of order #{order.pk} has ended ({comp.state}).", details={"state": comp.state}
            )
        current = policy.PolicySettings.from_json(comp.settings) if comp else settings_of(order.strategy)
        merged = validate_settings(values, current) if enabled else policy.PolicySettings()
        now = timezone.now()
        if comp is None:
            comp = OrderCompletion(
                order=order, original_price=order.price, expected_price=order.price, expected_quantity=order.quantity
            )
        comp.settings = merged.as_json()
        comp.source = "order"
        comp.reason = f"set for this order by {actor or f'user:{user.pk}'}"
        if not merged.enabled:
            comp.state, comp.ended_at, comp.stopped_by = C.STOPPED, now, actor or f"user:{user.pk}"
            comp.reason = "switched off for this order"
        comp.version += 1
        comp.save()
    return comp
