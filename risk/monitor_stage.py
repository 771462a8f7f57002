"""The `risk.monitor` pre-trade stage: an account or strategy the live monitor set to REDUCING today
(risk/monitor.py) accepts only orders that reduce a position (RISK_REDUCING_ONLY). Only reads."""

from __future__ import annotations

from oms_project.lib import pretrade
from oms_project.lib.pretrade import PASS, OrderIntent, PretradeContext, StageResult

from .models import RiskStatus
from .monitor_errors import RiskReducingOnly
from .stages import EXIT_ROLES, _reducing


def stage_monitor(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if getattr(intent, "role", "") in EXIT_ROLES or getattr(intent, "parent_id", None):
        return PASS
    status_id = ctx.load("risk.account_day").reducing_status_id  # risk.stages: one read with the limits' facts
    if status_id is None or _reducing(intent, ctx):
        return PASS
    row = RiskStatus.objects.get(pk=status_id)
    owner = f"strategy {row.strategy_id}" if row.strategy_id else "account"
    return StageResult.deny(
        RiskReducingOnly(
            f"The risk monitor set this {owner} to REDUCING ({row.code}: {row.reason}): only orders that reduce a "
            "position are accepted today.",
            details={
                "code": row.code,
                "strategy_id": row.strategy_id,
                "since": row.since.isoformat() if row.since else None,
            },
        )
    )


def register() -> None:
    pretrade.register_stage("risk.monitor", stage_monitor)
