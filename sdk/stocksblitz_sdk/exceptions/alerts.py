"""Alert errors, one class per API error code."""

from ._base import APIError, ConflictError, NotFoundError, ValidationError

__all__ = [
    "AlertNotFoundError",
    "AlertAlreadyRespondedError",
    "AlertExpiredError",
    "AlertActionInvalidError",
    "AlertTypeInvalidError",
]


class AlertNotFoundError(NotFoundError):
    code = "ALERT_NOT_FOUND"


class AlertAlreadyRespondedError(ConflictError):
    """The alert was already answered (by the UI, the API or another bot)."""

    code = "ALERT_ALREADY_RESPONDED"


class AlertExpiredError(ConflictError):
    code = "ALERT_EXPIRED"


class AlertActionInvalidError(APIError):
    """The action is not one the alert offers; `details["actions"]` lists those it does."""

    code = "ALERT_ACTION_INVALID"


class AlertTypeInvalidError(ValidationError):
    code = "ALERT_TYPE_INVALID"
