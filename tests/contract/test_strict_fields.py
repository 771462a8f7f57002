"""The strict API fields: what they take, what they refuse, and that schema and code agree."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rest_framework import serializers

from oms_project.lib.api.fields import (
    POSITIVE_PRICE_PATTERN,
    PRICE_PATTERN,
    LocalTimeField,
    PositivePriceField,
    PriceField,
    QueryBooleanField,
    QueryParamsSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)


def _run(field: serializers.Field, value: object) -> object:
    return field.run_validation(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("24010.5000", "24010.50"), ("24010.55", "24010.55"), ("0", "0.00"), (24010.55, "24010.55"), (75, "75.00")],
)
def test_price_accepts_decimal_strings_with_trailing_zeros_and_json_numbers(raw: object, expected: str) -> None:
    assert _run(PriceField(), raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "-", "-1", "1.005", "1e3", " 5", "007", "5.", True, None, [], 1.005, float("nan")])
def test_price_refuses_what_its_schema_refuses(raw: object) -> None:
    with pytest.raises(serializers.ValidationError):
        _run(PriceField(), raw)


def test_price_error_says_why() -> None:
    with pytest.raises(serializers.ValidationError) as caught:
        _run(PriceField(), "24010.555")
    assert "2 decimal places" in str(caught.value.detail[0])


@pytest.mark.parametrize("text", ["0.01", "0.10", "5", "24010.5000", "9999999999.99"])
def test_positive_price_pattern_and_field_agree_on_valid(text: str) -> None:
    assert re.match(POSITIVE_PRICE_PATTERN, text) and re.match(PRICE_PATTERN, text)
    assert _run(PositivePriceField(), text) > 0


@pytest.mark.parametrize("text", ["0", "0.00", "0.0", "0.000"])
def test_positive_price_refuses_zero(text: str) -> None:
    assert not re.match(POSITIVE_PRICE_PATTERN, text)
    with pytest.raises(serializers.ValidationError):
        _run(PositivePriceField(), text)


def test_strict_scalars_refuse_other_json_types() -> None:
    for field, bad in ((StrictCharField(), 0), (StrictBooleanField(), 0), (StrictBooleanField(), "true")):
        with pytest.raises(serializers.ValidationError):
            _run(field, bad)
    for bad in ("12", 12.0, True):
        with pytest.raises(serializers.ValidationError):
            _run(StrictIntegerField(), bad)
    assert _run(StrictCharField(), "x") == "x" and _run(StrictBooleanField(), False) is False
    with pytest.raises(serializers.ValidationError):
        _run(StrictCharField(), "\ud800")  # a lone surrogate no database can store


def test_query_boolean_takes_exactly_four_spellings() -> None:
    field = QueryBooleanField()
    assert [_run(field, v) for v in ("true", "1", "false", "0")] == [True, True, False, False]
    for bad in ("null", "True", "yes", ""):
        with pytest.raises(serializers.ValidationError):
            _run(field, bad)


def test_local_time_takes_wall_clock_times_only() -> None:
    field = LocalTimeField()
    assert field.to_representation(_run(field, "22:00")) == "22:00:00"
    for bad in ("00:00:00Z", "24:00", "7:00", 2200):
        with pytest.raises(serializers.ValidationError):
            _run(field, bad)


def test_query_params_refuse_repeats_and_blank(rf) -> None:  # noqa: ANN001
    class Filters(QueryParamsSerializer):
        segment = StrictCharField(required=False)

    repeated = Filters(data=rf.get("/?segment=NFO&segment=NSE").GET)
    assert not repeated.is_valid() and repeated.errors["segment"] == ["Give segment once."]
    assert not Filters(data=rf.get("/?segment=").GET).is_valid()
    ok = Filters(data=rf.get("/?segment=NFO&limit=5").GET)
    assert ok.is_valid() and ok.validated_data == {"segment": "NFO"}


def test_order_body_takes_a_quote_price_back_as_is() -> None:
    from orders.api.serializers import OrderModifyInputSerializer, OrderPlaceInputSerializer

    body = {
        "instrument_token": 1,
        "transaction_type": "BUY",
        "quantity": 75,
        "order_type": "LIMIT",
        "price": "24010.5000",
    }
    placed = OrderPlaceInputSerializer(data=body)
    assert placed.is_valid(), placed.errors
    assert placed.validated_data["price"] == Decimal("24010.50")
    assert not OrderPlaceInputSerializer(data={"transaction_type": "BUY", "quantity": 75}).is_valid()
    assert not OrderModifyInputSerializer(data={}).is_valid()
    assert not OrderModifyInputSerializer(data={"price": ""}).is_valid()
