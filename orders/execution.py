"""Execution advice (issue #11): the `orders.execution` pre-trade stage and the analysis every order keeps.

The math is `marketdata.depth_analysis` (pure); this module turns an order and its context into that
module's inputs (the book the paper venue fills against: `orders.market.quote`, the same source), applies the
strategy's limits and decides what the guard does. docs/execution.md describes the rules:

    not a MARKET entry (LIMIT, SL, exits, slices)   analysed and stored, never guarded
    TIGHT / NORMAL within the limits                 pass
    WIDE (and nothing worse)                         sent as LIMIT at the recommended price (an amendment)
                                                     + a WIDE_SPREAD alert
    VERY_WIDE, impact > max_market_impact_bps,       API key callers: refused (WIDE_SPREAD / HIGH_IMPACT, with
    liquidity < min_liquidity_score                  spread_pct, spread_abs, estimated_slippage, impact_bps,
                                                     recommended_limit_price); the ticket: parked for approval
                                                     (a WIDE_SPREAD / HIGH_IMPACT alert with Cancel / Use LIMIT /
                                                     Proceed anyway) when the strategy requires approval
                                                     (`require_user_approval_high_impact`, and always without a
                                                     strategy), else sent with that alert
    `execution_override=true`                        the trader has seen it: sent as asked (recorded)

Limits: a strategy's `max_order_spread_pct`, `min_liquidity_score`, `max_market_impact_bps` and
`require_user_approval_high_impact` (portfolio.Strategy) replace the defaults of `DepthThresholds`
(max impact 50 bps [QR §2], VERY_WIDE above 1.0 % [QR §2 table], ILLIQUID below 20 (ours)).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from marketdata import depth_analysis as da
from marketdata.types import DepthLevel
from oms_project.lib.pretrade import OrderIntent, Outcome, PretradeContext, StageResult

from . import errors
from .domain import OrderRole, OrderType

STAGE = "orders.execution"
GUARDED_ROLES = (OrderRole.ENTRY, OrderRole.ALGO)  # ALGO: a TWAP / iceberg child (orders.services.algos)


@dataclass(frozen=True, slots=True)
class Guard:
    kind: str  # "NONE", "WIDE", "WIDE_SPREAD", "HIGH_IMPACT"
    reason: str = ""


def thresholds_for(strategy: Any | None) -> da.DepthThresholds:
    """The analysis limits under a strategy's settings (or the defaults without one)."""
    if strategy is None:
        return da.DEFAULT_THRESHOLDS
    return da.DEFAULT_THRESHOLDS.for_strategy(
        max_order_spread_pct=strategy.max_order_spread_pct,
        min_liquidity_score=strategy.min_liquidity_score,
        max_market_impact_bps=strategy.max_market_impact_bps,
        require_user_approval_high_impact=strategy.require_user_approval_high_impact,
    )


def guard_of(a: da.DepthAnalysis, t: da.DepthThresholds) -> Guard:
    """What the guard makes of an analysis (pure): the first matching rule of the module docstring."""
    if a.spread_category is None or a.walk.filled_quantity == 0:
        return Guard("HIGH_IMPACT", "there is no two-sided book to trade against")
    if a.spread_category is da.SpreadCategory.VERY_WIDE:
        return Guard("WIDE_SPREAD", f"the spread is {a.spread_pct}% of the mid (above {t.wide_spread_pct_max}%)")
    if a.impact_bps is not None and a.impact_bps > t.max_impact_bps:
        return Guard("HIGH_IMPACT", f"the estimated impact is {a.impact_bps} bps (limit {t.max_impact_bps} bps)")
    if a.liquidity_score < t.min_liquidity_score:
        return Guard("HIGH_IMPACT", f"the liquidity score is {a.liquidity_score} (minimum {t.min_liquidity_score})")
    if a.spread_category is da.SpreadCategory.WIDE:
        return Guard("WIDE", f"the spread is {a.spread_pct}% of the mid (wide: above {t.normal_spread_pct_max}%)")
    return Guard("NONE")


def recommended_limit(a: da.DepthAnalysis, tick_size: Decimal) -> Decimal | None:
    """The LIMIT price the advice suggests: the recommendation's own price, else the mid on the tick grid
    rounded in the order's favour (inside the spread)."""
    places = tick_size.normalize()  # the column stores 0.0500: show 100.05, not 100.0500
    if a.recommendation.limit_price is not None:
        return a.recommendation.limit_price.quantize(places)  # on the grid already
    if a.mid is None:
        return None
    return da.to_tick(a.mid, tick_size, up=a.side == "SELL").quantize(places)


RECOMMENDATION_LABELS = {
    da.ExecutionAction.EXECUTE_MARKET: "Market order",
    da.ExecutionAction.EXECUTE_LIMIT: "Limit order",
    da.ExecutionAction.TWAP: "Split over time (TWAP)",
    da.ExecutionAction.ICEBERG: "Hide the size (iceberg)",
    da.ExecutionAction.ALERT_USER_HIGH_COST: "Limit order: high cost",
    da.ExecutionAction.REQUIRE_APPROVAL: "Needs your approval",
}


@dataclass
class Advice:
    """What the stage worked out, kept on the context (`ctx.scratch["execution"]`) for placement to store."""

    analysis: da.DepthAnalysis | None
    thresholds: da.DepthThresholds
    guard: Guard
    guarded: bool  # a MARKET entry (the guard applies)
    action: str  # OrderExecutionAnalysis.Action
    recommended_limit_price: Decimal | None
    position_size: da.PositionSizeRecommendation | None
    order_type: str  # as asked
    alert: dict[str, Any] | None = None  # a non-parking alert placement raises with the order

    def as_json(self) -> dict[str, Any]:
        a = self.analysis
        out: dict[str, Any] = {
            "guard": self.guard.kind,
            "guard_reason": self.guard.reason,
            "guarded": self.guarded,
            "action": self.action,
            "thresholds": thresholds_json(self.thresholds),
        }
        if a is None:
            return out
        out.update(
            side=a.side,
            quantity=a.quantity,
            best_bid=a.best_bid,
            best_ask=a.best_ask,
            mid=a.mid,
            spread_abs=a.spread,
            spread_pct=a.spread_pct,
            spread_category=str(a.spread_category) if a.spread_category else None,
            expected_price=a.walk.vwap,
            impact_bps=a.impact_bps,
            estimated_slippage=a.slippage,
            levels_consumed=a.walk.levels_consumed,
            worst_price=a.walk.worst_price,
            visible_quantity=a.walk.visible_quantity,
            book_shortfall=a.walk.book_shortfall,
            fillable_at_limit=a.fillable_at_limit,
            liquidity_score=a.liquidity_score,
            liquidity_band=str(a.liquidity_band),
            recommendation=str(a.recommendation.action),
            recommendation_label=RECOMMENDATION_LABELS[a.recommendation.action],
            recommendation_reason=a.recommendation.reason,
            recommended_limit_price=self.recommended_limit_price,
            recommended_slice_quantity=a.recommendation.slice_quantity,
            recommended_quantity=self.position_size.quantity if self.position_size else None,
            recommended_lots=self.position_size.lots if self.position_size else None,
            recommended_quantity_limited_by=self.position_size.limited_by if self.position_size else "",
        )
        return out


def thresholds_json(t: da.DepthThresholds) -> dict[str, Any]:
    d = asdict(t)
    return {
        "max_order_spread_pct": d["wide_spread_pct_max"],
        "wide_spread_pct": d["normal_spread_pct_max"],
        "max_market_impact_bps": d["max_impact_bps"],
        "min_liquidity_score": d["min_liquidity_score"],
        "require_user_approval_high_impact": d["require_approval_high_impact"],
    }


def _nonzero(value: Any) -> int | None:
    # A quote's volume/OI of 0 means "not known yet" here (start of day, cash equity without OI): the
    # score then drops that input instead of scoring it 0 (depth_analysis: missing inputs are rescaled).
    return int(value) if value else None


def analyse(
    instrument: Any,
    quote: Any,
    *,
    side: str,
    quantity: int,
    limit_price: Decimal | None = None,
    strategy: Any | None = None,
    thresholds: da.DepthThresholds | None = None,
) -> tuple[da.DepthAnalysis | None, da.DepthThresholds, da.PositionSizeRecommendation | None]:
    """The depth analysis of an order on `quote` (None without a quote), its limits and the position size."""
    t = thresholds or thresholds_for(strategy)
    if quote is None or quantity <= 0:
        return None, t, None
    tick = Decimal(instrument.tick_size)
    lot = max(int(instrument.lot_size or 1), 1)
    a = da.analyse_depth(
        quote,
        da.OrderIntent(side=side, quantity=quantity, limit_price=limit_price),  # type: ignore[arg-type]
        tick_size=tick,
        lot_size=lot,
        volume=_nonzero(quote.volume),
        open_interest=_nonzero(quote.oi),
        thresholds=t,
    )
    size = da.recommend_position_size(
        quote,
        side,  # type: ignore[arg-type]
        lot_size=lot,
        impact_budget_bps=t.max_impact_bps,
        max_quantity=None,
    )
    return a, t, size


def venue_quote(account: Any, instrument: Any, quote: Any, side: str, at: Any) -> Any:
    """The quote as the venue will fill it: for a paper account, the opposite side without the depth earlier
    paper fills used up and the book has not yet given back (paper_venue.book: one market for every paper
    account), so the analysis and the fill walk the same levels. Kite accounts: the quote as it is."""
    if quote is None or not getattr(account, "is_paper", False):
        return quote
    from dataclasses import replace

    from paper_venue import book
    from paper_venue.models import PaperVenueBook

    buy = side == "BUY"
    row = (
        PaperVenueBook.objects.filter(
            instrument_token=instrument.instrument_token,
            side=PaperVenueBook.Side.ASK if buy else PaperVenueBook.Side.BID,
        )
        .only("consumed", "as_of")
        .first()
    )
    if row is None or not row.consumed:
        return quote
    depth = quote.sell_depth if buy else quote.buy_depth
    levels = book.as_levels(depth)
    consumed = book.replenished(
        row.consumed,
        elapsed_seconds=max(0.0, (at - row.as_of).total_seconds()),
        displayed_quantity=book.displayed(levels),
        lot=int(instrument.lot_size or 1),
    )
    if not consumed:
        return quote
    orders_at = {lv.price: lv.orders for lv in depth}
    left = tuple(DepthLevel(p, q, orders_at.get(p, 1)) for p, q in book.after_consumption(levels, consumed))
    return replace(quote, sell_depth=left) if buy else replace(quote, buy_depth=left)


def advise(intent: OrderIntent, ctx: PretradeContext) -> Advice:
    """The advice for the order as the context has it (cached on the context: the stage and placement share it)."""
    cached = ctx.scratch.get("execution")
    if cached is not None:
        return cached
    strategy = ctx.scratch.get("strategy")
    limit = intent.price if intent.order_type in (OrderType.LIMIT, OrderType.SL) else None
    guarded = intent.order_type == OrderType.MARKET and intent.role in GUARDED_ROLES and not intent.parent_id
    # The venue's used-up depth costs one read: taken where the walk decides something (a guarded MARKET
    # order, every preview); a resting order's stored walk is then of the displayed book.
    quote = (
        venue_quote(ctx.account, ctx.instrument, ctx.quote, intent.transaction_type, ctx.now)
        if guarded or ctx.dry_run
        else ctx.quote
    )
    a, t, size = analyse(
        ctx.instrument,
        quote,
        side=intent.transaction_type,
        quantity=int(intent.quantity or 0),
        limit_price=limit,
        strategy=strategy,
    )
    if a is None:
        advice = Advice(None, t, Guard("NONE"), guarded, "NO_BOOK", None, None, intent.order_type)
    else:
        g = guard_of(a, t)
        advice = Advice(
            a,
            t,
            g,
            guarded,
            "PASSED" if guarded else "NOT_GUARDED",
            recommended_limit(a, Decimal(ctx.instrument.tick_size)),
            size,
            intent.order_type,
        )
    ctx.scratch["execution"] = advice
    return advice


def _wire(value: Any) -> Any:
    """Decimals as strings (the API's money format) all the way down: error details are not serialized by a
    serializer, and JSON numbers would lose the exact value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def _refusal(advice: Advice, ctx: PretradeContext) -> errors.DomainError:
    details = _wire(advice.as_json())
    symbol = ctx.instrument.tradingsymbol
    price = advice.recommended_limit_price
    tail = f" Send a LIMIT order (e.g. at {price}) or set execution_override=true to send it anyway."
    if advice.guard.kind == "WIDE_SPREAD":
        return errors.WideSpread(f"{symbol}: {advice.guard.reason}.{tail}", details=details)
    return errors.HighImpact(f"{symbol}: {advice.guard.reason}.{tail}", details=details)


def _alert_text(advice: Advice, ctx: PretradeContext, intent: OrderIntent) -> str:
    a = advice.analysis
    what = f"{intent.transaction_type} {intent.quantity} {ctx.instrument.tradingsymbol}"
    if a is None:
        return what
    bits = [f"Spread is {a.spread_pct}% (₹{a.spread})" if a.spread is not None else "No two-sided book"]
    if a.slippage is not None:
        bits.append(f"Estimated slippage: ₹{a.slippage}")
    if a.impact_bps is not None:
        bits.append(f"Impact: {a.impact_bps} bps")
    return f"{what}: " + ". ".join(bits) + "."


def stage_execution(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    """The `orders.execution` stage: analyse, then guard MARKET entries (module docstring)."""
    advice = advise(intent, ctx)
    details = advice.as_json()
    if ctx.dry_run and advice.analysis is not None:
        # The preview shows the instrument's recent median slippage next to the estimate (one query;
        # placement skips it).
        from .slippage import recent_median_bps

        details["recent_slippage"] = recent_median_bps(
            user_id=ctx.user.pk, instrument_token=ctx.instrument.instrument_token
        )
    if advice.analysis is None:
        return StageResult(Outcome.PASS, "EXECUTION_NO_BOOK", "No quote to analyse the order against.", details)
    a = advice.analysis
    summary = (
        f"{a.spread_category or 'no'} spread {a.spread_pct if a.spread_pct is not None else '–'}%, impact "
        f"{a.impact_bps if a.impact_bps is not None else '–'} bps, liquidity {a.liquidity_score}/100: "
        f"{str(a.recommendation.action).replace('_', ' ').lower()}."
    )
    kind = advice.guard.kind
    if not advice.guarded or kind == "NONE":
        return StageResult(Outcome.PASS, "EXECUTION_ANALYSED", summary.capitalize(), details)
    if intent.execution_override:
        advice.action = "OVERRIDDEN"
        details["action"] = advice.action
        return StageResult(
            Outcome.PASS, "EXECUTION_OVERRIDDEN", f"Sent as asked (override): {advice.guard.reason}.", details
        )
    price = advice.recommended_limit_price
    if kind == "WIDE":
        if price is None:  # cannot happen with a two-sided book; be safe
            return StageResult(Outcome.PASS, "EXECUTION_ANALYSED", summary.capitalize(), details)
        advice.action = "CONVERTED_TO_LIMIT"
        advice.alert = {
            "type": "WIDE_SPREAD",
            "level": "WARNING",
            "message": f"{_alert_text(advice, ctx, intent)} Sent as LIMIT at {price} instead of MARKET.",
        }
        details["action"] = advice.action
        return StageResult(
            Outcome.AMEND,
            "EXECUTION_LIMIT",
            f"Wide spread ({a.spread_pct}%): sent as a LIMIT order at {price} instead of MARKET.",
            details,
            amendments={"order_changes": {"order_type": OrderType.LIMIT, "price": price, "market_protection": None}},
        )
    # WIDE_SPREAD / HIGH_IMPACT
    if intent.actor.startswith(("api_key:", "algo:")):  # an algorithm's child waits and is tried again
        return StageResult.deny(_refusal(advice, ctx))
    if advice.thresholds.require_approval_high_impact or ctx.scratch.get("strategy") is None:
        advice.action = "PARKED"
        details["action"] = advice.action
        return StageResult(
            Outcome.PARK,
            kind,
            f"{advice.guard.reason.capitalize()}: this order waits for your decision.",
            details,
            alert={
                "type": kind,
                "level": "WARNING",
                "title": "Wide bid-ask spread detected" if kind == "WIDE_SPREAD" else "High market impact",
                "message": _alert_text(advice, ctx, intent),
                "reason": f"execution guard: {advice.guard.reason}",
                "actions": ["Cancel", "Use LIMIT", "Proceed anyway"],
                "payload": {k: details.get(k) for k in _ALERT_FIELDS},
            },
        )
    advice.action = "ALERTED"
    details["action"] = advice.action
    advice.alert = {"type": kind, "level": "WARNING", "message": _alert_text(advice, ctx, intent)}
    return StageResult(
        Outcome.PASS, f"{kind}_ALLOWED", f"{advice.guard.reason.capitalize()}: sent (the strategy allows it).", details
    )


_ALERT_FIELDS = (
    "spread_pct",
    "spread_abs",
    "estimated_slippage",
    "impact_bps",
    "recommended_limit_price",
    "spread_category",
    "liquidity_score",
)


def analyse_order(intent: OrderIntent, *, user: Any = None) -> dict[str, Any]:
    """The analysis behind `POST /api/v1/orders/analyze-execution/` (and validate-spread, estimate-impact):
    the order resolved and normalised exactly as placement would (account, instrument, units, strategy), the
    book placement would see, what the guard would do, and the instrument's recent median slippage. Writes
    nothing. Refusals of the context (unknown instrument, account, strategy) raise as placement would."""
    from . import pipeline, slippage

    ctx = pipeline.build_context(intent, user=user, dry_run=True)
    intent = pipeline.normalise(intent, ctx)
    ctx.intent = intent
    pipeline.stage_strategy(intent, ctx)
    result = stage_execution(intent, ctx)
    advice = ctx.scratch["execution"]
    out = advice.as_json()
    out.update(
        instrument_token=ctx.instrument.instrument_token,
        exchange=ctx.instrument.exchange,
        tradingsymbol=ctx.instrument.tradingsymbol,
        order_type=intent.order_type,
        side=intent.transaction_type,
        quantity=intent.quantity,
        lot_size=ctx.instrument.lot_size,
        tick_size=Decimal(ctx.instrument.tick_size),
        outcome=str(result.outcome),
        code=result.code,
        message=result.message,
        recent_slippage=slippage.recent_median_bps(
            user_id=ctx.user.pk, instrument_token=ctx.instrument.instrument_token
        ),
    )
    g = advice.guard.kind
    out["spread_ok"] = g not in ("WIDE", "WIDE_SPREAD") if advice.analysis else None
    out["impact_ok"] = g != "HIGH_IMPACT" if advice.analysis else None
    return out


def register() -> None:
    from oms_project.lib import pretrade

    pretrade.register_stage(STAGE, stage_execution)
