"""The OMS buffer's settings per account and per strategy, and operations' regulatory factors.

`MarginSettings` rows override the product's BufferPolicy (margin/buffers.py): one row per account and/or one
per strategy (a strategy's row wins over its account's; a strategy's `margin_buffer_pct` applies unless its row
sets `buffer_pct`). `RegulatoryMarginFactor`: an additional margin announced for an underlying (e.g. an exchange
circular raising margins before an event), 1.0–2.0×, with its reason and dates, editable in admin.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def _factor(lo: str, hi: str) -> list:
    return [MinValueValidator(Decimal(lo)), MaxValueValidator(Decimal(hi))]


class MarginSettings(models.Model):
    account = models.OneToOneField(
        "accounts.TradingAccount", on_delete=models.CASCADE, null=True, blank=True, related_name="margin_settings"
    )
    strategy = models.OneToOneField(
        "portfolio.Strategy", on_delete=models.CASCADE, null=True, blank=True, related_name="margin_settings"
    )
    vix_enabled = models.BooleanField(default=True)
    vix_max_factor = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("2.0"), validators=_factor("1", "2")
    )
    expiry_enabled = models.BooleanField(default=True)
    expiry_max_factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("3.5"),
        validators=_factor("1", "3.5"),
        help_text="The expiry-day factor's last step (the steps before it scale with it).",
    )
    move_enabled = models.BooleanField(default=True)
    move_max_factor = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.6"), validators=_factor("1", "1.6")
    )
    regulatory_enabled = models.BooleanField(default=True)
    buffer_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_factor("0", "500"),
        help_text="margin_buffer_pct; empty: the strategy's own margin_buffer_pct (accounts: 0).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "margin settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False) | Q(strategy__isnull=False), name="margin_settings_has_owner"
            )
        ]

    def __str__(self) -> str:
        owner = f"strategy #{self.strategy_id}" if self.strategy_id else f"account #{self.account_id}"
        return f"margin settings of {owner}"

    def clean(self) -> None:
        if self.account_id is None and self.strategy_id is None:
            raise ValidationError("Settings belong to an account or a strategy.")


class RegulatoryMarginFactor(models.Model):
    underlying = models.CharField(max_length=32, help_text="As in the instrument master's name, e.g. NIFTY.")
    factor = models.DecimalField(max_digits=4, decimal_places=2, validators=_factor("1", "2"))
    reason = models.CharField(max_length=200, help_text='Shown to the trader, e.g. "NSE circular: election results".')
    source = models.CharField(max_length=300, blank=True, help_text="The circular or notice.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Inclusive; empty: until removed.")

    class Meta:
        ordering = ["underlying", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.underlying} x{self.factor} from {self.effective_from}"
