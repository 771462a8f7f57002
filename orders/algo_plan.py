"""Slice plans for parent executions (issue #11, started): pure, no Django.

`twap_plan` spreads an order over a duration: n slices in whole lots (sizes within ±size_jitter of an equal
share, the total exact), each sent at a time inside its own interval (jittered by ±time_jitter of the
interval around its middle), so the times never cross and the last slice is sent before the end. The same
seed gives the same plan, so a restart re-derives what was planned (and the slice table says what was sent).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlannedSlice:
    number: int  # 1-based
    offset_seconds: float  # from the start
    quantity: int  # units, whole lots


def _split_lots(lots: int, n: int, jitter: float, rng: random.Random) -> list[int]:
    base = lots / n
    sizes = [max(1, round(base * (1 + rng.uniform(-jitter, jitter)))) for _ in range(n)]
    # Bring the total back to `lots`, one lot at a time, on the slices furthest from the equal share, never
    # below one lot.
    while sum(sizes) > lots:
        i = max((k for k in range(n) if sizes[k] > 1), key=lambda k: sizes[k] - base)
        sizes[i] -= 1
    while sum(sizes) < lots:
        i = min(range(n), key=lambda k: sizes[k] - base)
        sizes[i] += 1
    return sizes


def twap_plan(
    *,
    quantity: int,
    lot_size: int,
    slices: int,
    duration_seconds: float,
    seed: int,
    size_jitter: float = 0.2,
    time_jitter: float = 0.3,
) -> list[PlannedSlice]:
    """The TWAP plan of `quantity` units. Fewer slices than asked when there are fewer lots than slices."""
    if lot_size <= 0 or quantity <= 0 or quantity % lot_size:
        raise ValueError("quantity must be a positive whole number of lots")
    if slices <= 0 or duration_seconds <= 0:
        raise ValueError("slices and duration must be positive")
    if not (0 <= size_jitter < 1 and 0 <= time_jitter < 1):
        raise ValueError("jitters are fractions in [0, 1)")
    lots = quantity // lot_size
    n = min(slices, lots)
    rng = random.Random(seed)
    sizes = _split_lots(lots, n, size_jitter, rng)
    interval = duration_seconds / n
    plan = []
    for k in range(n):
        middle = (k + 0.5) * interval
        offset = middle + rng.uniform(-time_jitter, time_jitter) * interval / 2
        plan.append(PlannedSlice(k + 1, round(offset, 3), sizes[k] * lot_size))
    return plan
