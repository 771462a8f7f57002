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
