"""The house number/time filters: `{% load oms_format %}`, then

    {{ order_value|inr }}          ₹1,23,450.50          {{ volume|num:0 }}      2,96,79,540
    {{ ltp|price:tick_size }}      25,999.40             {{ pnl|pnl }}           +₹1,234.50
    {{ pnl|pnl_class }}            pos / neg / ""        {{ chg|pct }}           +1.25%
    {{ qty|lots:lot_size }}        130 (2 lots)          {{ net_qty|side_qty }}  SELL 65
    {{ created_at|ist }}           01 Dec 14:03:22 IST   {{ level|article }}     an urgent

All are thin wrappers over `oms_project.lib.formatting`, which the browser's `OMS.fmt`
(static/js/format.js) mirrors case for case.
"""

from __future__ import annotations

from typing import Any

from django import template

from oms_project.lib import formatting as f

register = template.Library()


@register.filter
def inr(value: Any, digits: int = 2) -> str:
    return f.inr(value, digits)


@register.filter
def num(value: Any, digits: int = 2) -> str:
    return f.number(value, digits)


@register.filter
def price(value: Any, tick: Any = None) -> str:
    return f.price(value, tick)


@register.filter
def pnl(value: Any, digits: int = 2) -> str:
    return f.pnl(value, digits)


@register.filter
def pnl_class(value: Any) -> str:
    return f.pnl_class(value)


@register.filter
def pct(value: Any, digits: int = 2) -> str:
    return f.pct(value, digits)


@register.filter
def lots(quantity: Any, lot_size: Any = None) -> str:
    return f.lots(quantity, lot_size)


@register.filter
def lot_count(quantity: Any, lot_size: Any = None) -> str:
    return f.lot_count(quantity, lot_size)


@register.filter
def side_qty(quantity: Any) -> str:
    return f.side_qty(quantity)


@register.filter
def ist(value: Any, fmt: str = "%d %b %H:%M:%S") -> str:
    return f.ist(value, fmt)


@register.filter
def article(word: Any) -> str:
    return f.article(word)


@register.filter
def tick_digits(tick: Any) -> int:
    return f.tick_digits(tick)


@register.filter
def label(value: Any) -> str:
    """An enum value as words: 'PENDING_APPROVAL' -> 'PENDING APPROVAL'."""
    return str(value or "").replace("_", " ")
