"""Charge rates as data: one sourced row per rate and period, edited by operations in Django admin.

The formulas live in the pure `margin.charges`; `margin.selectors.charge_schedule_on` turns the
rows in force on a date into a `charges.ChargeSchedule`. Seeded from margin/data/charge_rates.json.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from . import charges


class ChargeRate(models.Model):
    """One rate (brokerage, STT/CTT, exchange, SEBI, stamp duty or GST) for one exchange and segment."""

    class Component(models.TextChoices):
        BROKERAGE = charges.Component.BROKERAGE.value, "Brokerage"
        TRANSACTION_TAX = charges.Component.TRANSACTION_TAX.value, "STT / CTT"
        EXCHANGE_CHARGE = (
            charges.Component.EXCHANGE_CHARGE.value,
            "Exchange transaction charge (all-in, NSE incl. IPFT)",
        )
        SEBI_FEE = charges.Component.SEBI_FEE.value, "SEBI turnover fee"
        STAMP_DUTY = charges.Component.STAMP_DUTY.value, "Stamp duty"
        GST = charges.Component.GST.value, "GST"

    class Exchange(models.TextChoices):
        NSE = charges.Exchange.NSE.value, "NSE (NSE cash, NFO)"
        BSE = charges.Exchange.BSE.value, "BSE (BSE cash, BFO)"
        MCX = charges.Exchange.MCX.value, "MCX"

    class Segment(models.TextChoices):
        EQUITY_CASH = charges.Segment.EQUITY_CASH.value, "Equity cash"
        EQUITY_FUTURES = charges.Segment.EQUITY_FUTURES.value, "Equity & index futures"
        EQUITY_OPTIONS = charges.Segment.EQUITY_OPTIONS.value, "Equity & index options"
        COMMODITY_FUTURES = charges.Segment.COMMODITY_FUTURES.value, "Commodity futures"
        COMMODITY_OPTIONS = charges.Segment.COMMODITY_OPTIONS.value, "Commodity options"

    class Product(models.TextChoices):
        ANY = "", "Every product"
        CNC = charges.Product.CNC.value, "CNC (delivery)"
        MIS = charges.Product.MIS.value, "MIS (intraday)"
        NRML = charges.Product.NRML.value, "NRML (carry forward)"

    class Side(models.TextChoices):
        ANY = charges.RateSide.ANY.value, "Buy and sell"
        BUY = charges.RateSide.BUY.value, "Buy"
        SELL = charges.RateSide.SELL.value, "Sell"
        EXERCISE = charges.RateSide.EXERCISE.value, "Exercise of a long ITM option (STT on intrinsic value)"

    class TaxType(models.TextChoices):
        NONE = "", "—"
        STT = charges.TransactionTaxType.STT.value, "STT"
        CTT = charges.TransactionTaxType.CTT.value, "CTT"

    component = models.CharField("charge", max_length=20, choices=Component.choices)
    exchange = models.CharField("exchange", max_length=3, choices=Exchange.choices)
    segment = models.CharField("segment", max_length=20, choices=Segment.choices)
    product = models.CharField(
        "product",
        max_length=4,
        choices=Product.choices,
        blank=True,
        default="",
        help_text="Blank: the rate applies to every product of the segment.",
    )
    side = models.CharField(
        "side",
        max_length=8,
        choices=Side.choices,
        blank=True,
        default="",
        help_text="Blank: buy and sell alike (never exercise).",
    )
    underlying = models.CharField(
        "underlying",
        max_length=32,
        blank=True,
        default="",
        help_text="Exchange charges only, e.g. SENSEX on BSE options. Blank: every underlying without its own row.",
    )
    rate_percent = models.DecimalField(
        "rate (%)",
        max_digits=12,
        decimal_places=7,
        default=0,
        help_text="Percent of the order value (options: of the premium). GST: percent of brokerage + exchange + "
        "SEBI. Brokerage: the percentage part, limited by the cap. Example: 0.03553 means 0.03553%.",
    )
    flat_inr = models.DecimalField(
        "flat brokerage per order (₹)",
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="Brokerage only: a fixed amount per executed order (options: 20).",
    )
    cap_inr = models.DecimalField(
        "brokerage cap per order (₹)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Brokerage only: the percentage part never exceeds this (futures, intraday: 20). Blank: no cap.",
    )
    tax_type = models.CharField(
        "tax type",
        max_length=3,
        choices=TaxType.choices,
        blank=True,
        default="",
        help_text="STT/CTT rows only: which tax Kite reports (stt or ctt).",
    )
    effective_from = models.DateField("effective from", help_text="First trade date the rate applies to.")
    effective_to = models.DateField(
        "effective to",
        null=True,
        blank=True,
        help_text="Last trade date the rate applies to (inclusive). Blank: until further notice.",
    )
    source = models.TextField(
        "source", help_text="Where the number comes from: circular, notification or reference-data.md section."
    )
    ref = models.CharField(
        "data file reference",
        max_length=64,
        blank=True,
        default="",
        help_text="Id of the row in margin/data/charge_rates.json this was seeded from (blank: added in admin).",
    )
    updated_at = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        verbose_name = "charge rate"
        verbose_name_plural = "charge rates"
        ordering = ["exchange", "segment", "component", "product", "side", "underlying", "effective_from"]
        indexes = [models.Index(fields=["exchange", "segment", "effective_from"], name="charge_rate_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="charge_rate_period_ordered",
            ),
            models.UniqueConstraint(fields=["ref"], condition=~Q(ref=""), name="charge_rate_unique_ref"),
        ]

    def __str__(self) -> str:
        qualifiers = " ".join(q for q in (self.product, self.side, self.underlying) if q)
        period = f"{self.effective_from}..{self.effective_to or ''}"
        return f"{self.exchange} {self.segment} {self.component} {qualifiers} {self.rate_percent}% {period}".replace(
            "  ", " "
        )

    def as_rate_row(self) -> charges.RateRow:
        return charges.RateRow(
            ref=self.ref,
            component=charges.Component(self.component),
            exchange=charges.Exchange(self.exchange),
            segment=charges.Segment(self.segment),
            product=charges.Product(self.product) if self.product else None,
            side=charges.RateSide(self.side),
            underlying=self.underlying,
            rate_percent=self.rate_percent,
            flat_inr=self.flat_inr,
            cap_inr=self.cap_inr,
            tax_type=charges.TransactionTaxType(self.tax_type) if self.tax_type else None,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            source=self.source,
        )

    def clean(self) -> None:
        """Same rules as the pure rate rows, plus: no two rows for the same thing may overlap in time."""
        if self.effective_from is None or self.rate_percent is None:
            return  # the field errors already say so
        try:
            self.as_rate_row()
        except charges.ChargeRateInvalid as error:
            raise ValidationError(error.details.get("problems") or error.message) from None
        except ValueError as error:  # an unknown choice: the field validation reports it
            raise ValidationError(str(error)) from None
        overlapping = ChargeRate.objects.filter(
            component=self.component,
            exchange=self.exchange,
            segment=self.segment,
            product=self.product,
            side=self.side,
            underlying=self.underlying,
        ).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to is not None:
            overlapping = overlapping.filter(effective_from__lte=self.effective_to)
        clash = overlapping.first()
        if clash is not None:
            raise ValidationError(
                f"This period overlaps {clash} (id {clash.pk}). End that rate the day before this one starts."
            )


# Margin monitoring (snapshots, margin calls, NSE file cache): own module, registered here.
from .monitoring_models import MarginCall, MarginCallPolicy, MarginSnapshot, NseMarginFile  # noqa: E402, F401

# Imported SPAN files (the import_span command, the engine's file source): own module, registered here.
from .span_models import SpanCommodity, SpanContract, SpanFile  # noqa: E402, F401

# What each executed order cost (order_cost_breakdown): own module, registered here.
from .cost_models import OrderCostBreakdown  # noqa: E402, F401

# The OMS buffer's settings and regulatory factors: own module, registered here.
from .buffer_models import MarginSettings, RegulatoryMarginFactor  # noqa: E402, F401

# Our margin next to the broker's (accuracy metric): own module, registered here.
from .comparison_models import MarginComparison  # noqa: E402, F401
