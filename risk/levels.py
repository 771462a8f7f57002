"""Risk levels of the strategy risk dashboard (issue #12). Pure: no Django.

The seeds' levels (000, "Key Concepts · Risk Levels", of margin utilisation): LOW < 70 % ≤ MEDIUM < 80 % ≤ HIGH
< 90 % ≤ EXTREME ("stop new orders"); margin.selectors.utilisation_level names the account's utilisation with the
same bands. The dashboard applies them to how much of each limit is used (loss cap, Greeks, open positions) and to
margin utilisation itself: a card's level is its worst; a strategy or account the monitor set REDUCING is EXTREME."""

from __future__ import annotations

from decimal import Decimal

LOW, MEDIUM, HIGH, EXTREME = "LOW", "MEDIUM", "HIGH", "EXTREME"
LEVELS = (LOW, MEDIUM, HIGH, EXTREME)
BANDS = ((Decimal(90), EXTREME), (Decimal(80), HIGH), (Decimal(70), MEDIUM))  # floor of each, % of the limit


def level_of(used_pct: Decimal | None) -> str:
    """The level of a limit `used_pct` % used (None: nothing to judge, LOW)."""
    if used_pct is None:
        return LOW
    for floor, name in BANDS:
        if used_pct >= floor:
            return name
    return LOW


def used_pct(value: Decimal | None, limit: Decimal | None) -> Decimal | None:
    """|value| as a % of a positive limit (None when either is missing or the limit is not positive)."""
    if value is None or limit is None or limit <= 0:
        return None
    return (abs(Decimal(value)) * 100 / Decimal(limit)).quantize(Decimal("0.1"))


def worst(levels: list[str]) -> str:
    return max(levels, key=LEVELS.index, default=LOW)
