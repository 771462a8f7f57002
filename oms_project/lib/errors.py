"""The one error type every service raises, and how it maps onto the API's error body.

API errors always answer `{"error": {"code": ..., "message": ..., "details": {...}}}`. Each app
subclasses `DomainError` with a stable `code`; the SDK has one exception class per code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a trader or bot can act on. `code` is stable API; `message` is for people."""

    code: str = "DOMAIN_ERROR"
    http_status: int = 400
    default_message: str = "The request could not be completed."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)

    def as_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(DomainError):
    code = "NOT_FOUND"
    http_status = 404
    default_message = "Not found."


class InvalidInput(DomainError):
    code = "VALIDATION_ERROR"
    http_status = 400
    default_message = "The request has invalid fields."


class Conflict(DomainError):
    code = "CONFLICT"
    http_status = 409
    default_message = "The request conflicts with the current state."


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    http_status = 429
    default_message = "Too many requests."

    def __init__(self, message: str | None = None, *, retry_after: float = 1.0, details: dict[str, Any] | None = None):
        self.retry_after = retry_after
        super().__init__(message, details={"retry_after": retry_after, **(details or {})})


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    http_status = 503
    default_message = "A service the request needs is unavailable."


# --- request shape (the API's JSON layer, for every endpoint) ---------------------------------
class UnknownField(InvalidInput):
    """A body field the endpoint does not take. Never ignored: a typo such as `"account": 3` for
    `account_id` would otherwise send the order to the default account."""

    code = "UNKNOWN_FIELD"
    default_message = "The request has a field this endpoint does not take."


class DuplicateField(InvalidInput):
    """A JSON object naming the same field twice (`{"account_id": 1, "account_id": 2}`): which one was
    meant is unknowable, so neither is taken."""

    code = "DUPLICATE_FIELD"
    default_message = "A field is given more than once."


class JsonTooDeep(InvalidInput):
    code = "JSON_TOO_DEEP"
    default_message = "The JSON body is nested too deeply."
