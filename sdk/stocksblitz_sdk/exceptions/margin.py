"""Exceptions of the costs and margin API: one class per error code (see margin/ on the server)."""

from decimal import Decimal

from ._base import APIError, NotFoundError, ServiceUnavailableError, ValidationError

__all__ = [
    "InsufficientMarginError",
    "MarginInputInvalidError",
    "MarginUtilisationExtremeError",
    "SpanFileInvalidError",
    "ChargeInputInvalidError",
    "ChargeRateInvalidError",
    "ChargeScheduleAmbiguousError",
    "ChargeScheduleIncompleteError",
    "ChargeScheduleMismatchError",
    "ChargeScheduleNotFoundError",
]


class ChargeInputInvalidError(ValidationError):
    """The order given for a charge calculation is not one the schedule can price."""

    code = "CHARGE_INPUT_INVALID"


class ChargeRateInvalidError(ValidationError):
    code = "CHARGE_RATE_INVALID"


class ChargeScheduleMismatchError(ValidationError):
    """The trade's date, exchange or segment is not the one the schedule was built for."""

    code = "CHARGE_SCHEDULE_MISMATCH"


class ChargeScheduleNotFoundError(NotFoundError):
    """No charge schedule covers that trade date, exchange and segment."""

    code = "CHARGE_SCHEDULE_NOT_FOUND"


class ChargeScheduleIncompleteError(ServiceUnavailableError):
    """The schedule in force that day lacks a rate; ops must complete it in admin."""

    code = "CHARGE_SCHEDULE_INCOMPLETE"


class ChargeScheduleAmbiguousError(ServiceUnavailableError):
    """Two rates of the same kind are in force the same day; ops must fix the overlap in admin."""

    code = "CHARGE_SCHEDULE_AMBIGUOUS"


def _dec(details: dict, name: str) -> Decimal | None:
    value = (details or {}).get(name)
    return None if value is None else Decimal(str(value))


class InsufficientMarginError(APIError):
    """The order needs more margin than is available; `required`, `available`, `shortfall` (Decimal)."""

    code = "INSUFFICIENT_MARGIN"

    @property
    def required(self) -> Decimal | None:
        return _dec(self.details, "required")

    @property
    def available(self) -> Decimal | None:
        return _dec(self.details, "available")

    @property
    def shortfall(self) -> Decimal | None:
        return _dec(self.details, "shortfall")


class MarginUtilisationExtremeError(APIError):
    """Utilisation is EXTREME (≥ 90%): only risk-reducing orders are accepted; `utilisation_pct`."""

    code = "MARGIN_UTILISATION_EXTREME"

    @property
    def utilisation_pct(self) -> Decimal | None:
        return _dec(self.details, "utilisation_pct")


class MarginInputInvalidError(ValidationError):
    code = "MARGIN_INPUT_INVALID"


class SpanFileInvalidError(ValidationError):
    code = "SPAN_FILE_INVALID"
