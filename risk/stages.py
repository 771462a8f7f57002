"""Risk's pre-trade stages (registered in RiskConfig.ready; placed by orders.pipeline.STAGE_ORDER).

    risk.kill_switch  an engaged kill switch (account, user or global) refuses every order that does not
                      reduce a position: KILL_SWITCH_ENGAGED. The preview reads the switch plainly; placement
                      also registers a commit guard that re-reads it with a share lock inside the transaction
                      that writes the order (risk.selectors.kill_switch_state_locked), so no order committed
                      after an engage returned can be a new risk.
    risk.limits       every enabled limit of risk/limits.py on the order's facts; placement refuses with the
                      first breach's own code, the preview lists every breach as a finding.
Both only read. The checks are pure (risk/limits.py); this module gathers their facts from the context.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from oms_project.lib.pretrade import PASS, OrderIntent, Outcome, PretradeContext, StageResult

from . import errors, limits, selectors

EXIT_ROLES = ("STOP_LOSS", "TARGET", "EXIT")


def _net_position(intent: OrderIntent, ctx: PretradeContext) -> int:
    token = ctx.instrument.instrument_token
    return sum(
        int(p.quantity) for p in ctx.load("positions") if p.instrument_token == token and p.product == intent.product
    )


def _reducing(intent: OrderIntent, ctx: PretradeContext) -> bool:
    pos = _net_position(intent, ctx)
    signed = (intent.quantity or 0) * (1 if intent.transaction_type == "BUY" else -1)
    return pos != 0 and (pos > 0) != (signed > 0) and (intent.quantity or 0) <= abs(pos)


# --- kill switch -----------------------------------------------------------------------------------------
def _refusal(switch: Any) -> errors.KillSwitchEngaged:
    since = timezone.localtime(switch.since).strftime("%H:%M:%S %d %b") if switch.since else "now"
    return errors.KillSwitchEngaged(
        f"The {switch.scope.lower()} kill switch is {switch.state} since {since} ({switch.reason or 'no reason'}): "
        "only orders that reduce a position are accepted until it is released.",
        details={"scope": switch.scope, "state": switch.state, "reason": switch.reason, "actor": switch.actor},
    )


def stage_kill_switch(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    reducing = _reducing(intent, ctx)
    if not ctx.dry_run:
        # The decisive read happens in the placement transaction, with the rows share-locked.
        account = ctx.account

        def guard() -> None:
            switch = selectors.kill_switch_state_locked(account)
            if switch is not None and not reducing:
                raise _refusal(switch)

        ctx.scratch.setdefault("commit_guards", []).append(guard)
        return PASS
    switch = selectors.engaged_switch(selectors.kill_switches_governing(ctx.account))
    if switch is None:
        return PASS
    if reducing:
        return StageResult(
            Outcome.PASS,
            "KILL_SWITCH_REDUCING_ONLY",
            f"The kill switch is {switch.state}: this order reduces a position, so it is accepted.",
            {"scope": switch.scope, "state": switch.state},
        )
    return StageResult.deny(_refusal(switch))


# --- limits --------------------------------------------------------------------------------------------------
_NEEDS_EQUITY = {"daily_loss", "drawdown", "risk_per_trade", "concentration"}
_NEEDS_ACTIVITY = {"orders_per_minute", "pending_orders", "fat_finger"}


def _kind(instrument: Any) -> str:
    t = instrument.instrument_type
    return "OPT" if t in ("CE", "PE") else ("FUT" if t == "FUT" else "EQ")


def _stop_and_target(intent: OrderIntent, ref: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    b = intent.bracket
    stop, target = b.stop_loss, b.target
    sign = 1 if intent.transaction_type == "BUY" else -1
    if stop is None and b.stop_loss_points is not None and ref is not None:
        stop = ref - sign * b.stop_loss_points
    if target is None and b.target_points is not None and ref is not None:
        target = ref + sign * b.target_points
    if stop is None and intent.order_type in ("SL", "SL-M") and intent.trigger_price is not None:
        stop = None  # a stop-entry's trigger is its entry, not a protective stop
    return stop, target


def _activity(ctx: PretradeContext) -> dict[str, Any]:
    try:
        return ctx.load("order_activity")
    except KeyError:  # the order core did not register it (tests of risk alone)
        return {"last_minute": 0, "pending_by_instrument": {}, "recent_values": []}


def facts_for(intent: OrderIntent, ctx: PretradeContext, resolved: limits.LimitSet) -> limits.OrderFacts:
    on = {k for k, v in resolved.items() if v.enabled}
    q = ctx.quote
    ltp = Decimal(q.last_price) if q is not None and q.last_price else None
    positions = ctx.load("positions")
    token = ctx.instrument.instrument_token
    position_qty = _net_position(intent, ctx)
    open_tokens = {p.instrument_token for p in positions if p.quantity}
    priced = intent.order_type in ("LIMIT", "SL") and intent.price
    ref = intent.price if priced else ltp
    stop, target = _stop_and_target(intent, ref)
    extra: dict[str, Any] = {}
    underlying = ctx.instrument.name or ""
    if on & _NEEDS_EQUITY:
        funds = ctx.load("funds")
        eq = selectors.equity_of(ctx.account, positions=positions, marks=ctx.load("risk.marks"), funds=funds)
        extra.update(capital=eq.capital, pnl_today=eq.pnl_today)
        if "drawdown" in on:
            extra["peak_equity"] = ctx.load("risk.account_day").peak_equity
        strategy = ctx.scratch.get("strategy")
        if strategy is not None and "daily_loss" in on:
            extra["strategy_pnl_today"] = _strategy_pnl(strategy, positions, ctx)
            extra["strategy_loss_pct"] = Decimal(strategy.max_loss_per_strategy_pct)
        if "concentration" in on:
            marks = ctx.load("risk.marks")
            extra["underlying_notional"] = sum(
                (
                    abs(Decimal(marks.get(p.instrument_token, p.last_price or p.average_price)) * p.quantity)
                    for p in positions
                    if p.quantity and _underlying_of(p, ctx) == underlying
                ),
                Decimal(0),
            )
    if on & _NEEDS_ACTIVITY:
        act = _activity(ctx)
        extra["orders_last_minute"] = act["last_minute"]
        extra["pending_in_instrument"] = act["pending_by_instrument"].get(token, 0)
        values = [Decimal(v) for v in act["recent_values"] if v]
        extra["usual_order_value"] = limits.median(values)
        extra["history_count"] = len(values)
    if "fno_ban" in on and _kind(ctx.instrument) != "EQ":
        extra["in_ban"] = ctx.load("risk.account_day").in_ban
    if "greeks" in on:
        from marketdata.models import Instrument

        tokens = {p.instrument_token for p in positions if p.quantity} | {token}
        by_token = {i.instrument_token: i for i in Instrument.objects.filter(instrument_token__in=tokens)}
        by_token[token] = ctx.instrument
        held: dict[int, int] = {}
        for p in positions:
            held[p.instrument_token] = held.get(p.instrument_token, 0) + int(p.quantity)
        legs = [(by_token[t], q) for t, q in held.items() if t in by_token]
        signed = int(intent.quantity or 0) * (1 if intent.transaction_type == "BUY" else -1)
        before = selectors.net_greeks_inr(legs, ctx.now, {token: ctx.quote})
        after_legs = [*legs, (ctx.instrument, signed)]
        after = selectors.net_greeks_inr(after_legs, ctx.now, {token: ctx.quote})
        extra.update(
            delta_inr_before=before[0], vega_inr_before=before[1], delta_inr_after=after[0], vega_inr_after=after[1]
        )
    if "margin_utilisation" in on:
        om = ctx.scratch.get("margin")
        if om is not None and om.after.utilisation_pct is not None and om.risk_increasing:
            extra["margin_utilisation_after"] = Decimal(om.after.utilisation_pct)
    return limits.OrderFacts(
        side=intent.transaction_type,
        quantity=int(intent.quantity or 0),
        product=intent.product,
        order_type=intent.order_type,
        price=intent.price if priced else None,
        ltp=ltp,
        band_low=getattr(q, "lower_circuit_limit", None) or None,
        band_high=getattr(q, "upper_circuit_limit", None) or None,
        instrument_kind=_kind(ctx.instrument),
        underlying=underlying,
        stop_loss=stop,
        target=target,
        position_quantity=position_qty,
        open_instruments=len(open_tokens),
        volume=getattr(q, "volume", None),
        oi=getattr(q, "oi", None),
        system=intent.actor == "system" or intent.actor.startswith("system:"),
        **extra,
    )


def _underlying_of(position: Any, ctx: PretradeContext) -> str:
    names = ctx.scratch.setdefault("risk.underlyings", {})
    if position.instrument_token not in names:
        from marketdata.models import Instrument

        names[position.instrument_token] = (
            Instrument.objects.filter(instrument_token=position.instrument_token).values_list("name", flat=True).first()
            or ""
        )
    return names[position.instrument_token]


def _strategy_pnl(strategy: Any, positions: list[Any], ctx: PretradeContext) -> Decimal:
    marks = ctx.load("risk.marks")
    mine = selectors.Position_today(ctx.account, strategy)
    realised = sum((Decimal(p.realized_pnl) for p in mine), Decimal(0))
    return realised + selectors.unrealised_of([p for p in positions if p.strategy_id == strategy.pk], marks)


def stage_limits(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if not settings.RISK_LIMITS_ENABLED:
        return PASS
    if intent.role in EXIT_ROLES or intent.parent_id:
        return PASS  # exits and legs the core makes for an order that already passed
    strategy = ctx.scratch.get("strategy")
    day = ctx.load("risk.account_day")
    resolved = selectors.limits_resolved(
        account_id=ctx.account.pk, strategy=strategy, overrides=(day.account_overrides, day.strategy_overrides)
    )
    facts = facts_for(intent, ctx, resolved)
    result = limits.evaluate(resolved, facts)
    if not result.breaches:
        if result.skipped_reducing:
            return StageResult(
                Outcome.PASS,
                "RISK_REDUCING",
                "This order reduces a position: the exposure limits pass it.",
                {"skipped": result.skipped_reducing},
            )
        return PASS
    first = result.first
    error = errors.BY_CODE[first.code](first.message, details={**first.details(), "breaches": len(result.breaches)})
    if ctx.dry_run and len(result.breaches) > 1:
        others = "; ".join(b.message for b in result.breaches[1:])
        error = errors.BY_CODE[first.code](
            f"{first.message} Also: {others}",
            details={**first.details(), "breaches": [dict(b.details(), code=b.code) for b in result.breaches]},
        )
    return StageResult.deny(error)


def _account_day(ctx: PretradeContext) -> selectors.AccountDayRead:
    """The account's risk state for today in one read, shared by risk.limits and risk.monitor."""
    strategy = ctx.scratch.get("strategy")  # orders.strategy checked it is the trader's
    return selectors.account_day_read(
        account_id=ctx.account.pk,
        strategy_id=strategy.pk if strategy is not None else None,
        day=timezone.localdate(ctx.now),
        underlying=ctx.instrument.name or "",
    )


def register() -> None:
    from oms_project.lib import pretrade

    pretrade.register_context_loader("risk.account_day", _account_day)
    pretrade.register_context_loader(
        "risk.marks", lambda ctx: selectors._marks(ctx.load("positions"), ctx.scratch.get("instruments"))
    )
    pretrade.register_stage("risk.kill_switch", stage_kill_switch)
    pretrade.register_stage("risk.limits", stage_limits)
