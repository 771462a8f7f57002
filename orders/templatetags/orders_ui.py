"""The details a confirmation modal shows (static/js/modal.js reads them from `data-confirm`):
`{{ order|cancel_confirm }}`, `{{ position|exit_confirm }}`. Values are formatted by the house filters;
the exit's estimated P&L is marked live, so the modal shows it at the LTP of the moment it opens."""

from __future__ import annotations

import json
from typing import Any

from django import template

from oms_project.lib import formatting as f

register = template.Library()


def _side_class(side: str) -> str:
    return "pos" if side == "BUY" else "neg"


@register.filter
def cancel_confirm(order: Any) -> str:
    tick = getattr(order, "tick_size", None)
    lot = getattr(order, "lot_size", None)
    rows = [
        ["Instrument", f"{order.exchange}:{order.tradingsymbol}"],
        ["Side", order.transaction_type, _side_class(order.transaction_type)],
        ["Quantity", f.lots(order.quantity, lot)],
        ["Price", f"{order.order_type}" + (f" @ {f.price(order.price, tick)}" if order.price else "")
         + (f", trigger {f.price(order.trigger_price, tick)}" if order.trigger_price else "")],
    ]
    if order.filled_quantity:
        rows.append(["Already filled", f"{f.lots(order.filled_quantity, lot)} @ {f.price(order.average_price, tick)}"])
    pending = order.pending_quantity or (order.quantity - (order.filled_quantity or 0))
    rows.append(["Cancels", f.lots(pending, lot)])
    return json.dumps({
        "title": f"Cancel order #{order.pk}?",
        "rows": rows,
        "note": "Only the unfilled quantity is cancelled; fills already made stay in your positions.",
        "confirm": "Cancel order",
        "cancel": "Keep order",
        "tone": "danger",
        "testid": "cancel-confirm",
    }, ensure_ascii=False)


@register.filter
def exit_confirm(position: Any) -> str:
    qty = position.quantity
    exit_side = "SELL" if qty > 0 else "BUY"
    held = "BUY" if qty > 0 else "SELL"
    tick = getattr(position, "tick_size", None)
    lot = getattr(position, "lot_size", None)
    ltp = position.last_price
    estimate = getattr(position, "total_pnl", None)
    return json.dumps({
        "title": f"Exit {position.exchange}:{position.tradingsymbol}?",
        "rows": [
            ["Instrument", f"{position.exchange}:{position.tradingsymbol} · {position.product}"],
            ["Position", f"{held} {f.lots(abs(qty), lot)}", _side_class(held)],
            ["Exit order", f"{exit_side} {f.lots(abs(qty), lot)} at market", _side_class(exit_side)],
            ["Average", f.price(position.average_price, tick)],
            ["LTP", f.price(ltp, tick)],
            ["Estimated P&L", f.pnl(estimate), f.pnl_class(estimate)],
        ],
        "live": {"ltp": "LTP", "pnl": "Estimated P&L"},
        "note": "A MARKET order closes the whole position; the fill price may differ from the LTP.",
        "confirm": f"{exit_side} {f.number(abs(qty), 0)} at market",
        "cancel": "Keep position",
        "tone": "danger",
        "testid": "exit-confirm",
    }, ensure_ascii=False)


@register.filter
def field_label(form: Any, name: str) -> str:
    """A form field's label for an error sentence ('Price', 'Trigger price'); '' for form-wide errors."""
    field = form.fields.get(name) if hasattr(form, "fields") else None
    if field is None:
        return ""
    return str(field.label or name.replace("_", " ")).capitalize()
