from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from alerts.services import register_response_handler
        from alerts.types import AlertType

        # Completion policies' models (issue #11); to join the re-export block at the end of models.py.
        from . import completion_models  # noqa: F401
        from .services import approval_alert_handler

        register_response_handler(AlertType.APPROVAL_REQUIRED, approval_alert_handler)

        from .services import execution as execution_services

        # The execution guard's parked orders: Cancel / Use LIMIT / Proceed anyway (docs/execution.md).
        register_response_handler(AlertType.WIDE_SPREAD, execution_services.guard_alert_handler)
        register_response_handler(AlertType.HIGH_IMPACT, execution_services.guard_alert_handler)

        from . import pipeline

        pipeline.register()

        from oms_project.lib import open_orders

        from .selectors import open_orders_for_margin

        # margin (below orders) reads working orders through this provider, never by importing orders.
        open_orders.register_provider(open_orders_for_margin)

        from oms_project.lib import broker_margins

        from .selectors import broker_basket_margins, broker_order_margins

        broker_margins.register_provider(broker_basket_margins)  # margin compares its figure with Kite's
        broker_margins.register_orders_provider(broker_order_margins)  # ... for a single order's too

        from oms_project.lib import events

        from .services import _common, brackets

        # Order of subscription is order of delivery: the trader's push first, then the follow-ups.
        events.subscribe("orders.updated", _common.push_order_update)
        events.subscribe("orders.updated", brackets.on_slice_updated)
        events.subscribe("orders.filled", brackets.on_order_filled)
        # Each fill's slippage against the analysis the order was decided on (issue #11).
        events.subscribe("orders.filled", execution_services.on_order_filled)
        # Parent executions (TWAP / ICEBERG): a child's fill updates the progress, an iceberg leg's end refreshes it.
        from .services import algos

        events.subscribe("orders.filled", algos.on_child_event)
        events.subscribe("orders.terminal", algos.on_child_event)
        # Completion policies (docs/completion-policies.md): the trader's touch stops an order's policy at once; the
        # strategy's policy is one of its settings groups (written with the strategy, shown by its API).
        from portfolio.services import register_settings_group

        from .services import completion

        events.subscribe("orders.updated", completion.on_order_updated)
        register_settings_group(
            "completion_policy", write=completion.strategy_policy_write, read=completion.strategy_policy_read
        )

        from portfolio.events import PositionClosed

        # A position went flat (or through zero): its bracket exits are cancelled (unless orphans are allowed).
        events.subscribe(PositionClosed.name, brackets.on_position_closed)

        from margin.events import MarginCallExpired, MarginCallSquareOffRequested

        from .services import margin_calls

        # A margin call's square-off (grace over with auto square-off on, or the trader's answer), as the system.
        events.subscribe(MarginCallExpired.name, margin_calls.on_margin_call_square_off)
        events.subscribe(MarginCallSquareOffRequested.name, margin_calls.on_margin_call_square_off)

        from oms_project.lib import pretrade
        from risk.events import KillSwitchEngaged

        from . import risk_facts
        from .services import square_off

        # An engaged kill switch: cancel every open order of its accounts and square them off (risk sits below
        # orders and never imports it); risk's limits read the account's recent orders through this loader.
        events.subscribe(KillSwitchEngaged.name, square_off.on_kill_switch_engaged)
        # The live monitor: a strategy's loss cap with auto square-off, a position guard with auto-close.
        from risk.monitor_events import PositionExitRequested, SquareOffRequested

        from .services import risk_exits

        events.subscribe(SquareOffRequested.name, risk_exits.on_square_off_requested)
        events.subscribe(PositionExitRequested.name, risk_exits.on_position_exit_requested)
        pretrade.register_context_loader("order_activity", risk_facts.load_order_activity)
