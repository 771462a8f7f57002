"""What the margin and costs API answers (read-only): Kite-shaped margins, the seeds' cost summary.

Thin glue over `selectors.order_margin` (margin) and `selectors.order_charges` (charges), shared by the
API views, the SDK's endpoints and the ticket. Shapes:

- `kite_margins(...)`: Kite's basket answer `{initial, final, orders[], charges}`, each figure with
  span, exposure, option_premium, additional, var, total (and per order its charges), plus our
  `buffer`, `required`, `available`, `remaining`, `can_execute`, `source`.
- `costs(...)`: `{orders: [{..., charges: {order_value, brokerage, stt, exchange_charges, sebi_charges,
  stamp_duty, gst, total_charges}}], total: {...}, margin: {required, available, remaining, can_execute},
  warnings: [...]}` (seed 001's summary, per order and in total).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import calc, charges, selectors
from .selectors import MarginOrder, OrderMargin

ZERO = Decimal(0)
CHARGE_FIELDS = (
    "order_value",
    "brokerage",
    "stt",
    "exchange_charges",
    "sebi_charges",
    "stamp_duty",
    "gst",
    "total_charges",
)


@dataclass(frozen=True, slots=True)
class PricedOrder:
    order: MarginOrder
    price: Decimal  # the order's price, else the market's


def _instrument_type(inst: Any) -> str:
    return inst.instrument_type if inst.instrument_type in ("FUT", "CE", "PE") else "EQ"


def charges_of(order: MarginOrder, price: Decimal, day: date) -> charges.ChargeBreakdown:
    """Kite-style charges of the order as if executed at `price` on `day` (the rates of that day)."""
    inst = order.instrument
    return selectors.order_charges(
        charges.ChargeInput.from_kite(
            exchange=inst.exchange,
            instrument_type=_instrument_type(inst),
            transaction_type=order.transaction_type,
            quantity=order.quantity,
            average_price=price,
            product=order.product,
            order_type=order.order_type,
            trade_date=day,
            underlying=inst.name or "",
        )
    )


def seed_charges(b: charges.ChargeBreakdown | None) -> dict[str, Decimal]:
    """The seeds' names for a breakdown (stt = STT or CTT)."""
    if b is None:
        return dict.fromkeys(CHARGE_FIELDS, ZERO)
    return {
        "order_value": b.order_value,
        "brokerage": b.brokerage,
        "stt": b.transaction_tax,
        "exchange_charges": b.exchange_turnover_charge,
        "sebi_charges": b.sebi_turnover_charge,
        "stamp_duty": b.stamp_duty,
        "gst": b.gst.total,
        "total_charges": b.total,
    }


def add_seed(rows: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
    out = dict.fromkeys(CHARGE_FIELDS, ZERO)
    for r in rows:
        for k in CHARGE_FIELDS:
            out[k] += r[k]
    return out


def kite_charges(b: charges.ChargeBreakdown) -> dict[str, Any]:
    return b.as_kite_charges()


def _figures(f: calc.Figures) -> dict[str, Any]:
    return {**f.as_dict(), "bo": ZERO, "cash": ZERO}


def warnings_of(om: OrderMargin) -> list[str]:
    out = []
    if not om.can_execute:
        out.append(
            f"Insufficient margin: ₹{om.required:,.2f} required, ₹{max(om.available or ZERO, ZERO):,.2f} available "
            f"(short by ₹{om.shortfall:,.2f})."
        )
    pct = om.after.utilisation_pct
    if pct is not None and om.risk_increasing and pct >= 90:
        out.append(f"Margin utilisation would be {pct}% (EXTREME): orders that add margin are refused.")
    elif pct is not None and om.risk_increasing and pct >= 80:
        out.append(f"Margin utilisation would be {pct}% (HIGH).")
    for name, _factor, reason in om.buffer_factors:
        if name == "expiry_day":
            out.append("Expiry day margin in effect (OMS buffer).")
        elif name == "vix":
            out.append(f"High volatility: {reason} (OMS buffer).")
        elif name == "price_move":
            out.append(f"Large move: {reason} (OMS buffer).")
        elif name == "regulatory":
            out.append(f"Regulatory margin: {reason}.")
    if om.before.funds is None:
        out.append("The broker checks this account's funds: available margin is the broker's.")
    return out


def margin_block(om: OrderMargin) -> dict[str, Any]:
    return {
        "required": om.required,
        "exchange_required": om.exchange_required,
        "buffer": om.buffer,
        "buffer_factors": [{"name": n, "factor": f, "reason": r} for n, f, r in om.buffer_factors],
        "available": om.available,
        "remaining": om.remaining,
        "can_execute": om.can_execute,
    }


def kite_margins(
    account: Any,
    orders: Sequence[MarginOrder],
    *,
    consider_positions: bool = True,
    strategy_id: int | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Kite's basket answer (initial = each order alone summed, final = together and, when
    `consider_positions`, against the account's positions and working orders)."""
    at = at or timezone.now()
    om = selectors.order_margin(account, orders, strategy_id=strategy_id, consider_positions=consider_positions, at=at)
    day = timezone.localdate(at)
    legs = []
    breakdowns = []
    for leg in om.orders:
        b = charges_of(leg.order, leg.price, day)
        breakdowns.append(b)
        inst = leg.order.instrument
        legs.append(
            {
                "type": "equity",
                "exchange": inst.exchange,
                "tradingsymbol": inst.tradingsymbol,
                "instrument_token": inst.instrument_token,
                "transaction_type": leg.order.transaction_type,
                "quantity": leg.order.quantity,
                "price": leg.price,
                **_figures(leg.figures),
                "charges": kite_charges(b),
            }
        )
    final = om.final if consider_positions else om.basket
    total_charges = _sum_kite(breakdowns)
    return {
        "initial": {**_figures(om.initial), "charges": total_charges},
        "final": {**_figures(final), "charges": total_charges},
        "orders": legs,
        "charges": total_charges,
        **margin_block(om),
        "source": om.after.source,
        "broker": None
        if account.is_paper
        else compare_with_broker(account, orders, final, legs, consider_positions, om),
    }


def _kite_order(order: MarginOrder, price: Decimal) -> dict[str, Any]:
    inst = order.instrument
    body: dict[str, Any] = {
        "exchange": inst.exchange,
        "tradingsymbol": inst.tradingsymbol,
        "transaction_type": order.transaction_type,
        "variety": "regular",
        "product": order.product,
        "order_type": order.order_type,
        "quantity": order.quantity,
        "price": float(order.price) if order.price is not None else 0,
    }
    if order.trigger_price is not None:
        body["trigger_price"] = float(order.trigger_price)
    return body


def compare_with_broker(
    account: Any,
    orders: Sequence[MarginOrder],
    final: calc.Figures,
    legs: list[dict[str, Any]],
    consider_positions: bool,
    om: OrderMargin,
) -> dict[str, Any] | None:
    """Ask Kite's basket calculator for the same orders; log both figures and keep the difference as an accuracy
    metric (margin_comparison). None when the broker cannot answer (the trader still gets our figure)."""
    from oms_project.lib import broker_margins

    answer = broker_margins.basket_margins(
        account,
        [_kite_order(o, Decimal(leg["price"])) for o, leg in zip(orders, legs, strict=True)],
        consider_positions=consider_positions,
    )
    if not answer or "final" not in answer:
        return None
    broker_total, diff, accuracy = _record_comparison(
        account, "basket", len(orders), consider_positions, final, answer["final"], om.after.source
    )
    return {
        "final_total": broker_total,
        "initial_total": Decimal(str(answer.get("initial", {}).get("total", 0))),
        "difference": diff,
        "accuracy_pct": accuracy,
    }


def _accuracy(diff: Decimal, broker_total: Decimal) -> Decimal | None:
    """100 × (1 − |ours − broker| / |broker|), floored at 0; None when the broker's figure is 0."""
    if not broker_total:
        return None
    return max(ZERO, (100 * (1 - abs(diff) / abs(broker_total)))).quantize(Decimal("0.001"))


def _record_comparison(
    account: Any,
    endpoint: str,
    legs: int,
    consider_positions: bool,
    ours: calc.Figures,
    broker: dict[str, Any],
    source: str,
) -> tuple[Decimal, Decimal, Decimal | None]:
    """Log our figure next to the broker's and keep the difference (margin_comparison, the accuracy metric).
    Returns (broker total, ours − broker, accuracy %)."""
    import logging

    from .comparison_models import MarginComparison

    broker_total = Decimal(str(broker.get("total", 0))).quantize(Decimal("0.01"))
    diff = ours.total - broker_total
    accuracy = _accuracy(diff, broker_total)
    MarginComparison.objects.create(
        account=account,
        endpoint=endpoint,
        legs=legs,
        consider_positions=consider_positions,
        ours_total=ours.total,
        broker_total=broker_total,
        difference=diff,
        accuracy_pct=accuracy,
        source=source,
        detail={
            "ours": {k: str(v) for k, v in ours.as_dict().items()},
            "broker": {k: str(broker.get(k)) for k in ("span", "exposure", "option_premium", "total")},
        },
    )
    logging.getLogger("margin.accuracy").info(
        "margin account=%s endpoint=%s legs=%s ours=%s kite=%s diff=%s accuracy=%s%%",
        account.pk,
        endpoint,
        legs,
        ours.total,
        broker_total,
        diff,
        accuracy,
    )
    return broker_total, diff, accuracy


def compare_orders_with_broker(
    account: Any, orders: Sequence[MarginOrder], legs: list[dict[str, Any]], ours: Sequence[calc.Figures], source: str
) -> dict[str, Any] | None:
    """Ask Kite's /margins/orders for the same orders (each on its own, against the account's positions); put
    Kite's figure next to ours on each leg (`leg["broker"]`), log each pair and keep its difference
    (margin_comparison, endpoint "orders"). Returns the totals compared, or None when Kite cannot answer."""
    from oms_project.lib import broker_margins

    answer = broker_margins.order_margins(
        account, [_kite_order(o, Decimal(leg["price"])) for o, leg in zip(orders, legs, strict=True)]
    )
    if not answer or len(answer) != len(orders):
        return None
    broker_sum = ours_sum = ZERO
    for leg, mine, theirs in zip(legs, ours, answer, strict=True):
        broker_total, diff, accuracy = _record_comparison(account, "orders", 1, True, mine, theirs, source)
        leg["broker"] = {"total": broker_total, "difference": diff, "accuracy_pct": accuracy}
        broker_sum += broker_total
        ours_sum += mine.total
    return {
        "total": broker_sum,
        "difference": ours_sum - broker_sum,
        "accuracy_pct": _accuracy(ours_sum - broker_sum, broker_sum),
    }


def kite_order_margins(account: Any, orders: Sequence[MarginOrder], *, at: datetime | None = None) -> dict[str, Any]:
    """Kite's /margins/orders: each order margined on its own against the account's positions and working
    orders (no hedge between the orders given). A Kite account also asks Kite (`compare_orders_with_broker`):
    each order carries Kite's figure next to ours, and `broker` the totals (None for paper, or when Kite
    cannot answer)."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    legs = []
    initial = final = calc.Figures()
    breakdowns = []
    mines: list[calc.Figures] = []
    sources_seen: set[str] = set()
    required = ZERO
    for order in orders:
        om = selectors.order_margin(account, [order], at=at)
        leg = om.orders[0]
        b = charges_of(order, leg.price, day)
        breakdowns.append(b)
        # Kite shows a sold option without its premium credit and a bought one with its premium.
        mine = calc.Figures(
            om.final.span, om.final.exposure, leg.figures.option_premium, om.final.var, om.final.additional
        )
        initial = initial + leg.figures
        final = final + mine
        mines.append(mine)
        sources_seen.add(om.after.source)
        required += om.required
        legs.append(
            {
                "type": "equity",
                "exchange": order.instrument.exchange,
                "tradingsymbol": order.instrument.tradingsymbol,
                "instrument_token": order.instrument.instrument_token,
                "transaction_type": order.transaction_type,
                "quantity": order.quantity,
                "price": leg.price,
                **_figures(mine),
                "required": om.required,
                "charges": kite_charges(b),
                "broker": None,
            }
        )
    total_charges = _sum_kite(breakdowns)
    broker = None
    if not account.is_paper and orders:
        broker = compare_orders_with_broker(account, orders, legs, mines, "+".join(sorted(sources_seen))[:40])
    return {
        "initial": {**_figures(initial), "charges": total_charges},
        "final": {**_figures(final), "charges": total_charges},
        "orders": legs,
        "charges": total_charges,
        "required": required,
        "broker": broker,
    }


def _sum_kite(breakdowns: Sequence[charges.ChargeBreakdown]) -> dict[str, Any]:
    keys = ("transaction_tax", "exchange_turnover_charge", "sebi_turnover_charge", "brokerage", "stamp_duty")
    out: dict[str, Any] = dict.fromkeys(keys, ZERO)
    gst = {"igst": ZERO, "cgst": ZERO, "sgst": ZERO, "total": ZERO}
    types = {str(b.transaction_tax_type) for b in breakdowns}
    for b in breakdowns:
        k = b.as_kite_charges()
        for name in keys:
            out[name] += k[name]
        for name in gst:
            gst[name] += k["gst"][name]
    out["transaction_tax_type"] = types.pop() if len(types) == 1 else ""
    out["gst"] = gst
    out["total"] = sum((b.total for b in breakdowns), ZERO)
    return out


def costs(
    account: Any,
    orders: Sequence[MarginOrder],
    *,
    strategy_id: int | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The seeds' cost summary: each order's charges, their total, the margin of them together against the
    account's positions, and warnings."""
    at = at or timezone.now()
    om = selectors.order_margin(account, orders, strategy_id=strategy_id, at=at)
    day = timezone.localdate(at)
    rows = []
    for leg in om.orders:
        inst = leg.order.instrument
        rows.append(
            {
                "exchange": inst.exchange,
                "tradingsymbol": inst.tradingsymbol,
                "instrument_token": inst.instrument_token,
                "transaction_type": leg.order.transaction_type,
                "quantity": leg.order.quantity,
                "price": leg.price,
                "product": leg.order.product,
                "order_type": leg.order.order_type,
                "charges": seed_charges(charges_of(leg.order, leg.price, day)),
            }
        )
    return {
        "orders": rows,
        "total": add_seed(r["charges"] for r in rows),
        "margin": margin_block(om),
        "warnings": warnings_of(om),
    }


def strategy_costs(strategy: Any, orders: Sequence[MarginOrder], *, at: datetime | None = None) -> dict[str, Any]:
    """Entry cost (order value + charges, each order at its price) and the estimated exit cost (the reverse
    orders at the same prices: their charges, the value received back), with the entry's margin."""
    at = at or timezone.now()
    summary = costs(strategy.account, orders, strategy_id=strategy.pk, at=at)
    day = timezone.localdate(at)
    exits = []
    for row, order in zip(summary["orders"], orders, strict=True):
        reverse = MarginOrder(
            order.instrument,
            "SELL" if order.transaction_type == "BUY" else "BUY",
            order.quantity,
            row["price"],
            order.product,
            order.order_type,
        )
        exits.append(seed_charges(charges_of(reverse, row["price"], day)))
    entry, exit_ = summary["total"], add_seed(exits)
    return {
        "strategy_id": strategy.pk,
        "total_entry_cost": entry["order_value"] + entry["total_charges"],
        "total_exit_cost": exit_["order_value"] - exit_["total_charges"],
        "entry_charges": entry["total_charges"],
        "exit_charges": exit_["total_charges"],
        "breakdown": entry,
        "exit_breakdown": exit_,
        "orders": summary["orders"],
        "margin": summary["margin"],
        "warnings": summary["warnings"],
    }


def available_margin(account: Any, *, at: datetime | None = None) -> dict[str, Any]:
    m = selectors.account_margin(account, at=at)
    return {
        "account_id": account.pk,
        "available": m.available,
        "used": m.used,
        "total": m.funds,
        "utilisation_pct": m.utilisation_pct,
        "level": m.level,
        "span": m.span,
        "exposure": m.exposure,
        "option_premium": m.option_premium,
        "var": m.var,
        "additional": m.additional,
        "exchange_total": m.exchange_total,
        "buffer": m.buffer,
        "buffer_factors": [{"name": n, "factor": f, "reason": r} for n, f, r in m.buffer_factors],
        "positions": m.positions_count,
        "open_orders": m.open_orders_count,
        "source": m.source,
    }
