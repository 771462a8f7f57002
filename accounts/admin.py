from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from .models import ApiKey, TradingAccount


@admin.register(TradingAccount)
class TradingAccountAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "name", "is_default", "is_active", "kite_user_id", "kite_token_updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "user__username", "kite_user_id"]
    # Secrets are write-only from the admin's point of view: never rendered back.
    exclude = ["kite_api_secret", "kite_access_token"]
    readonly_fields = ["kite_token_updated_at", "created_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "user", "last_used_at"]
    search_fields = [*APIKeyModelAdmin.search_fields, "user__username"]


# The library registers its own (unused) APIKey model as a second "API keys" entry: ours is the one.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)

admin.site.site_header = "StocksBlitz OMS · operations"
admin.site.site_title = "StocksBlitz OMS admin"
admin.site.index_title = "Accounts, orders, positions, alerts and market data"
