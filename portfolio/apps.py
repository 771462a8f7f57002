from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"

    def ready(self) -> None:
        from oms_project.lib import pretrade

        from . import selectors

        # What pre-trade stages (margin, risk) read about the order's account: loaded once per run.
        pretrade.register_context_loader(
            "positions", lambda ctx: list(selectors.positions_for(account=ctx.account, open_only=True))
        )
        pretrade.register_context_loader("funds", lambda ctx: selectors.funds_for(ctx.account))
