"""Moved to `portfolio.positions_math` (the portfolio app owns positions); this name stays for old imports."""

from portfolio.positions_math import PositionState, apply_fill, cash_flow_pnl, signed, unrealized  # noqa: F401

__all__ = ["PositionState", "apply_fill", "cash_flow_pnl", "signed", "unrealized"]
