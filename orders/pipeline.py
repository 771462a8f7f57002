"""The order core's pre-trade stages and the one declaration of the stage order.

The pipeline machinery is `oms_project.lib.pretrade` (so margin and risk register stages without
importing orders); this module owns what orders checks and where every app's stage runs:

    orders.replay          the idempotency key already made an order -> that order (or a refusal
                           when the key comes back with a different body)
    orders.validate        the exchange's and Kite's rules (pure orders.validation) + the slice plan
    orders.strategy        the strategy named belongs to the trader
    orders.near_duplicate  the same order moments ago -> refuse or park for approval (preference)
    margin.*, risk.*       (their apps register them)
    orders.execution       depth analysis and the wide-spread / high-impact guard (orders.execution)
    orders.rate_slot       a slot of the broker account's 10 orders/s, 400/min, 5,000/day (last: a refused
                           order takes none)

`build_context` resolves the account, the instrument and the user's preferences once, and
`normalise` turns the intent into the exact order (units, default market protection, the slicing
preference) before any stage sees it, so the preview and the placement judge the same order.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.selectors import account_resolve
from marketdata import calendar as md_calendar
from oms_project.lib import pretrade
from oms_project.lib.pretrade import PASS, OrderIntent, Outcome, PretradeContext, StageResult
from portfolio.models import Strategy

from . import errors, market, rate_limit, validation
from .domain import OrderRole, OrderType
from .models import Order, OrderPreferences

STAGE_ORDER = [
    "orders.replay",
    "orders.validate",
    "orders.strategy",
    "orders.near_duplicate",
    "margin.funds",
    "margin.utilisation",
    "risk.kill_switch",
    "risk.limits",
    "risk.monitor",
    "orders.execution",
    "housekeeping.broker_health",
    "orders.rate_slot",
]

EXIT_ROLES = (OrderRole.STOP_LOSS, OrderRole.TARGET, OrderRole.EXIT)


# --- context -------------------------------------------------------------------------------------
def build_context(intent: OrderIntent, *, user: Any = None, dry_run: bool, submit: bool = True) -> PretradeContext:
    """Resolve who, which account and which instrument (each refusal has its code), once per order."""
    if user is None or user.pk != intent.user_id:
        user = get_user_model().objects.get(pk=intent.user_id)
    account = account_resolve(user=user, account_id=intent.account_id)
    instrument = market.instrument_resolve(
        instrument_token=intent.instrument_token, exchange=intent.exchange, tradingsymbol=intent.tradingsymbol
    )
    ctx = PretradeContext(
        intent=intent, user=user, account=account, instrument=instrument, now=timezone.now(), dry_run=dry_run
    )
    ctx.scratch["submit"] = submit
    return ctx


def _load_quote(ctx: PretradeContext) -> Any:
    return market.quote(ctx.instrument, ctx.now)


def _load_preferences(ctx: PretradeContext) -> OrderPreferences:
    from .services._common import preferences_for

    return preferences_for(ctx.user)


def normalise(intent: OrderIntent, ctx: PretradeContext) -> OrderIntent:
    """The exact order the intent means: quantity in units, automatic market protection on MARKET and
    SL-M (Kite requires it since Apr 2026), the slicing choice resolved from the preference, the
    client order id trimmed."""
    changes: dict[str, Any] = {}
    if intent.quantity is None and intent.lots is not None:
        changes["quantity"] = int(intent.lots) * ctx.instrument.lot_size
    if intent.quantity is None and intent.lots is None:
        raise errors.InvalidQuantity("Give quantity (units) or lots.")
    if intent.order_type in (OrderType.MARKET, OrderType.SLM) and intent.market_protection is None:
        changes["market_protection"] = -1
    if intent.algo.auto_slice is None:
        # Only an order above the freeze limit can be sliced (validation.slice_plan), so the trader's slicing
        # preference is read only then: every other order is "not sliced" without the preferences query.
        quantity = changes.get("quantity", intent.quantity) or 0
        freeze = ctx.instrument.freeze_quantity
        auto = bool(ctx.preferences.auto_slice) if freeze and quantity > freeze else False
        changes["algo"] = replace(intent.algo, auto_slice=auto)
    client_order_id = (intent.client_order_id or "").strip() or None
    if client_order_id != intent.client_order_id:
        changes["client_order_id"] = client_order_id
    if intent.instrument_token != ctx.instrument.instrument_token:
        changes["instrument_token"] = ctx.instrument.instrument_token
    return intent.with_changes(**changes) if changes else intent


def order_fields(intent: OrderIntent) -> dict[str, Any]:
    """The fields that make two orders "the same order" for replay protection (hashed)."""
    b = intent.bracket
    return {
        "account_id": intent.account_id,
        "instrument_token": intent.instrument_token,
        "transaction_type": intent.transaction_type,
        "quantity": intent.quantity,
        "product": intent.product,
        "order_type": intent.order_type,
        "price": intent.price,
        "trigger_price": intent.trigger_price,
        "validity": intent.validity,
        "validity_ttl": intent.validity_ttl,
        "disclosed_quantity": intent.disclosed_quantity,
        "market_protection": intent.market_protection,
        "tag": intent.tag,
        "variety": intent.variety,
        "strategy_id": intent.strategy_id,
        "stop_loss": b.stop_loss,
        "target": b.target,
        "stop_loss_points": b.stop_loss_points,
        "target_points": b.target_points,
        "trailing_stop_points": b.trailing_stop_points,
        "auto_slice": bool(intent.algo.auto_slice),
    }


def payload_hash(intent: OrderIntent, ctx: PretradeContext) -> str:
    from .services._common import _payload_hash

    fields = order_fields(intent.with_changes(account_id=ctx.account.pk))
    return _payload_hash(fields)


# --- stages ----------------------------------------------------------------------------------------
def stage_replay(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if not intent.client_order_id:
        return PASS
    digest = payload_hash(intent, ctx)
    ctx.scratch["payload_hash"] = digest
    # (user, client_order_id) is unique: no ordering needed, and a miss (the usual case) reads no row. The probe
    # reads two columns (half the CPU of a full row); a replay, the rare case, then loads the order.
    found = list(
        Order.objects.filter(user_id=intent.user_id, client_order_id=intent.client_order_id)
        .order_by()
        .values_list("pk", "payload_hash")[:1]
    )
    if not found:
        return PASS
    pk, stored_hash = found[0]
    if stored_hash != digest:
        return StageResult.deny(
            errors.IdempotencyKeyReused(
                f"The client order id {intent.client_order_id!r} was already used for order #{pk} with "
                "different contents. Use a new id for a new order.",
                details={"order_id": pk},
            )
        )
    existing = Order.objects.get(pk=pk)
    return StageResult(
        Outcome.REPLAY,
        "REPLAYED",
        f"This client order id already placed order #{existing.pk}; that order is returned.",
        {"order_id": existing.pk},
        replay_of=existing,
    )


def draft_of(intent: OrderIntent) -> validation.OrderDraft:
    b = intent.bracket
    return validation.OrderDraft(
        transaction_type=intent.transaction_type,
        quantity=intent.quantity or 0,
        product=intent.product,
        order_type=intent.order_type,
        validity=intent.validity,
        price=intent.price,
        trigger_price=intent.trigger_price,
        validity_ttl=intent.validity_ttl,
        disclosed_quantity=intent.disclosed_quantity or 0,
        market_protection=intent.market_protection,
        tag=intent.tag,
        stop_loss=b.stop_loss,
        target=b.target,
        stop_loss_points=b.stop_loss_points,
        target_points=b.target_points,
        trailing_stop_points=b.trailing_stop_points,
    )


def stage_validate(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    facts = market.facts(ctx.instrument, ctx.quote)
    if intent.role in EXIT_ROLES:
        facts = replace(facts, last_price=None)  # exits may sit anywhere relative to a moving market
    draft = draft_of(intent)
    if intent.variety == "iceberg" and intent.iceberg_quantity:
        # Kite's iceberg: each leg is one exchange order, so the freeze limit applies to a leg (orders.kite_iceberg).
        draft = replace(draft, quantity=min(draft.quantity, intent.iceberg_quantity))
    validation.validate(
        draft,
        facts,
        today=timezone.localdate(ctx.now),
        amo=intent.variety == "amo",
        market_open=market.market_open(ctx.instrument, ctx.now, simulated=ctx.account.is_paper),
    )
    _check_session_rules(intent, ctx, facts)
    slices = validation.slice_plan(draft.quantity, facts, slice_requested=bool(intent.algo.auto_slice))
    if intent.variety == "iceberg" and intent.iceberg_quantity:
        slices = [intent.quantity or 0]  # Kite works the legs: one order
    if len(slices) > 1:
        return StageResult(
            Outcome.AMEND,
            "SLICED",
            f"Split into {len(slices)} orders at the exchange's freeze limit of {facts.freeze_quantity}.",
            {"slices": slices, "freeze_quantity": facts.freeze_quantity},
            amendments={"slices": slices},
        )
    return PASS


def _check_session_rules(intent: OrderIntent, ctx: PretradeContext, facts: validation.InstrumentFacts) -> None:
    """The AMO window and the MIS cut-off, judged on the real exchange clock (docs/exchange-rules.md). An AMO
    is judged so on every venue, paper in "any time" mode included (an AMO is asked for by name). The MIS
    cut-off applies wherever the venue follows the exchange's hours (Kite; paper with SIM_TRADE_ANY_TIME
    off): in "any time" mode the paper venue keeps its own round-the-clock session."""
    exchange = ctx.instrument.exchange
    at = timezone.localtime(ctx.now, md_calendar.IST)
    trading_day = md_calendar.is_trading_day(exchange, at.date())
    session_open = md_calendar.session_state(exchange, ctx.now) == md_calendar.SessionState.OPEN
    validation.check_amo_window(
        amo=intent.variety == "amo",
        at=at,
        trading_day=trading_day,
        session_open=session_open,
        exchange=exchange,
        order_type=intent.order_type,
        instrument_type=ctx.instrument.instrument_type,
    )
    any_time = ctx.account.is_paper and settings.SIM_TRADE_ANY_TIME
    if intent.product == "MIS" and session_open and intent.variety != "amo" and not any_time:
        _, close = md_calendar.session_bounds(at.date())
        validation.check_mis_cutoff(
            draft_of(intent), facts, at=at, trading_day=trading_day, close=close.time(),
            is_exit=_reduces_position(intent, ctx),
        )


def _reduces_position(intent: OrderIntent, ctx: PretradeContext) -> bool:
    """An exit: a bracket/exit leg, or an order against an open MIS position of at most its size."""
    if intent.role in EXIT_ROLES:
        return True
    qty = sum(
        int(p.quantity)
        for p in ctx.load("positions")
        if p.instrument_token == ctx.instrument.instrument_token and p.product == intent.product
    )
    if (qty > 0 and intent.transaction_type == "SELL") or (qty < 0 and intent.transaction_type == "BUY"):
        return (intent.quantity or 0) <= abs(qty)
    return False


def stage_strategy(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if intent.strategy_id is None:
        return PASS
    strategy = Strategy.objects.filter(pk=intent.strategy_id, user_id=intent.user_id).first()
    if strategy is None:
        raise errors.StrategyNotFound()
    ctx.scratch["strategy"] = strategy
    return PASS


def stage_near_duplicate(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if intent.client_order_id or intent.confirm_duplicate or intent.role != OrderRole.ENTRY or intent.parent_id:
        return PASS
    prefs = ctx.preferences
    window = timedelta(seconds=float(prefs.duplicate_window_seconds))
    recent = (
        Order.objects.filter(
            account=ctx.account,
            instrument_token=ctx.instrument.instrument_token,
            transaction_type=intent.transaction_type,
            quantity=intent.quantity,
            parent__isnull=True,
            created_at__gte=ctx.now - window,
        )
        .exclude(status__in=["REJECTED"])
        .only("pk", "created_at")
        .first()
    )
    if recent is None:
        return PASS
    ago = (ctx.now - recent.created_at).total_seconds()
    details = {"duplicate_of": recent.pk, "window_seconds": float(prefs.duplicate_window_seconds)}
    if prefs.duplicate_action == OrderPreferences.DuplicateAction.REFUSE:
        raise errors.DuplicateOrder(
            f"You placed the same order (#{recent.pk}: {intent.transaction_type} {intent.quantity} "
            f"{ctx.instrument.tradingsymbol}) {ago:.1f} s ago. Send it again with confirm_duplicate=true if you "
            "mean it.",
            details=details,
        )
    return StageResult(
        Outcome.PARK,
        "DUPLICATE_NEEDS_APPROVAL",
        f"The same order (#{recent.pk}) was placed {ago:.1f} s ago: this one waits for your confirmation.",
        details,
        alert={
            "message": f"Confirm the repeated order {intent.transaction_type} {intent.quantity} "
            f"{ctx.instrument.tradingsymbol}: an identical order was placed moments ago.",
            "reason": "near-duplicate: waiting for confirmation",
        },
    )


def stage_rate_slot(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    """Placement takes a slot (waiting up to a second, else ORDER_RATE_LIMITED, nothing stored); the
    preview only looks. Parked orders and legs created unsent take their slot when they go out."""
    if ctx.parked is not None or not ctx.scratch.get("submit", True):
        return PASS
    slices = len(ctx.amendments.get("slices") or [1])  # every slice is an order at the broker
    if ctx.dry_run:
        caps = rate_limit.caps_left(ctx.account.pk)
        if caps["day"] < slices:
            return StageResult.deny(
                errors.OrderDailyLimitReached(
                    f"This broker account has placed {rate_limit.orders_per_day()} orders today, the broker's "
                    "daily maximum.",
                    details={"limit_per_day": rate_limit.orders_per_day()},
                )
            )
        if caps["minute"] < slices:
            return StageResult.deny(
                errors.OrderRateLimited(
                    f"This broker account already sent {rate_limit.orders_per_minute()} orders this minute "
                    "(the broker's limit).",
                    details={"limit_per_minute": rate_limit.orders_per_minute()},
                )
            )
        free = rate_limit.slots_left(ctx.account.pk)
        if free <= 0:
            return StageResult(
                Outcome.PASS,
                "RATE_SLOT_BUSY",
                "This broker account has used this second's orders; placing now waits up to a second.",
                {"slots_left": 0},
            )
        return PASS
    rate_limit.acquire(ctx.account.pk, new_order=True, orders=slices)
    return PASS


def register() -> None:
    """Called by OrdersConfig.ready()."""
    pretrade.declare_stage_order(STAGE_ORDER)
    pretrade.register_context_loader("quote", _load_quote)
    pretrade.register_context_loader("preferences", _load_preferences)
    pretrade.register_stage("orders.replay", stage_replay)
    pretrade.register_stage("orders.validate", stage_validate)
    pretrade.register_stage("orders.strategy", stage_strategy)
    pretrade.register_stage("orders.near_duplicate", stage_near_duplicate)
    pretrade.register_stage("orders.rate_slot", stage_rate_slot)
    from . import execution

    execution.register()
