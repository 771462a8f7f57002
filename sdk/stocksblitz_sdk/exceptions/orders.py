"""Exceptions of the orders API: one class per error code (see orders/errors.py on the server)."""

from decimal import Decimal

from ._base import APIError, ConflictError, NotFoundError, RateLimitError, ServiceUnavailableError, ValidationError

__all__ = [
    "OrderNotFoundError",
    "ExecutionNotFoundError",
    "AlgoParamsInvalidError",
    "ExecutionNotActiveError",
    "PositionNotFoundError",
    "StrategyNotFoundError",
    "StrategyNameTakenError",
    "StrategyPresetUnknownError",
    "OrderValidationError",
    "InvalidQuantityError",
    "LotSizeMismatchError",
    "TickSizeMismatchError",
    "PriceRequiredError",
    "TriggerRequiredError",
    "PriceOutOfBandError",
    "TriggerWrongSideError",
    "ProductNotAllowedError",
    "InstrumentExpiredError",
    "MarketClosedError",
    "MarketProtectionRequiredError",
    "FreezeQuantityExceededError",
    "TooManySlicesError",
    "InvalidOrderFieldError",
    "InvalidBracketError",
    "BracketStopWrongSideError",
    "BracketTargetWrongSideError",
    "BracketPointsInvalidError",
    "TriggerNotAllowedError",
    "PriceNotAllowedError",
    "InstrumentNotTradableError",
    "SlmNotAllowedError",
    "AmoDuringMarketHoursError",
    "AmoOutsideWindowError",
    "AmoMarketNotAllowedError",
    "MisCutoffPassedError",
    "OrderDailyLimitReachedError",
    "IdempotencyKeyMismatchError",
    "IdempotencyKeyReusedError",
    "DuplicateOrderError",
    "ExecutionGuardError",
    "WideSpreadError",
    "WideSpreadException",
    "HighImpactError",
    "HighImpactException",
    "OrderRateLimitedError",
    "ModificationLimitReachedError",
    "OrderNotModifiableError",
    "OrderNotCancellableError",
    "OrderNotPendingApprovalError",
    "BrokerRefusedError",
    "BrokerNotReachableError",
    "BrokerSessionExpiredError",
    "NothingToExitError",
]


class OrderNotFoundError(NotFoundError):
    code = "ORDER_NOT_FOUND"


class PositionNotFoundError(NotFoundError):
    code = "POSITION_NOT_FOUND"


class StrategyNotFoundError(NotFoundError):
    code = "STRATEGY_NOT_FOUND"


class StrategyNameTakenError(ConflictError):
    code = "STRATEGY_NAME_TAKEN"


class StrategyPresetUnknownError(ValidationError):
    code = "STRATEGY_PRESET_UNKNOWN"


class OrderValidationError(ValidationError):
    code = "ORDER_INVALID"


class InvalidQuantityError(OrderValidationError):
    code = "INVALID_QUANTITY"


class LotSizeMismatchError(OrderValidationError):
    code = "LOT_SIZE_MISMATCH"


class TickSizeMismatchError(OrderValidationError):
    code = "TICK_SIZE_MISMATCH"


class PriceRequiredError(OrderValidationError):
    code = "PRICE_REQUIRED"


class TriggerRequiredError(OrderValidationError):
    code = "TRIGGER_REQUIRED"


class PriceOutOfBandError(OrderValidationError):
    code = "PRICE_OUT_OF_BAND"


class TriggerWrongSideError(OrderValidationError):
    code = "TRIGGER_WRONG_SIDE"


class ProductNotAllowedError(OrderValidationError):
    code = "PRODUCT_NOT_ALLOWED"


class InstrumentExpiredError(OrderValidationError):
    code = "INSTRUMENT_EXPIRED"


class MarketClosedError(OrderValidationError):
    code = "MARKET_CLOSED"


class MarketProtectionRequiredError(OrderValidationError):
    code = "MARKET_PROTECTION_REQUIRED"


class FreezeQuantityExceededError(OrderValidationError):
    code = "FREEZE_QUANTITY_EXCEEDED"


class TooManySlicesError(OrderValidationError):
    code = "TOO_MANY_SLICES"


class InvalidOrderFieldError(OrderValidationError):
    code = "INVALID_ORDER_FIELD"


class InvalidBracketError(OrderValidationError):
    code = "INVALID_BRACKET"


class BracketStopWrongSideError(InvalidBracketError):
    """The bracket's stop-loss is not below (BUY) / above (SELL) where the entry fills; `details.reference`."""

    code = "BRACKET_STOP_WRONG_SIDE"


class BracketTargetWrongSideError(InvalidBracketError):
    """The bracket's target is not above (BUY) / below (SELL) where the entry fills; `details.reference`."""

    code = "BRACKET_TARGET_WRONG_SIDE"


class BracketPointsInvalidError(InvalidBracketError):
    code = "BRACKET_POINTS_INVALID"


class TriggerNotAllowedError(OrderValidationError):
    """trigger_price on a LIMIT or MARKET order (only SL and SL-M take one)."""

    code = "TRIGGER_NOT_ALLOWED"


class PriceNotAllowedError(OrderValidationError):
    """A non-zero price on a MARKET or SL-M order (they trade at the market; use LIMIT or SL to name a price)."""

    code = "PRICE_NOT_ALLOWED"


class InstrumentNotTradableError(OrderValidationError):
    """An index, or an instrument without a lot size."""

    code = "INSTRUMENT_NOT_TRADABLE"


class SlmNotAllowedError(OrderValidationError):
    """SL-M on an option (NSE refuses it since 27 Sep 2021) or on BSE (discontinued): send an SL order."""

    code = "SLM_NOT_ALLOWED"


class AmoDuringMarketHoursError(OrderValidationError):
    """variety="amo" while the market is open: place a regular order."""

    code = "AMO_DURING_MARKET_HOURS"


class AmoOutsideWindowError(OrderValidationError):
    """An after-market order outside 15:45-09:10 IST on a trading day; `details.accepted_from/until`."""

    code = "AMO_OUTSIDE_WINDOW"


class AmoMarketNotAllowedError(OrderValidationError):
    """A MARKET after-market order on an option (Kite blocks it): send a LIMIT AMO."""

    code = "AMO_MARKET_NOT_ALLOWED"


class MisCutoffPassedError(OrderValidationError):
    """A new MIS entry after the broker's cut-off (`details.cutoff`, 15:25 for F&O); exits still go."""

    code = "MIS_CUTOFF_PASSED"


class OrderDailyLimitReachedError(RateLimitError):
    """The account placed the broker's daily maximum of orders (Kite: 5,000); `details.limit_per_day`."""

    code = "ORDER_DAILY_LIMIT_REACHED"


class IdempotencyKeyMismatchError(OrderValidationError):
    """The Idempotency-Key header and the body's client_order_id differ."""

    code = "IDEMPOTENCY_KEY_MISMATCH"


class IdempotencyKeyReusedError(ConflictError):
    code = "IDEMPOTENCY_KEY_REUSED"


class DuplicateOrderError(ConflictError):
    code = "DUPLICATE_ORDER"


class ExecutionGuardError(ConflictError):
    """A MARKET order the execution guard refused; nothing was placed. The figures of the analysis are
    attributes (Decimal, None when the book had no such figure): `spread_pct` (% of mid), `spread_abs` (₹),
    `estimated_slippage` (₹ vs mid), `impact_bps`, `recommended_limit_price`, `spread_category`,
    `liquidity_score`, `recommendation`; `details` has the whole analysis. Re-place as a LIMIT at
    `recommended_limit_price`, or with `execution_override=True`."""

    def _decimal(self, name: str) -> Decimal | None:
        value = self.details.get(name)
        return None if value is None else Decimal(str(value))

    @property
    def spread_pct(self) -> Decimal | None:
        return self._decimal("spread_pct")

    @property
    def spread_abs(self) -> Decimal | None:
        return self._decimal("spread_abs")

    @property
    def estimated_slippage(self) -> Decimal | None:
        return self._decimal("estimated_slippage")

    @property
    def impact_bps(self) -> Decimal | None:
        return self._decimal("impact_bps")

    @property
    def recommended_limit_price(self) -> Decimal | None:
        return self._decimal("recommended_limit_price")

    @property
    def spread_category(self) -> str | None:
        return self.details.get("spread_category")

    @property
    def liquidity_score(self) -> int | None:
        return self.details.get("liquidity_score")

    @property
    def recommendation(self) -> str | None:
        return self.details.get("recommendation")


class WideSpreadError(ExecutionGuardError):
    """The bid-ask spread is very wide (above the strategy's `max_order_spread_pct`, 1% by default)."""

    code = "WIDE_SPREAD"


class HighImpactError(ExecutionGuardError):
    """The estimated impact is above `max_market_impact_bps`, or the book is below `min_liquidity_score`."""

    code = "HIGH_IMPACT"


# The names of the seeds' SDK examples.
WideSpreadException = WideSpreadError
HighImpactException = HighImpactError


class OrderRateLimitedError(RateLimitError):
    """`.retry_after` says when to try again."""

    code = "ORDER_RATE_LIMITED"


class ModificationLimitReachedError(ConflictError):
    code = "MODIFICATION_LIMIT_REACHED"


class OrderNotModifiableError(ConflictError):
    code = "ORDER_NOT_MODIFIABLE"


class OrderNotCancellableError(ConflictError):
    code = "ORDER_NOT_CANCELLABLE"


class OrderNotPendingApprovalError(ConflictError):
    code = "ORDER_NOT_PENDING_APPROVAL"


class BrokerRefusedError(APIError):
    code = "BROKER_REJECTED"


class BrokerNotReachableError(ServiceUnavailableError):
    code = "BROKER_UNAVAILABLE"


class BrokerSessionExpiredError(APIError):
    code = "BROKER_SESSION_EXPIRED"


class NothingToExitError(ConflictError):
    code = "POSITION_FLAT"


class ExecutionNotFoundError(NotFoundError):
    """A parent execution (TWAP / ICEBERG) that is not yours or does not exist."""

    code = "EXECUTION_NOT_FOUND"


class AlgoParamsInvalidError(ValidationError):
    code = "ALGO_PARAMS_INVALID"


class ExecutionNotActiveError(ConflictError):
    """Pause / resume / cancel of an execution in a state that does not allow it."""

    code = "EXECUTION_STATE_CONFLICT"
