"""Exceptions of the funds API: one class per error code (see portfolio/ on the server).

Positions and strategies keep theirs in `exceptions.orders` (PositionNotFoundError, StrategyNotFoundError, ...)."""

from ._base import ConflictError, ValidationError

__all__ = ["FundsAmountInvalidError", "FundsPaperOnlyError", "InsufficientCashError"]


class FundsPaperOnlyError(ConflictError):
    """Cash can be added or withdrawn through the OMS only on paper accounts (a Kite account's is at Zerodha)."""

    code = "FUNDS_PAPER_ONLY"


class FundsAmountInvalidError(ValidationError):
    """The amount is not a positive number of rupees with at most two decimal places."""

    code = "FUNDS_AMOUNT_INVALID"


class InsufficientCashError(ConflictError):
    """A pay-out above the account's cash (`details.cash`)."""

    code = "INSUFFICIENT_CASH"
