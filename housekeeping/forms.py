"""The strategy settings form (every setting of seed 001) and the job filter."""

from __future__ import annotations

from django import forms

from portfolio.models import Strategy

SETTINGS_FIELDS = [
    "auto_cleanup_enabled", "cleanup_sl_on_exit", "cleanup_target_on_exit", "allow_orphaned_orders",
    "notify_on_orphan_detection", "max_order_spread_pct", "min_liquidity_score", "require_user_approval_high_impact",
    "max_market_impact_bps", "margin_buffer_pct", "max_loss_per_strategy_pct", "auto_square_off_on_loss_limit",
]  # fmt: skip


class StrategySettingsForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = SETTINGS_FIELDS
