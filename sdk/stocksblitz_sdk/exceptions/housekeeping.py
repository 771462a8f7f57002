"""Exceptions of housekeeping: one class per error code (housekeeping/errors.py on the server)."""

from ._base import ConflictError, NotFoundError, ServiceUnavailableError

__all__ = [
    "BrokerPausedError",
    "HousekeepingJobUnknownError",
    "HousekeepingJobBusyError",
    "MismatchNotFoundError",
    "MismatchNotAdoptableError",
    "OrderNotOrphanedError",
]


class BrokerPausedError(ServiceUnavailableError):
    """Placement on this broker account is paused after failed health checks; it resumes by itself."""

    code = "BROKER_PAUSED"


class HousekeepingJobUnknownError(NotFoundError):
    code = "HOUSEKEEPING_JOB_UNKNOWN"


class HousekeepingJobBusyError(ConflictError):
    code = "HOUSEKEEPING_JOB_BUSY"


class MismatchNotFoundError(NotFoundError):
    code = "MISMATCH_NOT_FOUND"


class MismatchNotAdoptableError(ConflictError):
    code = "MISMATCH_NOT_ADOPTABLE"


class OrderNotOrphanedError(ConflictError):
    code = "ORDER_NOT_ORPHANED"
