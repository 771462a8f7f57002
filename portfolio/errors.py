"""Portfolio refusals, each with a stable API code (the SDK has one exception class per code)."""

from __future__ import annotations

from oms_project.lib.errors import Conflict, DomainError, InvalidInput, NotFound


class PositionNotFound(NotFound):
    code = "POSITION_NOT_FOUND"
    default_message = "Position not found."


class StrategyNotFound(NotFound):
    code = "STRATEGY_NOT_FOUND"
    default_message = "Strategy not found."


class StrategyNameTaken(DomainError):
    code = "STRATEGY_NAME_TAKEN"
    http_status = 409
    default_message = "You already have a strategy with this name."


class StrategyPresetUnknown(DomainError):
    code = "STRATEGY_PRESET_UNKNOWN"
    default_message = "Unknown strategy preset."


class FundsPaperOnly(Conflict):
    code = "FUNDS_PAPER_ONLY"
    default_message = (
        "Funds can be added or withdrawn here only on paper accounts; move money for a Kite account at Zerodha."
    )


class FundsAmountInvalid(InvalidInput):
    code = "FUNDS_AMOUNT_INVALID"
    default_message = "The amount must be a positive number of rupees with at most two decimal places."


class InsufficientCash(Conflict):
    code = "INSUFFICIENT_CASH"
    default_message = "The account does not have that much cash to pay out."
