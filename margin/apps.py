from django.apps import AppConfig


class MarginConfig(AppConfig):
    name = "margin"

    def ready(self) -> None:
        self._ready_pipeline()
        self._ready_monitoring()

    def _ready_pipeline(self) -> None:
        """Pre-trade stages margin.funds and margin.utilisation (margin/stages.py)."""
        from . import stages

        stages.register()

        from oms_project.lib import events

        from . import costs

        # An order that ended with fills is charged once: order_cost_breakdown + a CHARGES ledger entry.
        events.subscribe("orders.terminal", costs.on_order_terminal)

    def _ready_monitoring(self) -> None:
        """Margin monitoring: a snapshot after every fill and cash movement; margin-call answers."""
        from alerts.services import register_response_handler
        from alerts.types import AlertType
        from oms_project.lib import events
        from portfolio.events import FundsChanged, PositionChanged, PositionClosed, PositionOpened

        from . import monitoring, subscribers

        for event in (PositionOpened, PositionChanged, PositionClosed):
            events.subscribe(event.name, subscribers.on_position_event)
        events.subscribe(FundsChanged.name, subscribers.on_funds_changed)
        register_response_handler(AlertType.MARGIN_CALL, monitoring.margin_call_alert_handler)
