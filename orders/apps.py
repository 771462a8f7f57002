from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from alerts.services import register_response_handler
        from alerts.types import AlertType

        from .services import approval_alert_handler

        register_response_handler(AlertType.APPROVAL_REQUIRED, approval_alert_handler)

        from . import pipeline

        pipeline.register()
