"""Portfolio vocabulary (pure: no Django): strategy presets and the kinds of ledger entries."""

from __future__ import annotations

from enum import StrEnum


class LedgerKind(StrEnum):
    """What moved an account's cash. Amounts are signed: + into the account, - out of it."""

    PAY_IN = "PAY_IN"
    PAY_OUT = "PAY_OUT"
    CHARGES = "CHARGES"
    REALISED_PNL = "REALISED_PNL"
    M2M_SETTLEMENT = "M2M_SETTLEMENT"
    ADJUSTMENT = "ADJUSTMENT"


# Strategy presets from the seed summary (/work/shared/seeds/001_*.txt "Configuration Examples").
STRATEGY_PRESETS: dict[str, dict[str, object]] = {
    "conservative": {
        "auto_cleanup_enabled": True,
        "cleanup_sl_on_exit": True,
        "cleanup_target_on_exit": True,
        "allow_orphaned_orders": False,
        "notify_on_orphan_detection": True,
        "max_order_spread_pct": "0.3",
        "min_liquidity_score": 70,
        "require_user_approval_high_impact": True,
        "max_market_impact_bps": 30,
        "margin_buffer_pct": "20.0",
        "max_loss_per_strategy_pct": "5.0",
        "auto_square_off_on_loss_limit": True,
    },
    "aggressive": {
        "auto_cleanup_enabled": False,
        "cleanup_sl_on_exit": True,
        "cleanup_target_on_exit": True,
        "allow_orphaned_orders": True,
        "notify_on_orphan_detection": True,
        "max_order_spread_pct": "1.0",
        "min_liquidity_score": 40,
        "require_user_approval_high_impact": False,
        "max_market_impact_bps": 50,
        "margin_buffer_pct": "5.0",
        "max_loss_per_strategy_pct": "15.0",
        "auto_square_off_on_loss_limit": False,
    },
}
