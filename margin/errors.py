"""Margin refusals with stable codes (the SDK has one exception class per code)."""

from __future__ import annotations

from oms_project.lib.errors import DomainError, InvalidInput


class InsufficientMargin(DomainError):
    """The order (or basket) needs more margin than the account has available. details: required,
    available, shortfall (rupees as strings), and the exchange/buffer split of what is required."""

    code = "INSUFFICIENT_MARGIN"
    http_status = 400
    default_message = "Not enough margin for this order."


class MarginUtilisationExtreme(DomainError):
    """Utilisation would be (or is) at or above 90% (EXTREME): new risk-increasing orders are refused;
    orders that reduce risk still go."""

    code = "MARGIN_UTILISATION_EXTREME"
    http_status = 400
    default_message = "Margin utilisation is EXTREME: only orders that reduce risk are accepted."


class MarginInputInvalid(InvalidInput):
    code = "MARGIN_INPUT_INVALID"
    default_message = "The margin request has invalid fields."


class SpanFileInvalid(InvalidInput):
    code = "SPAN_FILE_INVALID"
    default_message = "The file is not an NSE SPAN (.spn) file."
