from django.contrib import admin

from .models import LedgerEntry, Position, Strategy, Trade


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["trade_id", "order", "tradingsymbol", "transaction_type", "quantity", "price", "fill_timestamp"]
    raw_id_fields = ["user", "account", "order", "strategy"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "account",
        "strategy",
        "tradingsymbol",
        "product",
        "quantity",
        "average_price",
        "realized_pnl",
    ]
    raw_id_fields = ["user", "account", "strategy"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "preset", "is_active", "allow_orphaned_orders", "margin_buffer_pct"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: ledger entries are never changed or deleted (a correction is a new ADJUSTMENT entry)."""

    list_display = ["id", "account", "kind", "amount", "trade_id", "order_id", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["account__name", "actor", "description"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


def legacy_admin_redirect(request, model: str, rest: str = ""):  # noqa: ANN001, ANN201
    """Strategies, trades and positions were administered under /admin/orders/ before they moved to this
    app; old links and bookmarks land on the same page under /admin/portfolio/."""
    from django.http import HttpResponseRedirect

    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"/admin/portfolio/{model}/{rest}" + (f"?{query}" if query else ""))


from oms_project.lib.admin import register_read_only  # noqa: E402

from .models import ExpirySettlement, FuturesSettlement  # noqa: E402

# Settlement history (portfolio.settlement writes it; the ledger holds the money).
register_read_only(FuturesSettlement, ExpirySettlement)
