"""Imported SPAN files (NSE Clearing's `.spn`, or the simulated market's own daily file) as tables.

One `SpanFile` per import (its business date, settlement or intraday, where it came from), its
underlyings' definitions (`SpanCommodity`: spot, calendar spreads, short option minimum) and one
`SpanContract` per future/option with its 16 risk-array values (integers in 1/10,000 rupee, as
margin.span.types holds them). Only a file whose import finished (`complete`) is read by the engine
(margin/span_store.py). Written by `margin.span_import.import_span_file` (`manage.py import_span`).
"""

from __future__ import annotations

from django.db import models


class SpanFile(models.Model):
    class Source(models.TextChoices):
        NSE = "NSE", "NSE Clearing"
        SIM = "SIM", "Simulated market"

    business_date = models.DateField(null=True, blank=True, db_index=True)
    created = models.CharField(max_length=16, blank=True)  # the file's <created> YYYYMMDDHHmm
    is_settlement = models.BooleanField(default=False)
    file_format = models.CharField(max_length=8, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=3, choices=Source.choices, default=Source.NSE)
    contracts = models.PositiveIntegerField(default=0)
    underlyings = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    complete = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "-imported_at", "-id"]
        indexes = [models.Index(fields=["business_date", "complete"], name="margin_spanfile_day")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.business_date}, {self.contracts} contracts)"


class SpanCommodity(models.Model):
    """A `ccDef` and the underlying's `phy` price. `spreads`: [[priority, rate, method, [[period, side,
    ratio], [period, side, ratio]]], ...] as strings."""

    file = models.ForeignKey(SpanFile, on_delete=models.CASCADE, related_name="commodities")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=120, blank=True)
    som_rate = models.DecimalField(max_digits=16, decimal_places=6, default=0)
    spot = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    spreads = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "code"], name="margin_spancommodity_once")]

    def __str__(self) -> str:
        return self.code


class SpanContract(models.Model):
    file = models.ForeignKey(SpanFile, on_delete=models.CASCADE, related_name="+")
    underlying = models.CharField(max_length=32)
    kind = models.CharField(max_length=3)  # FUT, C, P (PHY rows are not stored: spot lives on the commodity)
    expiry = models.DateField(null=True, blank=True)
    strike = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    period = models.CharField(max_length=8, blank=True)
    contract_id = models.CharField(max_length=24, blank=True)
    price = models.DecimalField(max_digits=16, decimal_places=4)
    delta = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    volatility = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    price_scan = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    vol_scan = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    composite_delta = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    risk_array = models.CharField(max_length=320)  # 16 integers (1/10,000 rupee), comma-separated

    class Meta:
        indexes = [
            models.Index(fields=["file", "underlying", "expiry", "kind", "strike"], name="margin_spancontract_key")
        ]

    def __str__(self) -> str:
        return f"{self.underlying} {self.kind} {self.expiry} {self.strike or ''}".strip()
