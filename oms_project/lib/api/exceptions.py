"""One DRF exception handler: every API error becomes {"error": {code, message, details}}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from oms_project.lib.errors import DomainError, RateLimited

logger = logging.getLogger(__name__)

_DRF_CODES: list[tuple[type[Exception], str]] = [
    (drf.NotAuthenticated, "NOT_AUTHENTICATED"),
    (drf.AuthenticationFailed, "AUTHENTICATION_FAILED"),
    (drf.PermissionDenied, "PERMISSION_DENIED"),
    (drf.NotFound, "NOT_FOUND"),
    (drf.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (drf.NotAcceptable, "NOT_ACCEPTABLE"),
    (drf.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (drf.ParseError, "MALFORMED_REQUEST"),
    (drf.Throttled, "RATE_LIMITED"),
    (drf.ValidationError, "VALIDATION_ERROR"),
]


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_message(detail: Any) -> str:
    """The first field error, phrased for a person: 'quantity: Ensure this value is ...'."""
    if isinstance(detail, dict):
        for field, errors in detail.items():
            inner = _validation_message(errors)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _validation_message(detail[0])
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        response = Response(exc.as_body(), status=exc.http_status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_default_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(error_body("INTERNAL_ERROR", "Something went wrong on our side."), status=500)

    code = next((c for klass, c in _DRF_CODES if isinstance(exc, klass)), "ERROR")
    if isinstance(exc, drf.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(code, _validation_message(exc.detail), {"fields": details})
    else:
        detail = getattr(exc, "detail", str(exc))
        details: dict[str, Any] = {}
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            details["retry_after"] = exc.wait
        response.data = error_body(code, str(detail), details)
    return response


def json_not_found(request, exception=None):  # noqa: ANN001 - Django handler signature
    return JsonResponse(error_body("NOT_FOUND", "Not found."), status=404)


def json_server_error(request):  # noqa: ANN001
    return JsonResponse(error_body("INTERNAL_ERROR", "Something went wrong on our side."), status=500)
