from django.contrib import admin

from .models import PaperVenueBook, PaperVenueOrder, PaperVenuePosition, PaperVenueTrade


@admin.register(PaperVenueOrder)
class PaperVenueOrderAdmin(admin.ModelAdmin):
    """The simulated exchange's own book (what a paper account's broker holds)."""

    list_display = ["venue_order_id", "account_ref", "tradingsymbol", "transaction_type", "quantity", "order_type",
                    "price", "status", "filled_quantity", "average_price", "created_at"]
    list_filter = ["status", "order_type"]
    search_fields = ["venue_order_id", "tag", "tradingsymbol", "account_ref"]


@admin.register(PaperVenueTrade)
class PaperVenueTradeAdmin(admin.ModelAdmin):
    list_display = ["trade_id", "account_ref", "tradingsymbol", "transaction_type", "quantity", "price"]
    search_fields = ["trade_id", "tradingsymbol", "account_ref"]
    raw_id_fields = ["venue_order"]


@admin.register(PaperVenuePosition)
class PaperVenuePositionAdmin(admin.ModelAdmin):
    list_display = ["account_ref", "tradingsymbol", "product", "quantity", "average_price"]
    search_fields = ["tradingsymbol", "account_ref"]


@admin.register(PaperVenueBook)
class PaperVenueBookAdmin(admin.ModelAdmin):
    """Depth the venue's fills used up, per instrument and side (it comes back over time; read only)."""

    list_display = ["instrument_token", "side", "consumed", "as_of"]
    search_fields = ["instrument_token"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
