"""PaperBroker: the `Broker` for a paper account, over the venue; venue changes flow into the order core."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders.brokers.base import BrokerOrder, BrokerTrade, VenueBroker

from .venue import Listener, PaperVenue


def account_ref(account: Any) -> str:
    return f"paper:{account.pk}"


def apply_to_order_core(account: Any) -> Listener:
    def listener(order: BrokerOrder, trades: list[BrokerTrade]) -> None:
        from orders import services  # the order core sits above the broker layer

        services.order_apply_broker_update(account=account, order=order, trades=trades, source="paper")

    return listener


class PaperBroker(VenueBroker):
    def __init__(self, account: Any, *, listener: Listener | None = None) -> None:
        self.account = account
        self.venue = PaperVenue(
            account_ref(account),
            capital=Decimal(account.paper_capital),
            on_update=listener or apply_to_order_core(account),
        )

