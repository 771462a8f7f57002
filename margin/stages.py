"""Margin's pre-trade stages (registered in MarginConfig.ready; placed by orders.pipeline.STAGE_ORDER).

    margin.funds        order_margin against the account's positions and working orders: refuses
                        INSUFFICIENT_MARGIN (details required, available, shortfall) when what the OMS
                        would hold back after the order exceeds the account's funds and the order adds
                        to it; an order that only reduces (or the closing part of a reversal) passes.
    margin.utilisation  refuses MARGIN_UTILISATION_EXTREME when the order adds margin and utilisation
                        after it is EXTREME (≥ 90%); orders that reduce risk always pass.
Both run in the preview (dry run) and in placement alike: they only read. Broker (Kite) accounts, whose
funds the OMS does not hold, pass with a finding saying the broker checks funds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oms_project.lib.pretrade import PASS, OrderIntent, Outcome, PretradeContext, StageResult

from . import errors, selectors

EXTREME_PCT = Decimal(90)


def _money(x: Decimal | None) -> str | None:
    return None if x is None else str(x.quantize(Decimal("0.01")))


def _order_margin(intent: OrderIntent, ctx: PretradeContext) -> selectors.OrderMargin | None:
    if "margin" in ctx.scratch:
        return ctx.scratch["margin"]
    if not intent.quantity:
        return None
    priced = intent.order_type in ("LIMIT", "SL")
    order = selectors.MarginOrder(
        instrument=ctx.instrument,
        transaction_type=intent.transaction_type,
        quantity=int(intent.quantity),
        price=intent.price if priced and intent.price else None,
        product=intent.product,
        order_type=intent.order_type,
        trigger_price=intent.trigger_price,
    )
    om = selectors.order_margin(
        ctx.account,
        [order],
        strategy_id=intent.strategy_id,
        at=ctx.now,
        positions=ctx.load("positions"),  # the context's loaders: read once per run, shared with risk
        funds=ctx.load("funds") if ctx.account.is_paper else None,
        instruments=ctx.scratch.setdefault("instruments", {}),  # risk's marks reuse the rows read here
    )
    ctx.scratch["margin"] = om
    return om


def details_of(om: selectors.OrderMargin) -> dict[str, Any]:
    return {
        "required": _money(om.required),
        "exchange_required": _money(om.exchange_required),
        "buffer": _money(om.buffer),
        "buffer_factors": [[n, str(f), r] for n, f, r in om.buffer_factors],
        "available": _money(om.available),
        "remaining": _money(om.remaining),
        "shortfall": _money(om.shortfall),
        "total_blocked_after": _money(om.after.total_blocked),
        "utilisation_pct_after": None if om.after.utilisation_pct is None else str(om.after.utilisation_pct),
        "risk_increasing": om.risk_increasing,
        "source": om.after.source,
    }


def stage_funds(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    om = _order_margin(intent, ctx)
    if om is None:
        return PASS
    details = details_of(om)
    if om.before.funds is None:
        return StageResult(Outcome.PASS, "MARGIN_BROKER_CHECKS", "The broker checks this account's funds.", details)
    if not om.can_execute:
        raise errors.InsufficientMargin(
            f"This order needs ₹{om.required:,.2f} of margin (exchange ₹{om.exchange_required:,.2f} + buffer "
            f"₹{om.buffer:,.2f}) but ₹{max(om.available or 0, Decimal(0)):,.2f} is available: "
            f"₹{om.shortfall:,.2f} short. Add funds or reduce the order.",
            details=details,
        )
    return StageResult(
        Outcome.PASS, "MARGIN_OK", f"Margin ₹{om.required:,.2f} of ₹{om.available:,.2f} available.", details
    )


def stage_utilisation(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    om = _order_margin(intent, ctx)
    if om is None or om.after.utilisation_pct is None or not om.risk_increasing:
        return PASS
    pct = om.after.utilisation_pct
    if pct >= EXTREME_PCT:
        raise errors.MarginUtilisationExtreme(
            f"Margin utilisation would be {pct}% (EXTREME, ≥ {EXTREME_PCT}%): orders that add margin are refused "
            "until it comes down. Orders that reduce your positions still go.",
            details={**details_of(om), "utilisation_pct": str(pct), "level": om.after.level},
        )
    return PASS


def register() -> None:
    from oms_project.lib import pretrade

    pretrade.register_stage("margin.funds", stage_funds)
    pretrade.register_stage("margin.utilisation", stage_utilisation)
