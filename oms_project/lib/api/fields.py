"""Strict serializer fields: the API accepts exactly what its OpenAPI schema documents.

DRF's stock fields are lenient in ways a trading bot should not rely on, and which make the schema lie:
`CharField` turns `0` into `"0"`, `BooleanField` takes `"yes"`/`0`/`"on"`, `IntegerField` takes `"12"` and
`12.0`, `DecimalField` is documented with a pattern that admits `""` and `"-"`, and a query string read
through a `Serializer` treats `segment=` as "not given" and silently keeps the last of `a=1&a=2`.
Each field here validates the JSON type first, and documents itself with a precise schema
(proven by `tests/contract`, a schemathesis run over every operation).

Prices (`PriceField`, `PositivePriceField`) accept a decimal string (preferred: exact) or a JSON number.
Trailing zeros are fine (`"24010.5000"` as a quote prints it is 24010.50); more than 2 significant
decimal places is refused, never rounded (rounding a price silently would trade at a price nobody sent).
Whether the price sits on the instrument's tick (0.05 for NSE F&O) is a business rule checked by the
order services, not here.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms_project.lib.api import schema as _schema  # noqa: F401  (registers the OpenAPI extensions)
from oms_project.lib.errors import UnknownField


def _utf8_ok(text: str) -> bool:
    """JSON may carry lone surrogates ("\\ud800"); no database can store them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class StrictCharField(serializers.CharField):
    """A string, and only a JSON string (numbers, booleans, lists are refused, not stringified)."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not _utf8_ok(data):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            # Judged on the text as sent (the schema's maxLength), not after trimming its whitespace.
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """What a text field refuses beyond its length, said in the request schema as a pattern: NUL characters
    (DRF's ProhibitNullCharactersValidator) and, for a required text that trims whitespace, text that is only
    whitespace (it would be blank). Fields with their own RegexValidator keep their pattern."""

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        has_pattern = "pattern" in schema or any(isinstance(v, RegexValidator) for v in field.validators)
        if direction == "request" and not has_pattern:
            non_blank = not field.allow_blank and field.trim_whitespace
            pattern = r"^[^\x00]*[^\s\x00][^\x00]*$" if non_blank else r"^[^\x00]*$"
            schema = {**schema, "pattern": pattern}
        return schema


INT64_MAX = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (not `"12"`, `12.0` or `true`). In query strings use `QueryParamsSerializer`,
    which hands the field the digits as text: `QueryIntegerField` parses those."""

    default_error_messages = {"invalid": "Must be an integer."}

    def __init__(self, **kwargs: Any) -> None:
        # Every integer lands in a 64-bit column or filter at most (ids are BigAutoField): without a bound, a
        # 25-digit id answered 500 (SQLite: "Python int too large to convert to SQLite INTEGER").
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", -INT64_MAX - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


_INT_TEXT = re.compile(r"^-?\d{1,18}$")
QUERY_INT_MAX = 10**18 - 1


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string: optional minus sign and digits only (no `1.0`, `+1`, ` 1`)."""

    default_error_messages = {"invalid": "Must be an integer."}

    def __init__(self, **kwargs: Any) -> None:
        # At most 18 digits (_INT_TEXT): said in the schema too, so a client (or the contract test) knows.
        kwargs.setdefault("max_value", QUERY_INT_MAX)
        kwargs.setdefault("min_value", -QUERY_INT_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not _INT_TEXT.match(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON `true` or `false` in a body (not `0`, `"yes"`, `"false"` or `null`)."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean)."}

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        self.fail("invalid")


QUERY_BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}


@extend_schema_field({"type": "string", "enum": list(QUERY_BOOLEAN_VALUES)})
class QueryBooleanField(serializers.BooleanField):
    """A boolean in a query string: exactly `true`, `false`, `1` or `0`."""

    default_error_messages = {"invalid": "Must be true, false, 1 or 0."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, str) and data in QUERY_BOOLEAN_VALUES:
            return QUERY_BOOLEAN_VALUES[data]
        self.fail("invalid")


# --- prices -------------------------------------------------------------------------------------
# Two decimal places: the finest NSE/BSE equity and F&O tick is 0.05 (research/reference-data.md), and
# prices are stored as DECIMAL(14, 2). Up to 10 integer digits.
PRICE_INTEGER_DIGITS = 10
PRICE_DECIMAL_PLACES = 2
PRICE_MAX = Decimal("9999999999.99")
PRICE_PATTERN = r"^(0|[1-9]\d{0,9})(\.\d{1,2}0*)?$"
POSITIVE_PRICE_PATTERN = r"^([1-9]\d{0,9}(\.\d{1,2}0*)?|0\.(0[1-9]|[1-9]\d?)0*)$"
_CENT = Decimal("0.01")
_PRICE_DESCRIPTION = (
    'A decimal string such as "24010.55" (preferred: exact) or a JSON number. At most 2 significant '
    'decimal places; trailing zeros are fine ("24010.5000").'
)


def _price_schema(pattern: str, *, positive: bool) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": float(PRICE_MAX), "multipleOf": 0.01}
    if positive:  # OpenAPI 3.0 spells "> 0" as a boolean flag next to minimum
        number["exclusiveMinimum"] = True
    return {
        "oneOf": [{"type": "string", "format": "decimal", "pattern": pattern}, number],
        "description": _PRICE_DESCRIPTION,
    }


@extend_schema_field(_price_schema(PRICE_PATTERN, positive=False))
class PriceField(serializers.DecimalField):
    """A non-negative price with at most 2 significant decimal places (0 is Kite's "no price")."""

    pattern = re.compile(PRICE_PATTERN)
    positive = False
    default_error_messages = {
        "invalid": 'Must be a price: a decimal string like "24010.55" or a JSON number.',
        "precision": "At most 2 decimal places (trailing zeros are fine).",
        "range": "Must be at least 0 and below 10,000,000,000.",
        "positive": "Must be greater than 0.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", PRICE_INTEGER_DIGITS + PRICE_DECIMAL_PLACES)
        kwargs.setdefault("decimal_places", PRICE_DECIMAL_PLACES)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str):
            if not _utf8_ok(data) or not self.pattern.match(data):
                self._explain(data)
            value = Decimal(data)
        elif isinstance(data, (int, float)) and not isinstance(data, bool):
            if isinstance(data, float) and not math.isfinite(data):
                self.fail("invalid")
            # repr() is the shortest text that round-trips: 24010.55 -> "24010.55", not 24010.5499999...
            value = Decimal(repr(data)) if isinstance(data, float) else Decimal(data)
            self._check(value)
        else:
            self.fail("invalid")
        return value.quantize(_CENT)

    def _check(self, value: Decimal) -> None:
        if value < 0 or value > PRICE_MAX:
            self.fail("range")
        if value != value.quantize(_CENT):
            self.fail("precision")
        if self.positive and value == 0:
            self.fail("positive")

    def _explain(self, text: str) -> None:
        """The string is off the pattern: say why in trader's terms."""
        try:
            value = Decimal(text.strip())
        except (InvalidOperation, ValueError):
            self.fail("invalid")
        if not value.is_finite() or text != text.strip() or "e" in text.lower() or text.startswith("+"):
            self.fail("invalid")
        self._check(value)
        self.fail("invalid")  # e.g. leading zeros "007.5" or a bare "5."


@extend_schema_field(_price_schema(POSITIVE_PRICE_PATTERN, positive=True))
class PositivePriceField(PriceField):
    """A price or distance in points that must be above zero (stop-loss points, trailing step)."""

    pattern = re.compile(POSITIVE_PRICE_PATTERN)
    positive = True


class BoundedDecimalField(PriceField):
    """A non-negative decimal (at most 2 places) up to `maximum`, e.g. a duration in seconds. `pattern`
    must admit exactly the strings from 0 to `maximum` (the schema documents both, the check uses both)."""

    _spectacular_annotation: dict[str, Any] = {}  # not PriceField's static schema: BoundedDecimalFieldSchema

    def __init__(self, *, maximum: Decimal, pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.maximum = maximum
        self.pattern = re.compile(pattern)

    def _check(self, value: Decimal) -> None:
        super()._check(value)
        if value > self.maximum:
            self.fail("max_value", max_value=self.maximum)


class PercentField(BoundedDecimalField):
    """A percentage from 0 to 100 with at most 2 decimal places (trailing zeros fine)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(maximum=Decimal(100), pattern=r"^(([0-9]|[1-9][0-9])(\.\d{1,2}0*)?|100(\.0+)?)$", **kwargs)


class BoundedDecimalFieldSchema(OpenApiSerializerFieldExtension):
    target_class = BoundedDecimalField
    match_subclasses = True  # PercentField and other bounded decimals

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field = self.target
        number = {"type": "number", "minimum": 0, "maximum": float(field.maximum), "multipleOf": 0.01}
        return {"oneOf": [{"type": "string", "format": "decimal", "pattern": field.pattern.pattern}, number]}


# --- local times ----------------------------------------------------------------------------------
_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


@extend_schema_field(
    {
        "type": "string",
        "pattern": _LOCAL_TIME.pattern,
        "example": "22:00",
        "description": "Wall-clock time in Asia/Kolkata, HH:MM (or HH:MM:SS), without a UTC offset.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day (Asia/Kolkata): takes "HH:MM" or "HH:MM:SS", answers "HH:MM:SS". The OpenAPI `time`
    format means RFC 3339 with an offset, which is not what a quiet-hours setting is."""

    default_error_messages = {"invalid": 'Must be a time of day like "22:00" (HH:MM, Asia/Kolkata, no offset).'}

    def to_internal_value(self, value: Any) -> time:
        if not isinstance(value, str) or not _LOCAL_TIME.match(value):
            self.fail("invalid")
        parts = [int(p) for p in value.split(":")]
        return time(*parts)

    def to_representation(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return value.strftime("%H:%M:%S")


# --- query strings --------------------------------------------------------------------------------
class QueryParamsSerializer(serializers.Serializer):
    """Base for query-string filters. Reads `request.query_params` as plain values, so `segment=` is an
    empty string (refused unless the field allows blank) rather than "not given", and a filter given
    twice (`strategy_id=1&strategy_id=2`) is refused instead of silently keeping the last one.
    Parameters the serializer does not declare (`limit`, `offset`, ...) are left to their owners."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):
            flat: dict[str, Any] = {}
            repeated: dict[str, list[str]] = {}
            for name, field in self.fields.items():
                values = data.getlist(name)
                if not values:
                    continue
                if isinstance(field, serializers.ListField):
                    flat[name] = values
                elif len(values) > 1:
                    repeated[name] = [f"Give {name} once."]
                else:
                    flat[name] = values[0]
            if repeated:
                raise serializers.ValidationError(repeated)
            data = flat
        return super().to_internal_value(data)


# --- request bodies -------------------------------------------------------------------------------
# Every write body of the API is read through a serializer with this mixin: a field it does not take (or
# one it only shows, such as `id`) answers 400 `UNKNOWN_FIELD` naming it, before any other check. Never
# ignored: `"account": 3` for `account_id` would otherwise route an order to the default account. The
# schema says `additionalProperties: false` for these bodies (`schema.py`). `allow_unknown_fields = True`
# opts out, for bodies a third party owns (Kite's postback). (Comments, not docstrings: drf-spectacular
# would show an inherited docstring as the description of every request body.)
class RefuseUnknownFieldsMixin:
    allow_unknown_fields = False

    def to_internal_value(self, data: Any) -> Any:
        if not self.allow_unknown_fields and isinstance(data, Mapping):
            writable = [name for name, field in self.fields.items() if not field.read_only]  # type: ignore[attr-defined]
            unknown = [str(name) for name in data if name not in writable]
            if unknown:
                raise UnknownField(
                    _unknown_message(unknown, writable), details={"fields": unknown, "allowed": writable}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


def _unknown_message(unknown: list[str], writable: list[str]) -> str:
    names = ", ".join(repr(name) for name in unknown)
    message = f"Unknown field{'s' if len(unknown) > 1 else ''} {names}: nothing was done."
    hints = [
        f"{name!r} → {close[0]!r}"
        for name in unknown
        if (close := difflib.get_close_matches(name, writable, n=1, cutoff=0.6))
    ]
    if hints:
        message += f" Did you mean {', '.join(hints)}?"
    elif writable:
        message += f" This endpoint takes: {', '.join(writable)}."
    else:
        message += " This endpoint takes no body."
    return message


# Base of every request-body serializer: strict about which fields it takes (see the mixin).
class StrictInputSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    pass


# The body of an action that takes none (approve, exit, cancel): any field is unknown.
class EmptyInputSerializer(StrictInputSerializer):
    pass


def refuse_body_fields(request: Any) -> None:
    """For actions without a body: a JSON body naming any field answers 400 UNKNOWN_FIELD."""
    data = request.data
    if data:
        EmptyInputSerializer(data=data).is_valid(raise_exception=True)


# --- model serializers ----------------------------------------------------------------------------
class StrictModelSerializer(RefuseUnknownFieldsMixin, serializers.ModelSerializer):
    """A ModelSerializer whose generated text/boolean/integer fields are the strict ones above, and which
    refuses unknown fields in a request body."""

    serializer_field_mapping: dict[Any, Any] = {}  # filled below


def _strict_mapping() -> dict[Any, Any]:
    from django.db import models

    mapping = dict(serializers.ModelSerializer.serializer_field_mapping)
    for model_field in (models.CharField, models.TextField, models.SlugField):
        mapping[model_field] = StrictCharField
    mapping[models.BooleanField] = StrictBooleanField
    for model_field in (
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
    ):
        mapping[model_field] = StrictIntegerField
    return mapping


StrictModelSerializer.serializer_field_mapping = _strict_mapping()
