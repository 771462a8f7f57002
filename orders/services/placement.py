"""Placing an order: validation, replay protection (client_order_id), near-duplicate check, rate slot,
the committed Order + CREATED event (claimed for sending in the same transaction), then inline submission."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.selectors import account_resolve
from alerts.types import AlertAction, AlertLevel, AlertType

from .. import errors, market, rate_limit, validation
from ..domain import (
    EventKind,
    OrderRole,
    OrderType,
)
from ..models import Order, OrderPreferences, Strategy
from . import submission
from ._common import S, _alert, _dec, _event, _new_tag, _payload_hash, _push_order, preferences_for


def order_place(
    *,
    user: AbstractBaseUser,
    transaction_type: str,
    product: str,
    order_type: str,
    quantity: int | None = None,
    lots: int | None = None,
    instrument_token: int | None = None,
    exchange: str | None = None,
    tradingsymbol: str | None = None,
    account_id: int | None = None,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
    validity: str = "DAY",
    validity_ttl: int | None = None,
    disclosed_quantity: int = 0,
    market_protection: int | None = None,
    tag: str = "",
    variety: str = "regular",
    strategy_id: int | None = None,
    client_order_id: str | None = None,
    stop_loss: Decimal | None = None,
    target: Decimal | None = None,
    stop_loss_points: Decimal | None = None,
    target_points: Decimal | None = None,
    trailing_stop_points: Decimal | None = None,
    auto_slice: bool | None = None,
    confirm_duplicate: bool = False,
    actor: str = "",
    role: str = OrderRole.ENTRY,
    parent: Order | None = None,
    submit: bool = True,
) -> Order:
    actor = actor or f"user:{user.pk}"
    account = account_resolve(user=user, account_id=account_id)
    instrument = market.instrument_resolve(
        instrument_token=instrument_token, exchange=exchange, tradingsymbol=tradingsymbol
    )
    with market.instruments_pinned(instrument):  # the broker and the update read it again: no re-query
        return _place(
            user=user,
            account=account,
            instrument=instrument,
            transaction_type=transaction_type,
            product=product,
            order_type=order_type,
            quantity=quantity,
            lots=lots,
            price=price,
            trigger_price=trigger_price,
            validity=validity,
            validity_ttl=validity_ttl,
            disclosed_quantity=disclosed_quantity,
            market_protection=market_protection,
            tag=tag,
            variety=variety,
            strategy_id=strategy_id,
            client_order_id=client_order_id,
            stop_loss=stop_loss,
            target=target,
            stop_loss_points=stop_loss_points,
            target_points=target_points,
            trailing_stop_points=trailing_stop_points,
            auto_slice=auto_slice,
            confirm_duplicate=confirm_duplicate,
            actor=actor,
            role=role,
            parent=parent,
            submit=submit,
        )


def _place(
    *,
    user: AbstractBaseUser,
    account: Any,
    instrument: Any,
    transaction_type: str,
    product: str,
    order_type: str,
    quantity: int | None,
    lots: int | None,
    price: Decimal | None,
    trigger_price: Decimal | None,
    validity: str,
    validity_ttl: int | None,
    disclosed_quantity: int,
    market_protection: int | None,
    tag: str,
    variety: str,
    strategy_id: int | None,
    client_order_id: str | None,
    stop_loss: Decimal | None,
    target: Decimal | None,
    stop_loss_points: Decimal | None,
    target_points: Decimal | None,
    trailing_stop_points: Decimal | None,
    auto_slice: bool | None,
    confirm_duplicate: bool,
    actor: str,
    role: str,
    parent: Order | None,
    submit: bool,
) -> Order:
    if quantity is None and lots is not None:
        quantity = int(lots) * instrument.lot_size
    if quantity is None:
        raise errors.InvalidQuantity("Give quantity (units) or lots.")
    price, trigger_price = _dec(price), _dec(trigger_price)
    if order_type in (OrderType.MARKET, OrderType.SLM) and market_protection is None:
        market_protection = -1  # automatic protection by default (Kite requires it since Apr 2026)
    prefs = preferences_for(user)
    slice_requested = prefs.auto_slice if auto_slice is None else auto_slice
    client_order_id = (client_order_id or "").strip() or None
    fields = {
        "account_id": account.pk,
        "instrument_token": instrument.instrument_token,
        "transaction_type": transaction_type,
        "quantity": quantity,
        "product": product,
        "order_type": order_type,
        "price": price,
        "trigger_price": trigger_price,
        "validity": validity,
        "validity_ttl": validity_ttl,
        "disclosed_quantity": disclosed_quantity,
        "market_protection": market_protection,
        "tag": tag,
        "variety": variety,
        "strategy_id": strategy_id,
        "stop_loss": _dec(stop_loss),
        "target": _dec(target),
        "stop_loss_points": _dec(stop_loss_points),
        "target_points": _dec(target_points),
        "trailing_stop_points": _dec(trailing_stop_points),
        "auto_slice": bool(slice_requested),
    }
    payload_hash = _payload_hash(fields)
    if client_order_id:
        existing = _replay(user, client_order_id, payload_hash)
        if existing is not None:
            return existing

    now = timezone.now()
    q = market.quote(instrument, now)
    draft = validation.OrderDraft(
        transaction_type=transaction_type,
        quantity=quantity,
        product=product,
        order_type=order_type,
        validity=validity,
        price=price,
        trigger_price=trigger_price,
        validity_ttl=validity_ttl,
        disclosed_quantity=disclosed_quantity or 0,
        market_protection=market_protection,
        tag=tag,
        stop_loss=_dec(stop_loss),
        target=_dec(target),
        stop_loss_points=_dec(stop_loss_points),
        target_points=_dec(target_points),
        trailing_stop_points=_dec(trailing_stop_points),
    )
    facts = market.facts(instrument, q)
    if role in (OrderRole.STOP_LOSS, OrderRole.TARGET, OrderRole.EXIT):
        facts = replace(facts, last_price=None)  # exits may sit anywhere relative to a moving market
    validation.validate(
        draft,
        facts,
        today=timezone.localdate(now),
        amo=variety == "amo",
        market_open=market.market_open(instrument, now, simulated=account.is_paper),
    )
    slices = validation.slice_plan(quantity, facts, slice_requested=slice_requested)
    strategy = None
    if strategy_id is not None:
        strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
        if strategy is None:
            raise errors.StrategyNotFound()

    status = S.PENDING_SUBMIT
    if not client_order_id and not confirm_duplicate and role == OrderRole.ENTRY and parent is None:
        window = timedelta(seconds=float(prefs.duplicate_window_seconds))
        recent = (
            Order.objects.filter(
                account=account,
                instrument_token=instrument.instrument_token,
                transaction_type=transaction_type,
                quantity=quantity,
                parent__isnull=True,
                created_at__gte=now - window,
            )
            .exclude(status__in=[S.REJECTED])
            .first()
        )
        if recent is not None:
            if prefs.duplicate_action == OrderPreferences.DuplicateAction.REFUSE:
                raise errors.DuplicateOrder(
                    f"You placed the same order (#{recent.pk}: {transaction_type} {quantity} "
                    f"{instrument.tradingsymbol}) {(now - recent.created_at).total_seconds():.1f} s ago. "
                    "Send it again with confirm_duplicate=true if you mean it.",
                    details={"duplicate_of": recent.pk, "window_seconds": float(prefs.duplicate_window_seconds)},
                )
            status = S.PENDING_APPROVAL

    if submit and status == S.PENDING_SUBMIT:
        rate_limit.acquire(account.pk)  # queue up to a second, else ORDER_RATE_LIMITED; nothing stored

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
    send_now = submit and status == S.PENDING_SUBMIT and len(slices) <= 1
    claimed_at = timezone.now() if send_now else None
    try:
        with transaction.atomic():
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
                reason="near-duplicate: waiting for confirmation" if status == S.PENDING_APPROVAL else "",
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
            if status == S.PENDING_APPROVAL:
                _alert(
                    order,
                    AlertType.APPROVAL_REQUIRED,
                    AlertLevel.WARNING,
                    f"Confirm the repeated order {transaction_type} {quantity} {instrument.tradingsymbol}: an "
                    "identical order was placed moments ago.",
                    actions=[AlertAction.APPROVE, AlertAction.REJECT],
                    expires_in=timedelta(minutes=5),
                )
            _push_order(order)
    except IntegrityError:
        if client_order_id:
            existing = _replay(user, client_order_id, payload_hash)
            if existing is not None:
                return existing
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


def _replay(user: AbstractBaseUser, client_order_id: str, payload_hash: str) -> Order | None:
    # (user, client_order_id) is unique: no ordering needed, and a miss (the usual case) reads no row.
    found = list(Order.objects.filter(user=user, client_order_id=client_order_id).order_by()[:1])
    if not found:
        return None
    existing = found[0]
    if existing.payload_hash != payload_hash:
        raise errors.IdempotencyKeyReused(
            f"The client order id {client_order_id!r} was already used for order #{existing.pk} with different "
            "contents. Use a new id for a new order.",
            details={"order_id": existing.pk},
        )
    existing.replayed = True
    return existing
