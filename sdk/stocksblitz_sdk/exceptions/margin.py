"""Exceptions of the costs and margin API: one class per error code (see margin/ on the server)."""

from ._base import NotFoundError, ServiceUnavailableError, ValidationError

__all__ = [
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
