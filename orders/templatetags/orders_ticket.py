"""Ticket template tags: whether the trader wants MARKET orders confirmed (OrderPreferences)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def confirm_market_orders(user: Any) -> bool:
    from orders.models import OrderPreferences

    if not getattr(user, "is_authenticated", False):
        return True
    value = OrderPreferences.objects.filter(user=user).values_list("confirm_market_orders", flat=True).first()
    return True if value is None else bool(value)
