from django.apps import AppConfig


class MarketdataConfig(AppConfig):
    name = "marketdata"
    verbose_name = "Market data and instruments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401  (registers marketdata.W001)
        from .calendar import clear_override_cache
        from .models import MarketHolidayOverride

        def _clear(**_kwargs: object) -> None:
            clear_override_cache()

        post_save.connect(_clear, sender=MarketHolidayOverride, dispatch_uid="marketdata.holiday_override_saved")
        post_delete.connect(_clear, sender=MarketHolidayOverride, dispatch_uid="marketdata.holiday_override_deleted")
