"""The `risk.monitor` pre-trade stage: an account or strategy the live monitor set to REDUCING today
(risk/monitor.py) accepts only orders that reduce a position (RISK_REDUCING_ONLY). Only reads."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from oms_project.lib import pretrade
from oms_project.lib.pretrade import PASS, OrderIntent, PretradeContext, StageResult

from .models import RiskStatus
from .monitor_errors import RiskReducingOnly
from .stages import EXIT_ROLES, _reducing


def reducing_status(account_id: int, strategy_id: int | None) -> RiskStatus | None:
    owner = Q(account_id=account_id, strategy__isnull=True)
    if strategy_id:
        owner |= Q(strategy_id=strategy_id)
    return (
        RiskStatus.objects.filter(owner, status=RiskStatus.REDUCING, trading_day=timezone.localdate())
        .order_by("strategy_id")
        .first()
    )


def stage_monitor(intent: OrderIntent, ctx: PretradeContext) -> StageResult:
    if getattr(intent, "role", "") in EXIT_ROLES or getattr(intent, "parent_id", None):
        return PASS
    row = reducing_status(ctx.account.pk, intent.strategy_id)
    if row is None or _reducing(intent, ctx):
        return PASS
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
