from django.contrib import admin

from .models import ChargeRate


@admin.register(ChargeRate)
class ChargeRateAdmin(admin.ModelAdmin):
    """Operations keep the charge rates current here: end the old row, add the new one with its source."""

    list_display = (
        "exchange",
        "segment",
        "component",
        "product",
        "side",
        "underlying",
        "rate_percent",
        "flat_inr",
        "cap_inr",
        "effective_from",
        "effective_to",
        "short_source",
    )
    list_filter = ("exchange", "segment", "component", "product", "side", "effective_to")
    search_fields = ("source", "ref", "underlying")
    ordering = ("exchange", "segment", "component", "product", "side", "underlying", "effective_from")
    date_hierarchy = "effective_from"
    readonly_fields = ("ref", "updated_at")
    fieldsets = (
        ("What is charged", {"fields": ("exchange", "segment", "component", "tax_type")}),
        (
            "Applies to",
            {
                "fields": ("product", "side", "underlying"),
                "description": "Leave blank to cover every product, both sides, every underlying. "
                "A row naming a product or a side wins over a blank one.",
            },
        ),
        ("Amount", {"fields": ("rate_percent", "flat_inr", "cap_inr")}),
        (
            "When and why",
            {
                "fields": ("effective_from", "effective_to", "source", "ref", "updated_at"),
                "description": "A trade is charged at the rates of its own trade date. To change a rate, set the "
                "old row's 'effective to' to the day before and add a new row; periods of the same rate may "
                "not overlap. Always cite the circular or notification.",
            },
        ),
    )

    @admin.display(description="source")
    def short_source(self, obj: ChargeRate) -> str:
        return obj.source if len(obj.source) <= 80 else obj.source[:77] + "..."


# --- the OMS buffer's settings and regulatory factors (margin/buffer_models.py) -------------------------------
from .buffer_models import MarginSettings, RegulatoryMarginFactor  # noqa: E402


@admin.register(MarginSettings)
class MarginSettingsAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "strategy", "buffer_pct", "vix_enabled", "expiry_enabled", "move_enabled",
                    "regulatory_enabled", "updated_at"]
    raw_id_fields = ["account", "strategy"]


@admin.register(RegulatoryMarginFactor)
class RegulatoryMarginFactorAdmin(admin.ModelAdmin):
    list_display = ["underlying", "factor", "reason", "effective_from", "effective_to", "source"]
    list_filter = ["underlying"]
    search_fields = ["underlying", "reason", "source"]


from . import monitoring_admin  # noqa: E402, F401  (margin monitoring's admin pages)

from oms_project.lib.admin import register_read_only  # noqa: E402

from .comparison_models import MarginComparison  # noqa: E402
from .cost_models import OrderCostBreakdown  # noqa: E402
from .span_models import SpanCommodity, SpanContract, SpanFile  # noqa: E402

# What the engine computed or imported: inspected by ops, written only by the margin services.
register_read_only(SpanFile, SpanCommodity, SpanContract, OrderCostBreakdown, MarginComparison)
