"""`{{ value|inr }}` / `{{ value|inr:0 }}`: Indian digit grouping (12,34,567.89), the same as the
live tables' `OMS.formatINR` in static/js/oms.js, so server-rendered and pushed cells look alike."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def inr(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return "–"
    digits = int(digits)
    fixed = f"{abs(number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)):f}"
    whole, _, fraction = fixed.partition(".")
    # Last three digits, then groups of two (lakh, crore).
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail])
    sign = "-" if number < 0 and any(c not in "0.," for c in fixed) else ""
    return f"{sign}{grouped}{'.' + fraction if fraction else ''}"
