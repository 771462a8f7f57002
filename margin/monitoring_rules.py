"""When margin monitoring speaks up: pure rules over two snapshots (no Django; import-linter checks).

- MARGIN_CHANGE: the required margin (exchange + buffer) of the SAME open positions moved by more than
  `change_pct` (seeds 000: "Margin change alerts (>10% change)") since the previous snapshot. A fill
  changes the positions, so it resets the baseline instead of alerting: the trader caused that change.
- MARGIN_WARNING: utilisation reached `warning_pct` (seeds 000/001: 90%) from below; it re-arms only
  after utilisation fell back under `warning_pct - rearm_gap`, so a figure hovering at 90% does not
  alert every 5 minutes.
- Margin call: required margin above capital (a shortfall); the call stays open until a snapshot shows
  none.
Utilisation and its levels come from the engine (`margin.selectors.account_margin`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def positions_key(positions: Iterable[tuple[int, str, int]]) -> str:
    """A stable fingerprint of (instrument_token, product, signed quantity) of the open positions."""
    rows = sorted((int(t), str(p), int(q)) for t, p, q in positions if q)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32] if rows else ""


@dataclass(frozen=True, slots=True)
class Reading:
    """The figures of one snapshot the rules look at."""

    total_required: Decimal
    capital: Decimal
    utilisation_pct: Decimal
    positions_key: str

    @property
    def shortfall(self) -> Decimal:
        return max(self.total_required - self.capital, Decimal(0))


def change_pct(before: Decimal, after: Decimal) -> Decimal | None:
    """Signed change in percent of `before` (unrounded); None without a baseline (before == 0)."""
    if before <= 0:
        return None
    return (after - before) / before * HUNDRED


def margin_change(previous: Reading | None, current: Reading, *, threshold_pct: Decimal) -> Decimal | None:
    """The change to report as MARGIN_CHANGE (signed %, to 0.01), or None. Judged before rounding."""
    if previous is None or not current.positions_key or previous.positions_key != current.positions_key:
        return None
    moved = change_pct(previous.total_required, current.total_required)
    if moved is None or abs(moved) <= threshold_pct:
        return None
    return moved.quantize(CENT, ROUND_HALF_UP)


def warning_due(current: Reading, *, warning_pct: Decimal, last_marker_warned: bool | None) -> bool:
    """Whether to raise MARGIN_WARNING now.

    `last_marker_warned`: of the earlier snapshots that either warned or were under the re-arm line
    (`warning_pct - rearm_gap`), whether the newest one warned; None when there is none. So a first
    crossing warns, and a figure hovering around the line warns once until it has clearly come down.
    """
    if current.total_required <= 0 or current.utilisation_pct < warning_pct:
        return False
    return not last_marker_warned
