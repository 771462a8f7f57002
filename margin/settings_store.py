"""Buffer settings per account and strategy, and operations' regulatory factors (read side).

`buffer_policy(account, strategy_id)`: the product defaults (margin.buffers.BufferPolicy), overridden by the
account's MarginSettings, then by the strategy's: its `margin_buffer_pct` (seed 001's setting) unless its own
MarginSettings row sets `buffer_pct`. `regulatory_factors(underlyings, day)`: the RegulatoryMarginFactor rows in
force that day. MarginSettings rows and regulatory factors are cached in-process for CACHE_SECONDS (an admin change
takes effect within that); a strategy's margin_buffer_pct is read fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from .buffers import BufferPolicy

DEFAULT_POLICY = BufferPolicy()
CACHE_SECONDS = 30.0
_lock = threading.Lock()
_cache: dict[tuple, tuple[float, Any]] = {}


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _cached(key: tuple, load: Any) -> Any:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def _apply(policy: BufferPolicy, row: Any) -> BufferPolicy:
    if row is None:
        return policy
    last = policy.expiry_steps[-1][1]
    scale = Decimal(row.expiry_max_factor) / last if last else Decimal(1)
    steps = tuple((t, max(Decimal(1), (f * scale).quantize(Decimal("0.01")))) for t, f in policy.expiry_steps)
    policy = replace(
        policy,
        vix_enabled=row.vix_enabled,
        vix_max_factor=Decimal(row.vix_max_factor),
        expiry_enabled=row.expiry_enabled,
        expiry_steps=steps,
        move_enabled=row.move_enabled,
        move_max_factor=Decimal(row.move_max_factor),
        regulatory_enabled=row.regulatory_enabled,
    )
    if row.buffer_pct is not None:
        policy = replace(policy, buffer_pct=Decimal(row.buffer_pct))
    return policy


def _settings(account_id: int, strategy_id: int | None) -> dict[str, Any]:
    from .buffer_models import MarginSettings

    rows: dict[str, Any] = {}
    for r in MarginSettings.objects.filter(account_id=account_id):
        rows["a"] = r
    if strategy_id is not None:
        for r in MarginSettings.objects.filter(strategy_id=strategy_id, strategy__account_id=account_id):
            rows["s"] = r
    return rows


def _load(account_id: int, strategy_id: int | None) -> BufferPolicy:
    from portfolio.models import Strategy

    rows = _cached(("settings", account_id, strategy_id), lambda: _settings(account_id, strategy_id))
    policy = _apply(DEFAULT_POLICY, rows.get("a"))
    if strategy_id is not None:  # the strategy's own margin_buffer_pct is read fresh (it is edited by the API)
        pct = Strategy.objects.filter(pk=strategy_id, account_id=account_id).values_list("margin_buffer_pct", flat=True)
        pct = next(iter(pct), None)
        if pct is not None:
            policy = replace(policy, buffer_pct=Decimal(pct))
        policy = _apply(policy, rows.get("s"))
    return policy


def buffer_policy(account: Any, strategy_id: int | None = None) -> BufferPolicy:
    return _load(account.pk, strategy_id)


def _regulatory(day: date) -> dict[str, tuple[Decimal, str]]:
    from django.db.models import Q

    from .buffer_models import RegulatoryMarginFactor

    out: dict[str, tuple[Decimal, str]] = {}
    for r in RegulatoryMarginFactor.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day
    ):
        name = r.underlying.upper()
        if name not in out or r.factor > out[name][0]:
            out[name] = (Decimal(r.factor), r.reason)
    return out


def regulatory_factors(underlyings: Iterable[str], day: date) -> dict[str, tuple[Decimal, str]]:
    table = _cached(("regulatory", day), lambda: _regulatory(day))
    return {u: table[u.upper()] for u in underlyings if u.upper() in table}
