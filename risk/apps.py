from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"

    def ready(self) -> None:
        """Pre-trade stages risk.kill_switch and risk.limits (risk/stages.py); the day's equity peak and the
        automatic kill switch follow the portfolio's fills and cash movements."""
        from oms_project.lib import events
        from portfolio.events import FundsChanged, PositionChanged, PositionClosed, PositionOpened

        from . import services, stages

        stages.register()
        for event in (PositionOpened, PositionChanged, PositionClosed, FundsChanged):
            events.subscribe(event.name, services.on_portfolio_event)
        # The live monitor revalues the books on every tick batch of the market feed (risk/monitor.py).
        from marketdata.events import TickBatch

        from . import monitor, monitor_stage

        events.subscribe(TickBatch.name, monitor.on_tick_batch)
        monitor_stage.register()
