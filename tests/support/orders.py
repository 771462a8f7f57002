"""Placing an order from a test the way every adapter does: flat Kite-named fields -> OrderIntent."""

from __future__ import annotations

from typing import Any

from oms_project.lib.pretrade import OrderIntent


def intent_for(user: Any, *, actor: str = "", **fields: Any) -> OrderIntent:
    return OrderIntent.from_fields(user_id=user.pk, actor=actor or f"user:{user.pk}", **fields)


def place_order(user: Any, *, submit: bool = True, **fields: Any) -> Any:
    from orders import services

    return services.order_place(intent_for(user, **fields), user=user, submit=submit)


def preview_order(user: Any, **fields: Any) -> dict[str, Any]:
    from orders import services

    return services.order_preview(intent_for(user, **fields), user=user)
