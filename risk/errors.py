"""Risk refusals, each with a stable API code (the SDK has one exception class per code). The limit codes are
the catalogue's (risk/limits.py); one class per code so the SDK mirrors each."""

from __future__ import annotations

from oms_project.lib.errors import Conflict, DomainError, InvalidInput, NotFound


class RiskLimitBreached(DomainError):
    """Base of the per-limit refusals (http 422: the order is well-formed, the risk rule refuses it)."""

    code = "RISK_LIMIT_BREACHED"
    http_status = 422
    default_message = "A risk limit refuses this order."


class DailyLossLimit(RiskLimitBreached):
    code = "RISK_DAILY_LOSS"


class DrawdownLimit(RiskLimitBreached):
    code = "RISK_DRAWDOWN"


class OpenPositionsLimit(RiskLimitBreached):
    code = "RISK_OPEN_POSITIONS"


class RiskPerTradeLimit(RiskLimitBreached):
    code = "RISK_PER_TRADE"


class StopLossRequired(RiskLimitBreached):
    code = "RISK_STOP_LOSS_REQUIRED"


class RewardRiskLimit(RiskLimitBreached):
    code = "RISK_REWARD_RATIO"


class PriceDeviationLimit(RiskLimitBreached):
    code = "RISK_PRICE_DEVIATION"


class OrderQuantityLimit(RiskLimitBreached):
    code = "RISK_ORDER_QUANTITY"


class PositionSizeLimit(RiskLimitBreached):
    code = "RISK_POSITION_SIZE"


class OrderRateLimit(RiskLimitBreached):
    code = "RISK_ORDER_RATE"


class MarginUtilisationLimit(RiskLimitBreached):
    code = "RISK_MARGIN_UTILISATION"


class PendingOrdersLimit(RiskLimitBreached):
    code = "RISK_PENDING_ORDERS"


class ConcentrationLimit(RiskLimitBreached):
    code = "RISK_CONCENTRATION"


class GreeksLimit(RiskLimitBreached):
    code = "RISK_GREEKS"


class FnoBanLimit(RiskLimitBreached):
    code = "RISK_FNO_BAN"


class FatFingerLimit(RiskLimitBreached):
    code = "RISK_FAT_FINGER"


class LiquidityLimit(RiskLimitBreached):
    code = "RISK_LIQUIDITY"


BY_CODE: dict[str, type[RiskLimitBreached]] = {
    cls.code: cls
    for cls in (
        DailyLossLimit,
        DrawdownLimit,
        OpenPositionsLimit,
        RiskPerTradeLimit,
        StopLossRequired,
        RewardRiskLimit,
        PriceDeviationLimit,
        OrderQuantityLimit,
        PositionSizeLimit,
        OrderRateLimit,
        MarginUtilisationLimit,
        PendingOrdersLimit,
        ConcentrationLimit,
        GreeksLimit,
        FnoBanLimit,
        FatFingerLimit,
        LiquidityLimit,
    )
}


class KillSwitchEngaged(DomainError):
    code = "KILL_SWITCH_ENGAGED"
    http_status = 423
    default_message = "The kill switch is engaged: only orders that reduce a position are accepted."


class KillSwitchNotEngaged(Conflict):
    code = "KILL_SWITCH_NOT_ENGAGED"
    default_message = "The kill switch is not engaged."


class KillSwitchForbidden(DomainError):
    code = "KILL_SWITCH_FORBIDDEN"
    http_status = 403
    default_message = "Only the user who engaged the kill switch, or ops, may release it."


class KillSwitchReasonRequired(InvalidInput):
    code = "KILL_SWITCH_REASON_REQUIRED"
    default_message = "Give a reason."


class RiskLimitsInvalid(InvalidInput):
    code = "RISK_LIMITS_INVALID"
    default_message = "The limits are not valid."


class RiskStrategyNotFound(NotFound):
    code = "RISK_STRATEGY_NOT_FOUND"
    default_message = "Strategy not found."
