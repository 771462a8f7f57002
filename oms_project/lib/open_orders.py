"""Working orders as lower apps may read them, without importing the order core.

`margin` sits below `orders`, yet an account's blocked margin depends on its working orders. The
order core registers one provider in `OrdersConfig.ready()` (`register_provider`); margin (and
risk, funds monitoring) call `open_orders_for(account_id)`. Without a provider (an app test
without orders) the answer is empty. Plain Python, no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """The unfilled part of one working order (entries and slices; bracket exits are not margined)."""

    order_id: int
    instrument_token: int
    exchange: str
    tradingsymbol: str
    transaction_type: str  # BUY / SELL
    quantity: int  # unfilled units
    product: str
    order_type: str
    price: Decimal | None
    trigger_price: Decimal | None
    strategy_id: int | None = None
    tag: str = ""  # the tag sent to the broker (a venue excludes the order it is judging)


Provider = Callable[[int], list[OpenOrder]]
_provider: list[Provider] = []


def register_provider(provider: Provider) -> None:
    """Called once by the order core; registering again replaces the provider."""
    _provider[:] = [provider]


def open_orders_for(account_id: int) -> list[OpenOrder]:
    """The account's working orders' unfilled parts (empty when no provider is registered)."""
    if not _provider:
        return []
    return list(_provider[0](account_id))
