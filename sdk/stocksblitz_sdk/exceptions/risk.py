"""Exceptions of the risk engine: one class per error code (risk/errors.py on the server). Every pre-trade limit
refusal is a `RiskLimitError`; its `details` carry limit_name, limit, value and headroom."""

from ._base import APIError, ConflictError, NotFoundError, ValidationError

__all__ = [
    "RiskLimitError",
    "DailyLossLimitError",
    "DrawdownLimitError",
    "OpenPositionsLimitError",
    "RiskPerTradeLimitError",
    "StopLossRequiredError",
    "RewardRiskLimitError",
    "PriceDeviationLimitError",
    "OrderQuantityLimitError",
    "PositionSizeLimitError",
    "OrderRateLimitError",
    "MarginUtilisationLimitError",
    "PendingOrdersLimitError",
    "ConcentrationLimitError",
    "FnoBanError",
    "GreeksLimitError",
    "FatFingerError",
    "LiquidityLimitError",
    "KillSwitchEngagedError",
    "KillSwitchNotEngagedError",
    "KillSwitchForbiddenError",
    "KillSwitchReasonRequiredError",
    "RiskLimitsInvalidError",
    "RiskStrategyNotFoundError",
]


class RiskLimitError(APIError):
    code = "RISK_LIMIT_BREACHED"

    @property
    def limit_name(self) -> str | None:
        return self.details.get("limit_name")

    @property
    def headroom(self):  # noqa: ANN201
        return self.details.get("headroom")


class DailyLossLimitError(RiskLimitError):
    code = "RISK_DAILY_LOSS"


class DrawdownLimitError(RiskLimitError):
    code = "RISK_DRAWDOWN"


class OpenPositionsLimitError(RiskLimitError):
    code = "RISK_OPEN_POSITIONS"


class RiskPerTradeLimitError(RiskLimitError):
    code = "RISK_PER_TRADE"


class StopLossRequiredError(RiskLimitError):
    code = "RISK_STOP_LOSS_REQUIRED"


class RewardRiskLimitError(RiskLimitError):
    code = "RISK_REWARD_RATIO"


class PriceDeviationLimitError(RiskLimitError):
    code = "RISK_PRICE_DEVIATION"


class OrderQuantityLimitError(RiskLimitError):
    code = "RISK_ORDER_QUANTITY"


class PositionSizeLimitError(RiskLimitError):
    code = "RISK_POSITION_SIZE"


class OrderRateLimitError(RiskLimitError):
    code = "RISK_ORDER_RATE"


class MarginUtilisationLimitError(RiskLimitError):
    code = "RISK_MARGIN_UTILISATION"


class PendingOrdersLimitError(RiskLimitError):
    code = "RISK_PENDING_ORDERS"


class ConcentrationLimitError(RiskLimitError):
    code = "RISK_CONCENTRATION"


class GreeksLimitError(RiskLimitError):
    code = "RISK_GREEKS"


class FnoBanError(RiskLimitError):
    code = "RISK_FNO_BAN"


class FatFingerError(RiskLimitError):
    code = "RISK_FAT_FINGER"


class LiquidityLimitError(RiskLimitError):
    code = "RISK_LIQUIDITY"


class KillSwitchEngagedError(APIError):
    """The kill switch is engaged: only orders that reduce a position are accepted."""

    code = "KILL_SWITCH_ENGAGED"


class KillSwitchNotEngagedError(ConflictError):
    code = "KILL_SWITCH_NOT_ENGAGED"


class KillSwitchForbiddenError(APIError):
    code = "KILL_SWITCH_FORBIDDEN"


class KillSwitchReasonRequiredError(ValidationError):
    code = "KILL_SWITCH_REASON_REQUIRED"


class RiskLimitsInvalidError(ValidationError):
    code = "RISK_LIMITS_INVALID"


class RiskStrategyNotFoundError(NotFoundError):
    code = "RISK_STRATEGY_NOT_FOUND"
