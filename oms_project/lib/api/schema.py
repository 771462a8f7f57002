"""drf-spectacular hooks and helpers.

- `add_error_responses` (postprocessing hook): every operation documents the shared error body
  `{"error": {code, message, details}}` for 400/401/404/429 (401 only where a credential is asked for).
- `error_responses({409: "..."})`: extra error statuses of one operation, for `@extend_schema(responses=...)`.
- `request_constraints(...)`: JSON Schema keywords a request body needs beyond its fields ("instrument_token,
  or exchange and tradingsymbol"), applied by `ConstrainedSerializerExtension`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import get_class
from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "VALIDATION_ERROR"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

_COMMON = {"400": "Invalid request", "401": "Not authenticated", "404": "Not found", "429": "Rate limited"}


def error_responses(statuses: dict[int, str]) -> dict[int, OpenApiResponse]:
    """`{409: "Idempotency conflict"}` -> responses documented with the shared error body."""
    return {status: OpenApiResponse(response=ERROR_REF, description=text) for status, text in statuses.items()}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            anonymous = operation.get("security") == [{}] or operation.get("security") == []
            for status, description in _COMMON.items():
                if status == "401" and anonymous:
                    continue
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result


# --- request-body constraints -------------------------------------------------------------------
def request_constraints(*all_of: dict[str, Any]):  # noqa: ANN201 - class decorator
    """Class decorator: extra JSON Schema (each item ANDed) for a serializer's *request* component,
    e.g. `{"anyOf": [{"required": ["instrument_token"]}, {"required": ["exchange", "tradingsymbol"]}]}`.
    The serializer's `validate()` must enforce the same rule (the contract test checks both agree)."""

    def decorate(cls: type) -> type:
        cls.schema_request_constraints = list(all_of)
        return cls

    return decorate


def _refuses_unknown_fields(cls: type) -> bool:
    """Serializers with `fields.RefuseUnknownFieldsMixin` (read by attribute: fields.py imports this module)."""
    return getattr(cls, "allow_unknown_fields", True) is False


class ConstrainedSerializerExtension(OpenApiSerializerExtension):
    """The request component of a body serializer: `additionalProperties: false` when it refuses unknown
    fields (answering 400 UNKNOWN_FIELD), plus its `request_constraints`."""

    target_class = "rest_framework.serializers.Serializer"
    match_subclasses = True
    priority = -1

    @classmethod
    def _matches(cls, target: Any) -> bool:
        if not super()._matches(target):
            return False
        klass = get_class(target)
        return bool(getattr(klass, "schema_request_constraints", None)) or _refuses_unknown_fields(klass)

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            klass = get_class(self.target)
            if _refuses_unknown_fields(klass):
                schema = {**schema, "additionalProperties": False}
            constraints = getattr(klass, "schema_request_constraints", None)
            if constraints:
                schema = {**schema, "allOf": [*schema.get("allOf", []), *constraints]}
        return schema


def require_nonempty_bodies(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A request body whose schema demands some property (a `required` list, `minProperties`, or an
    `anyOf` of required fields from `request_constraints`) is itself required: omitting the body is
    then invalid too, as the serializer says (e.g. "Nothing to change")."""
    schemas = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            body = operation.get("requestBody")
            if not body:
                continue
            ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            if _demands_properties(schemas.get(ref.rsplit("/", 1)[-1], {})):
                body["required"] = True
    return result


def _demands_properties(schema: dict[str, Any]) -> bool:
    if schema.get("required") or schema.get("minProperties"):
        return True
    parts = [*schema.get("allOf", [])]
    return any(_demands_properties(p) or all(_demands_properties(a) for a in p.get("anyOf", [{}])) for p in parts)
