"""System checks of the market-data app (registered in apps.ready)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.checks import Warning, register

from . import calendar as market_calendar


@register("marketdata")
def holiday_data_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """marketdata.W001: the calendar runs past the shipped holiday data (docs/market-model.md)."""
    today = datetime.now(tz=market_calendar.IST).date()
    message = market_calendar.holiday_data_warning(today)
    if message is None:
        return []
    return [
        Warning(
            message,
            hint=(
                "NSE publishes next year's holidays in mid-December. Until the list is shipped, ops can enter "
                "each date in admin (Market data > Market holiday overrides)."
            ),
            obj="marketdata/data/exchange_holidays.toml",
            id="marketdata.W001",
        )
    ]
