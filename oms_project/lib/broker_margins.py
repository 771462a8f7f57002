"""The broker's own margin calculator as lower apps may ask it, without importing the order core.

`margin` sits below `orders` (which owns `broker_for`), yet a Kite account's margin should be compared with
Kite's. The order core registers two providers in `OrdersConfig.ready()`; margin calls
`basket_margins(account, orders)` (Kite's /margins/basket) or `order_margins(account, orders)` (Kite's
/margins/orders: one answer per order) with Kite-shaped order dicts and gets Kite's answer, or None (a paper
account, no provider, or the broker failed: the caller logs it and carries on with its own figure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[..., Any]
_provider: list[Provider] = []


def register_provider(provider: Provider) -> None:
    _provider[:] = [provider]


def basket_margins(account: Any, orders: list[dict[str, Any]], *, consider_positions: bool = True) -> Any:
    if not _provider:
        return None
    return _provider[0](account, orders, consider_positions=consider_positions)


_orders_provider: list[Provider] = []


def register_orders_provider(provider: Provider) -> None:
    _orders_provider[:] = [provider]


def order_margins(account: Any, orders: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    if not _orders_provider:
        return None
    return _orders_provider[0](account, orders)
