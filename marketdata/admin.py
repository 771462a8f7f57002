from datetime import datetime

from django.contrib import admin, messages

from . import calendar as market_calendar
from . import contract_specs
from .models import Instrument, MarketHolidayOverride, WatchlistItem


def warn_holiday_data(request) -> None:  # noqa: ANN001
    """The calendar admin's notice when listed contracts run past the shipped holiday data (W001)."""
    message = market_calendar.holiday_data_warning(datetime.now(tz=market_calendar.IST).date())
    if message is not None:
        messages.warning(request, message)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = (
        "tradingsymbol",
        "exchange",
        "instrument_type",
        "name",
        "expiry",
        "strike",
        "lot_size",
        "freeze_quantity",
        "tick_size",
        "source",
        "is_active",
        "instrument_token",
    )
    list_filter = ("exchange", "segment", "instrument_type", "source", "is_active", "expiry")
    search_fields = ("tradingsymbol", "name", "=instrument_token")
    ordering = ("exchange", "name", "expiry", "strike")
    readonly_fields = ("updated_at",)
    list_per_page = 100
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        warn_holiday_data(request)
        return super().changelist_view(request, extra_context)


@admin.register(MarketHolidayOverride)
class MarketHolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "exchange", "is_holiday", "description", "updated_at")
    list_filter = ("exchange", "is_holiday")
    search_fields = ("description",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201
        super().save_model(request, obj, form, change)
        market_calendar.clear_override_cache()

    def delete_model(self, request, obj):  # noqa: ANN001, ANN201
        super().delete_model(request, obj)
        market_calendar.clear_override_cache()

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        warn_holiday_data(request)
        extra_context = {
            **(extra_context or {}),
            "contract_specs": contract_specs.UNDERLYINGS.values(),
            "holiday_data_complete_through": market_calendar.holiday_data_complete_through(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(WatchlistItem)
class WatchlistItemAdmin(admin.ModelAdmin):
    list_display = ("user", "instrument", "position", "created_at")
    search_fields = ("user__username", "instrument__tradingsymbol")
    raw_id_fields = ("user", "instrument")
