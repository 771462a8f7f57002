from django.contrib import admin

from .models import Order, OrderEvent, OrderPreferences


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "account",
        "tradingsymbol",
        "transaction_type",
        "quantity",
        "order_type",
        "status",
        "filled_quantity",
        "average_price",
        "created_at",
    ]
    list_filter = ["status", "order_type", "product", "role"]
    search_fields = ["tradingsymbol", "tag", "broker_order_id", "client_order_id"]
    raw_id_fields = ["user", "account", "strategy", "parent", "oco_sibling"]
    readonly_fields = ["status", "version", "tag", "broker_order_id", "filled_quantity", "average_price"]
    inlines = [OrderEventInline]


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are never changed or deleted."""

    list_display = ["id", "order_id", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["order__id", "actor", "reason"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


# Django's default plural would read "Order preferencess". Set on the options the admin reads, not in
# Meta (which would need a migration); the model's owner can move it into Meta with their next migration.
OrderPreferences._meta.verbose_name = "order preferences"
OrderPreferences._meta.verbose_name_plural = "order preferences"


@admin.register(OrderPreferences)
class OrderPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "duplicate_action", "duplicate_window_seconds", "auto_slice"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


from oms_project.lib.admin import register_read_only  # noqa: E402

from .execution_models import OrderExecutionAnalysis, OrderSlippageHistory  # noqa: E402

# The execution guard's analysis of each order and each fill's slippage (orders.services.execution).
register_read_only(OrderExecutionAnalysis, OrderSlippageHistory)

from .execution_models import AdvancedExecutionSlice, AdvancedOrderExecution  # noqa: E402

# Parent executions (TWAP / ICEBERG) and their slices (orders.services.algos): read-only; the trader acts on them.
register_read_only(AdvancedOrderExecution, AdvancedExecutionSlice)

from .completion_models import OrderCompletion, StrategyCompletionPolicy  # noqa: E402

# Completion policies (docs/completion-policies.md): set through the strategy settings, run by the runner.
register_read_only(StrategyCompletionPolicy, OrderCompletion)
