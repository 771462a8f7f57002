"""Exception base classes. Every API error body `{"error": {"code", "message", "details"}}` becomes
an instance of the class registered for its `code` (or of the class for its HTTP status)."""

from __future__ import annotations

from typing import Any, ClassVar

_BY_CODE: dict[str, type[StocksBlitzError]] = {}


class StocksBlitzError(Exception):
    """Base of every SDK error."""

    code: ClassVar[str] = ""

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.message = message or self.__class__.__name__
        self.code = code or self.__class__.code  # type: ignore[misc]
        self.details = details or {}
        self.status_code = status_code
        super().__init__(self.message)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("code"):
            _BY_CODE[cls.code] = cls

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(code={self.code!r}, message={self.message!r})"


class ConnectionError(StocksBlitzError):  # noqa: A001 - SDK-scoped name
    """The server could not be reached."""

    code = "CONNECTION_ERROR"


class APIError(StocksBlitzError):
    """An error answered by the API whose code has no more specific class."""


class ValidationError(APIError):
    code = "VALIDATION_ERROR"


class MalformedRequestError(APIError):
    code = "MALFORMED_REQUEST"


class UnknownFieldError(ValidationError):
    """The body named a field the endpoint does not take (`details.fields`); nothing was done."""

    code = "UNKNOWN_FIELD"


class DuplicateFieldError(ValidationError):
    """A JSON object gave the same field twice (`details.fields`)."""

    code = "DUPLICATE_FIELD"


class JsonTooDeepError(ValidationError):
    """The JSON body nests deeper than the API reads (`details.max_depth`)."""

    code = "JSON_TOO_DEEP"


class AuthenticationError(APIError):
    code = "AUTHENTICATION_FAILED"


class NotAuthenticatedError(AuthenticationError):
    code = "NOT_AUTHENTICATED"


class PermissionDeniedError(APIError):
    code = "PERMISSION_DENIED"


class NotFoundError(APIError):
    code = "NOT_FOUND"


class ConflictError(APIError):
    code = "CONFLICT"


class RateLimitError(APIError):
    code = "RATE_LIMITED"

    @property
    def retry_after(self) -> float | None:
        value = self.details.get("retry_after")
        return float(value) if value is not None else None


class ServerError(APIError):
    code = "INTERNAL_ERROR"


class ServiceUnavailableError(APIError):
    code = "SERVICE_UNAVAILABLE"


class AccountNotFoundError(NotFoundError):
    code = "ACCOUNT_NOT_FOUND"


class ApiKeyNotFoundError(NotFoundError):
    code = "API_KEY_NOT_FOUND"


class AccountInactiveError(ConflictError):
    code = "ACCOUNT_INACTIVE"


class DuplicateAccountNameError(ConflictError):
    code = "DUPLICATE_ACCOUNT_NAME"


class KiteLoginRequiredError(ConflictError):
    """The Kite account has no valid session today: log in to Kite from the app again."""

    code = "KITE_LOGIN_REQUIRED"


_BY_STATUS: dict[int, type[StocksBlitzError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_from_response(status_code: int, body: Any) -> StocksBlitzError:
    """Build the exception for an error response (falls back on the HTTP status)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        klass = _BY_STATUS.get(status_code, ServerError if status_code >= 500 else APIError)
        return klass(f"HTTP {status_code}", status_code=status_code, details={"body": body})
    code = str(error.get("code") or "")
    klass = _BY_CODE.get(code) or _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else APIError)
    return klass(
        str(error.get("message") or code),
        code=code or None,
        details=error.get("details") or {},
        status_code=status_code,
    )


def exception_for_code(code: str) -> type[StocksBlitzError] | None:
    return _BY_CODE.get(code)
