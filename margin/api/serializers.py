"""Margin and costs API serializers: strict inputs, documented outputs (Kite's field names)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from oms_project.lib.api.fields import (
    PriceField,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
)
from oms_project.lib.api.schema import request_constraints

MONEY = {"max_digits": 20, "decimal_places": 2, "coerce_to_string": True}
RAW = {"max_digits": 30, "decimal_places": 12, "coerce_to_string": True}
SIDES = ["BUY", "SELL"]
PRODUCTS = ["CNC", "MIS", "NRML"]
ORDER_TYPES = ["MARKET", "LIMIT", "SL", "SL-M"]
MAX_ORDERS = 100


def _instrument_given(attrs: dict[str, Any]) -> None:
    if not attrs.get("instrument_token") and not attrs.get("tradingsymbol"):
        raise serializers.ValidationError("Give instrument_token, or exchange and tradingsymbol.")


@request_constraints({"anyOf": [{"required": ["instrument_token"]}, {"required": ["tradingsymbol"]}]})
class MarginOrderInputSerializer(StrictInputSerializer):
    """One order, as Kite's margin and charges calculators take it."""

    exchange = StrictCharField(required=False, max_length=8, help_text="NFO, NSE, BFO, BSE.")
    tradingsymbol = StrictCharField(required=False, max_length=64)
    instrument_token = StrictIntegerField(required=False, min_value=1)
    transaction_type = serializers.ChoiceField(choices=SIDES)
    quantity = StrictIntegerField(min_value=1, max_value=10_000_000, help_text="Units (Kite semantics).")
    price = PriceField(required=False, allow_null=True, help_text="LIMIT/SL price; else the market's price.")
    trigger_price = PriceField(required=False, allow_null=True)
    product = serializers.ChoiceField(choices=PRODUCTS, default="NRML")
    order_type = serializers.ChoiceField(choices=ORDER_TYPES, default="MARKET")
    variety = serializers.ChoiceField(choices=["regular", "amo"], default="regular")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _instrument_given(attrs)
        return attrs


@request_constraints({"properties": {"orders": {"minItems": 1, "maxItems": MAX_ORDERS}}})
class MarginOrdersInputSerializer(StrictInputSerializer):
    account_id = StrictIntegerField(required=False, min_value=1, help_text="Default: your default account.")
    orders = MarginOrderInputSerializer(many=True, allow_empty=False, min_length=1, max_length=MAX_ORDERS)


class MarginBasketInputSerializer(MarginOrdersInputSerializer):
    consider_positions = StrictBooleanField(
        default=True, help_text="Margin the basket against the account's positions and working orders (Kite's)."
    )


class CostsInputSerializer(MarginOrdersInputSerializer):
    strategy_id = StrictIntegerField(required=False, allow_null=True, min_value=1)


@request_constraints(
    {"anyOf": [{"required": ["instrument_token"]}, {"required": ["symbol"]}, {"required": ["tradingsymbol"]}]},
    {"anyOf": [{"required": ["side"]}, {"required": ["transaction_type"]}]},
)
class StrategyInstrumentInputSerializer(StrictInputSerializer):
    """One leg of a strategy: the instrument (`symbol` = tradingsymbol, or instrument_token), size and side."""

    symbol = StrictCharField(required=False, max_length=64, help_text="Tradingsymbol, e.g. NIFTY25DEC24500CE.")
    tradingsymbol = StrictCharField(required=False, max_length=64)
    exchange = StrictCharField(required=False, max_length=8, help_text="Default NFO.")
    instrument_token = StrictIntegerField(required=False, min_value=1)
    quantity = StrictIntegerField(min_value=1, max_value=10_000_000)
    price = PriceField(required=False, allow_null=True)
    side = StrictCharField(
        required=False,
        max_length=4,
        validators=[RegexValidator(r"^(BUY|SELL)$", "BUY or SELL.")],
        help_text="BUY or SELL (or give transaction_type).",
    )
    transaction_type = serializers.ChoiceField(choices=SIDES, required=False)
    product = serializers.ChoiceField(choices=PRODUCTS, default="NRML")
    order_type = serializers.ChoiceField(choices=ORDER_TYPES, default="MARKET")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("instrument_token") and not (attrs.get("symbol") or attrs.get("tradingsymbol")):
            raise serializers.ValidationError("Give symbol (tradingsymbol) or instrument_token.")
        if not (attrs.get("side") or attrs.get("transaction_type")):
            raise serializers.ValidationError("Give side (BUY/SELL).")
        return attrs


@request_constraints({"properties": {"instruments": {"minItems": 1, "maxItems": MAX_ORDERS}}})
class StrategyInstrumentsInputSerializer(StrictInputSerializer):
    instruments = StrategyInstrumentInputSerializer(many=True, allow_empty=False, min_length=1, max_length=MAX_ORDERS)


# --- outputs -------------------------------------------------------------------------------------
class GstSerializer(serializers.Serializer):
    igst = serializers.DecimalField(**RAW)
    cgst = serializers.DecimalField(**RAW)
    sgst = serializers.DecimalField(**RAW)
    total = serializers.DecimalField(**RAW)


class KiteChargesSerializer(serializers.Serializer):
    """Kite's `charges` object (unrounded; stamp duty to the rupee as Kite reports it)."""

    transaction_tax = serializers.DecimalField(**RAW)
    transaction_tax_type = serializers.CharField()
    exchange_turnover_charge = serializers.DecimalField(**RAW)
    sebi_turnover_charge = serializers.DecimalField(**RAW)
    brokerage = serializers.DecimalField(**RAW)
    stamp_duty = serializers.DecimalField(**RAW)
    gst = GstSerializer()
    total = serializers.DecimalField(**RAW)


class FiguresSerializer(serializers.Serializer):
    span = serializers.DecimalField(**MONEY)
    exposure = serializers.DecimalField(**MONEY)
    option_premium = serializers.DecimalField(**MONEY, help_text="Bought +; in `final`, sold − (net premium).")
    additional = serializers.DecimalField(**MONEY)
    var = serializers.DecimalField(**MONEY, help_text="Equity VaR margin (MIS 20%, CNC buy 100%).")
    bo = serializers.DecimalField(**MONEY)
    cash = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


class FiguresWithChargesSerializer(FiguresSerializer):
    charges = KiteChargesSerializer()


class OrderFiguresSerializer(FiguresWithChargesSerializer):
    type = serializers.CharField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    instrument_token = serializers.IntegerField()
    transaction_type = serializers.CharField()
    quantity = serializers.IntegerField()
    price = serializers.DecimalField(**MONEY, help_text="The price it was margined at.")


class OrderBrokerComparisonSerializer(serializers.Serializer):
    total = serializers.DecimalField(**MONEY, help_text="Kite's `total` (POST /margins/orders).")
    difference = serializers.DecimalField(**MONEY, help_text="Ours − Kite's.")
    accuracy_pct = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True, coerce_to_string=True)


class OrderMarginFiguresSerializer(OrderFiguresSerializer):
    required = serializers.DecimalField(**MONEY, help_text="What the OMS would hold back for it (with buffer).")
    broker = OrderBrokerComparisonSerializer(
        allow_null=True, help_text="Kite accounts: Kite's own figure for this order next to ours (null for paper)."
    )


class BufferFactorSerializer(serializers.Serializer):
    name = serializers.CharField()
    factor = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=True)
    reason = serializers.CharField()


class MarginBlockSerializer(serializers.Serializer):
    required = serializers.DecimalField(**MONEY, help_text="Exchange margin + OMS buffer the orders add.")
    exchange_required = serializers.DecimalField(**MONEY)
    buffer = serializers.DecimalField(**MONEY)
    buffer_factors = BufferFactorSerializer(many=True)
    available = serializers.DecimalField(**MONEY, allow_null=True, help_text="null: the broker holds the funds.")
    remaining = serializers.DecimalField(**MONEY, allow_null=True)
    can_execute = serializers.BooleanField()


class BrokerComparisonSerializer(serializers.Serializer):
    final_total = serializers.DecimalField(**MONEY, help_text="Kite's `final.total`.")
    initial_total = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY, help_text="Ours − Kite's.")
    accuracy_pct = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True, coerce_to_string=True)


class BasketMarginOutputSerializer(MarginBlockSerializer):
    initial = FiguresWithChargesSerializer(help_text="Each order margined alone, summed (no hedge).")
    final = FiguresWithChargesSerializer(help_text="Margined together (and against positions when asked).")
    orders = OrderFiguresSerializer(many=True)
    charges = KiteChargesSerializer()
    source = serializers.CharField(help_text="span-file:<date> or synthetic.")
    broker = BrokerComparisonSerializer(allow_null=True, help_text="Kite accounts: Kite's own figure next to ours.")


class OrderMarginsOutputSerializer(serializers.Serializer):
    initial = FiguresWithChargesSerializer()
    final = FiguresWithChargesSerializer()
    orders = OrderMarginFiguresSerializer(many=True)
    charges = KiteChargesSerializer()
    required = serializers.DecimalField(**MONEY)
    broker = OrderBrokerComparisonSerializer(
        allow_null=True, help_text="Kite accounts: Kite's totals over the orders next to ours (null for paper)."
    )


class SeedChargesSerializer(serializers.Serializer):
    order_value = serializers.DecimalField(**RAW)
    brokerage = serializers.DecimalField(**RAW)
    stt = serializers.DecimalField(**RAW, help_text="STT (or CTT).")
    exchange_charges = serializers.DecimalField(**RAW)
    sebi_charges = serializers.DecimalField(**RAW)
    stamp_duty = serializers.DecimalField(**RAW)
    gst = serializers.DecimalField(**RAW)
    total_charges = serializers.DecimalField(**RAW)


class CostOrderSerializer(serializers.Serializer):
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    instrument_token = serializers.IntegerField()
    transaction_type = serializers.CharField()
    quantity = serializers.IntegerField()
    price = serializers.DecimalField(**MONEY)
    product = serializers.CharField()
    order_type = serializers.CharField()
    charges = SeedChargesSerializer()


class CostsOutputSerializer(serializers.Serializer):
    orders = CostOrderSerializer(many=True)
    total = SeedChargesSerializer()
    margin = MarginBlockSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class StrategyCostsOutputSerializer(serializers.Serializer):
    strategy_id = serializers.IntegerField()
    total_entry_cost = serializers.DecimalField(**RAW, help_text="Order value + charges of the entry.")
    total_exit_cost = serializers.DecimalField(**RAW, help_text="Estimated: value received − exit charges.")
    entry_charges = serializers.DecimalField(**RAW)
    exit_charges = serializers.DecimalField(**RAW)
    breakdown = SeedChargesSerializer()
    exit_breakdown = SeedChargesSerializer()
    orders = CostOrderSerializer(many=True)
    margin = MarginBlockSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class StrategyMarginOutputSerializer(BasketMarginOutputSerializer):
    strategy_id = serializers.IntegerField()


class AvailableMarginOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    available = serializers.DecimalField(**MONEY, allow_null=True, help_text="total − used (null for Kite).")
    used = serializers.DecimalField(**MONEY, help_text="Exchange margin + OMS buffer held back.")
    total = serializers.DecimalField(**MONEY, allow_null=True, help_text="The funds margin is held against.")
    utilisation_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True)
    level = serializers.ChoiceField(choices=["LOW", "MEDIUM", "HIGH", "EXTREME", "UNKNOWN"])
    span = serializers.DecimalField(**MONEY)
    exposure = serializers.DecimalField(**MONEY)
    option_premium = serializers.DecimalField(**MONEY)
    var = serializers.DecimalField(**MONEY)
    additional = serializers.DecimalField(**MONEY)
    exchange_total = serializers.DecimalField(**MONEY)
    buffer = serializers.DecimalField(**MONEY)
    buffer_factors = BufferFactorSerializer(many=True)
    positions = serializers.IntegerField()
    open_orders = serializers.IntegerField()
    source = serializers.CharField()


class StrategyChargesOutputSerializer(serializers.Serializer):
    strategy_id = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Executed orders charged.")
    order_value = serializers.DecimalField(**RAW)
    brokerage = serializers.DecimalField(**RAW)
    taxes = serializers.DecimalField(**RAW, help_text="STT/CTT + exchange + SEBI + stamp duty + GST.")
    stt = serializers.DecimalField(**RAW)
    exchange_charges = serializers.DecimalField(**RAW)
    sebi_charges = serializers.DecimalField(**RAW)
    stamp_duty = serializers.DecimalField(**RAW)
    gst = serializers.DecimalField(**RAW)
    total_charges = serializers.DecimalField(**RAW)
