"""The ticket's order confirmation (#10, seed 000 "Pre-Trade Confirmation"): what the order costs and the margin
it blocks, computed by the margin app's engine and charges (no rules here, no writes).

    Cost breakdown   order value, brokerage, STT (or CTT), other charges (exchange + SEBI + stamp duty + GST),
                     total charges, net cost (a BUY: value + charges; a SELL: net proceeds, value - charges)
    Margin required  SPAN, exposure, option premium, additional (VaR + Kite's additional), the OMS buffer with
                     its factors, total = what the order adds to what the account holds back
    Funds            available before the order, remaining after it, ✓ when it fits (or reduces risk)

One `margin.selectors.order_margin` call (against the account's positions and working orders, so a reducing
order shows no margin) and one charges computation at the order's price (LIMIT) or the market's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from margin import preview as margin_preview
from margin import selectors as margin_selectors

ZERO = Decimal(0)


def ticket_confirmation(
    *,
    account: Any,
    instrument: Any,
    transaction_type: str,
    quantity: int,
    price: Decimal | None,
    product: str,
    order_type: str,
    strategy_id: int | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    at = at or timezone.now()
    order = margin_selectors.MarginOrder(
        instrument, transaction_type, quantity, price if order_type in ("LIMIT", "SL") else None, product, order_type
    )
    om = margin_selectors.order_margin(account, [order], strategy_id=strategy_id, at=at)
    leg = om.orders[0]
    ch = margin_preview.seed_charges(margin_preview.charges_of(order, leg.price, timezone.localdate(at)))
    other = ch["exchange_charges"] + ch["sebi_charges"] + ch["stamp_duty"] + ch["gst"]
    buy = transaction_type == "BUY"
    final = om.final
    return {
        "price": leg.price,
        "priced_at_market": order.price is None,
        "transaction_type": transaction_type,
        "quantity": quantity,
        "order_value": ch["order_value"],
        "brokerage": ch["brokerage"],
        "stt": ch["stt"],
        "exchange_charges": ch["exchange_charges"],
        "sebi_charges": ch["sebi_charges"],
        "stamp_duty": ch["stamp_duty"],
        "gst": ch["gst"],
        "other_charges": other,
        "total_charges": ch["total_charges"],
        "net_label": "Net cost" if buy else "Net proceeds",
        "net_cost": ch["order_value"] + ch["total_charges"] if buy else ch["order_value"] - ch["total_charges"],
        "span": final.span,
        "exposure": final.exposure,
        "option_premium": final.option_premium,
        "additional": final.var + final.additional,
        "exchange_required": om.exchange_required,
        "buffer": om.buffer,
        "buffer_factors": [{"name": n, "factor": f, "reason": r} for n, f, r in om.buffer_factors],
        "total_margin": om.required,
        "funds_known": om.available is not None,
        "available": om.available,
        "remaining": om.remaining,
        "can_execute": om.can_execute,
        "shortfall": om.shortfall,
        "reduces": not om.risk_increasing,
        "utilisation_after": om.after.utilisation_pct,
        "warnings": margin_preview.warnings_of(om),
        "source": om.after.source,
    }
