"""Order refusals, each with a stable API code (the SDK has one exception class per code)."""

from __future__ import annotations

from typing import Any

from oms_project.lib.errors import Conflict, DomainError, InvalidInput, NotFound, RateLimited, ServiceUnavailable

# Positions and strategies belong to the portfolio app; their errors are re-exported for orders' code.
from portfolio.errors import (  # noqa: F401
    PositionNotFound,
    StrategyNameTaken,
    StrategyNotFound,
    StrategyPresetUnknown,
)


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    default_message = "Order not found."


class InstrumentNotFound(NotFound):
    code = "INSTRUMENT_NOT_FOUND"
    default_message = "Instrument not found. Check the exchange and trading symbol, or the instrument token."


# --- validation (nothing is sent) -----------------------------------------------------------
class OrderValidationError(InvalidInput):
    code = "ORDER_INVALID"
    default_message = "The order is not valid."


class InvalidQuantity(OrderValidationError):
    code = "INVALID_QUANTITY"
    default_message = "Quantity must be a positive whole number of units."


class LotSizeMismatch(OrderValidationError):
    code = "LOT_SIZE_MISMATCH"
    default_message = "Quantity must be a multiple of the lot size."


class TickSizeMismatch(OrderValidationError):
    code = "TICK_SIZE_MISMATCH"
    default_message = "Price must be a multiple of the tick size."


class PriceRequired(OrderValidationError):
    code = "PRICE_REQUIRED"
    default_message = "LIMIT and SL orders need a price."


class TriggerRequired(OrderValidationError):
    code = "TRIGGER_REQUIRED"
    default_message = "SL and SL-M orders need a trigger price."


class PriceOutOfBand(OrderValidationError):
    code = "PRICE_OUT_OF_BAND"
    default_message = "Price is outside today's price band."


class TriggerWrongSide(OrderValidationError):
    code = "TRIGGER_WRONG_SIDE"
    default_message = "The trigger price is on the wrong side."


class ProductNotAllowed(OrderValidationError):
    code = "PRODUCT_NOT_ALLOWED"
    default_message = "This product is not allowed for the instrument."


class InstrumentExpired(OrderValidationError):
    code = "INSTRUMENT_EXPIRED"
    default_message = "The contract has expired."


class MarketClosed(OrderValidationError):
    code = "MARKET_CLOSED"
    default_message = "The market is closed."


class MarketProtectionRequired(OrderValidationError):
    code = "MARKET_PROTECTION_REQUIRED"
    default_message = "MARKET and SL-M orders need market protection (-1 for automatic, or 1-100 percent)."


class FreezeQuantityExceeded(OrderValidationError):
    code = "FREEZE_QUANTITY_EXCEEDED"
    default_message = "Quantity is above the exchange's freeze limit."


class TooManySlices(OrderValidationError):
    code = "TOO_MANY_SLICES"
    default_message = "The order would need more than 10 slices."


class InvalidOrderField(OrderValidationError):
    code = "INVALID_ORDER_FIELD"
    default_message = "An order field has an invalid value."


class InvalidBracket(OrderValidationError):
    code = "INVALID_BRACKET"
    default_message = "The stop-loss or target is on the wrong side of the entry."


class BracketStopWrongSide(InvalidBracket):
    code = "BRACKET_STOP_WRONG_SIDE"
    default_message = (
        "The stop-loss is on the wrong side of the entry: below it for a BUY, above it for a SELL."
    )


class BracketTargetWrongSide(InvalidBracket):
    code = "BRACKET_TARGET_WRONG_SIDE"
    default_message = "The target is on the wrong side of the entry: above it for a BUY, below it for a SELL."


class BracketPointsInvalid(InvalidBracket):
    code = "BRACKET_POINTS_INVALID"
    default_message = "Stop-loss, target and trailing points must be above zero (and the stop inside the price)."


class TriggerNotAllowed(OrderValidationError):
    code = "TRIGGER_NOT_ALLOWED"
    default_message = "Only SL and SL-M orders take a trigger price."


class PriceNotAllowed(OrderValidationError):
    code = "PRICE_NOT_ALLOWED"
    default_message = "MARKET and SL-M orders take no price: they trade at the market (within market protection)."


class InstrumentNotTradable(OrderValidationError):
    code = "INSTRUMENT_NOT_TRADABLE"
    default_message = "This instrument cannot be traded (an index, or no lot size)."


# Exchange and broker session rules (docs/exchange-rules.md).
class SlmNotAllowed(OrderValidationError):
    code = "SLM_NOT_ALLOWED"
    default_message = (
        "SL-M is not accepted for options (NSE) or on BSE; use an SL order (a trigger and a limit price)."
    )


class AmoDuringMarketHours(OrderValidationError):
    code = "AMO_DURING_MARKET_HOURS"
    default_message = "The market is open: place a regular order, not an after-market order."


class AmoOutsideWindow(OrderValidationError):
    code = "AMO_OUTSIDE_WINDOW"
    default_message = "After-market orders for F&O are accepted from 15:45 until 09:10."


class AmoMarketNotAllowed(OrderValidationError):
    code = "AMO_MARKET_NOT_ALLOWED"
    default_message = "MARKET after-market orders are not accepted on options; use a LIMIT AMO."


class MisCutoffPassed(OrderValidationError):
    code = "MIS_CUTOFF_PASSED"
    default_message = "No new intraday (MIS) positions after the broker's cut-off; exits are still allowed."


# --- safe submission ------------------------------------------------------------------------
class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This client order id was already used for a different order."


class IdempotencyKeyMismatch(OrderValidationError):
    code = "IDEMPOTENCY_KEY_MISMATCH"
    default_message = "The Idempotency-Key header and client_order_id differ; give one, or the same value in both."


class DuplicateOrder(Conflict):
    code = "DUPLICATE_ORDER"
    default_message = "An identical order was placed moments ago."


# --- execution guard (orders.execution; docs/execution.md) ---------------------------------
class WideSpread(Conflict):
    """A MARKET order into a very wide spread. Details: spread_pct, spread_abs, estimated_slippage,
    impact_bps, recommended_limit_price (and the rest of the analysis)."""

    code = "WIDE_SPREAD"
    default_message = "The bid-ask spread is very wide: send a LIMIT order, or set execution_override."


class HighImpact(Conflict):
    """A MARKET order whose estimated impact is above the limit, or into an illiquid book (same details)."""

    code = "HIGH_IMPACT"
    default_message = "The order would move the price too much: send a LIMIT order, or set execution_override."


class OrderRateLimited(RateLimited):
    code = "ORDER_RATE_LIMITED"
    default_message = "Too many orders for this broker account; try again shortly."


class OrderDailyLimitReached(RateLimited):
    code = "ORDER_DAILY_LIMIT_REACHED"
    default_message = "This broker account has placed the broker's maximum of orders for today (5,000)."


class ModificationLimitReached(Conflict):
    code = "MODIFICATION_LIMIT_REACHED"
    default_message = "This order has been modified 25 times, the broker's limit. Cancel it and place a new one."


class OrderNotModifiable(Conflict):
    code = "ORDER_NOT_MODIFIABLE"
    default_message = "The order can no longer be modified."


class OrderNotCancellable(Conflict):
    code = "ORDER_NOT_CANCELLABLE"
    default_message = "The order can no longer be cancelled."


class OrderNotPendingApproval(Conflict):
    code = "ORDER_NOT_PENDING_APPROVAL"
    default_message = "The order is not waiting for approval."


class BrokerRefused(DomainError):
    code = "BROKER_REJECTED"
    http_status = 400
    default_message = "The broker refused the request."


class BrokerNotReachable(ServiceUnavailable):
    code = "BROKER_UNAVAILABLE"
    default_message = "The broker could not be reached; nothing was sent."


class BrokerSessionExpired(DomainError):
    code = "BROKER_SESSION_EXPIRED"
    http_status = 403
    default_message = "Your broker session has expired; log in to Kite again."


# --- parent executions (TWAP / ICEBERG: orders.services.algos) ------------------------------------------------
class ExecutionNotFound(NotFound):
    code = "EXECUTION_NOT_FOUND"
    default_message = "Execution not found."


class AlgoParamsInvalid(InvalidInput):
    code = "ALGO_PARAMS_INVALID"
    default_message = "The algorithm's parameters are not valid."


class ExecutionNotActive(Conflict):
    code = "EXECUTION_STATE_CONFLICT"
    default_message = "The execution cannot do that in its current state."


class NothingToExit(Conflict):
    code = "POSITION_FLAT"
    default_message = "The position is already flat."



# --- completion policies (orders.services.completion) ----------------------------------------------------------
class CompletionPolicyInvalid(InvalidInput):
    code = "COMPLETION_POLICY_INVALID"
    default_message = "The completion policy's settings do not fit together."


class CompletionNotApplicable(Conflict):
    code = "COMPLETION_NOT_APPLICABLE"
    default_message = "A completion policy does not apply to this order."

def details(**kw: Any) -> dict[str, Any]:
    return {
        k: (str(v) if not isinstance(v, (int, float, str, bool, type(None), list, dict)) else v) for k, v in kw.items()
    }
