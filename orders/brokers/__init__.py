"""`broker_for(account)`: the Broker for a trading account (paper venue or Kite). Nothing else picks brokers.

Tests (and fault drills) can put a broker in front with `override_broker(account_id, broker)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from oms_project.lib.brokers import Broker

_overrides: dict[int, Broker] = {}


def broker_for(account: Any) -> Broker:
    if account.pk in _overrides:
        return _overrides[account.pk]
    if account.kind == "paper":
        from paper_venue.broker import PaperBroker

        return PaperBroker(account)
    from .kite import KiteBroker  # the only package that imports kiteconnect

    return KiteBroker(account)


@contextlib.contextmanager
def override_broker(account_id: int, broker: Broker) -> Iterator[Broker]:
    _overrides[account_id] = broker
    try:
        yield broker
    finally:
        _overrides.pop(account_id, None)
