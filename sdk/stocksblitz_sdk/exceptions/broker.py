"""Errors of the broker layer (Kite accounts, login, postbacks)."""

from ._base import APIError, PermissionDeniedError, ValidationError

__all__ = [
    "KiteAccountRequiredError",
    "KiteBrokerError",
    "KiteLoginFailedError",
    "KiteLoginStateInvalidError",
    "KitePostbackChecksumInvalidError",
    "KitePostbackInvalidError",
]


class KiteAccountRequiredError(ValidationError):
    code = "KITE_ACCOUNT_REQUIRED"


class KiteBrokerError(APIError):
    """Kite answered with an error the OMS could not map to a more specific one (HTTP 502)."""

    code = "KITE_BROKER_ERROR"


class KiteLoginFailedError(ValidationError):
    code = "KITE_LOGIN_FAILED"


class KiteLoginStateInvalidError(ValidationError):
    code = "KITE_LOGIN_STATE_INVALID"


class KitePostbackChecksumInvalidError(PermissionDeniedError):
    code = "KITE_POSTBACK_CHECKSUM_INVALID"


class KitePostbackInvalidError(ValidationError):
    code = "KITE_POSTBACK_INVALID"
