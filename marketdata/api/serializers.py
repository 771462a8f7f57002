"""API shapes for instruments, quotes and depth (globally unique serializer names)."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from marketdata.models import Instrument
from marketdata.services import INSTRUMENT_CSV_COLUMNS
from oms_project.lib.api.fields import (
    PriceField,
    QueryBooleanField,
    QueryParamsSerializer,
    StrictCharField,
)

# EXCHANGE:TRADINGSYMBOL, e.g. NFO:NIFTY26DEC26000CE, NSE:M&M, NSE:NIFTY 50 (index names have spaces).
# At most 64 symbol characters, no leading/trailing space (the selectors' key check is looser).
_SYMBOL = r"[A-Z0-9&_.\-]([A-Z0-9&_. \-]{0,62}[A-Z0-9&_.\-])?"
INSTRUMENT_KEY_PATTERN = rf"[A-Z]{{2,6}}:{_SYMBOL}"
INSTRUMENT_KEYS_PATTERN = rf"^{INSTRUMENT_KEY_PATTERN}(,{INSTRUMENT_KEY_PATTERN})*$"


class InstrumentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        # Kite's 12 dump columns, then what we attach to each instrument.
        fields = [*INSTRUMENT_CSV_COLUMNS, "freeze_quantity", "source", "is_active"]


class InstrumentListFilterSerializer(QueryParamsSerializer):
    q = StrictCharField(required=False, allow_blank=True, max_length=64)
    exchange = StrictCharField(required=False, max_length=8)
    name = StrictCharField(required=False, max_length=64)
    instrument_type = serializers.ChoiceField(required=False, choices=Instrument.Type.choices)
    segment = StrictCharField(required=False, max_length=16)
    expiry = serializers.DateField(required=False)
    strike = PriceField(required=False)
    include_inactive = QueryBooleanField(required=False, default=False)


class MarketQuoteFilterSerializer(QueryParamsSerializer):
    instruments = StrictCharField(
        max_length=40_000,
        validators=[
            RegexValidator(
                INSTRUMENT_KEYS_PATTERN,
                message="Instrument keys look like EXCHANGE:TRADINGSYMBOL, comma-separated, "
                "e.g. NFO:NIFTY26DEC26000CE,NSE:INFY.",
                code="INVALID_INSTRUMENT_KEY",
            )
        ],
        help_text="Comma-separated EXCHANGE:TRADINGSYMBOL keys (at most 500), e.g. NFO:NIFTY26DEC26000CE,NSE:INFY. "
        "Kite's repeated `i=NSE:INFY&i=NSE:SBIN` form is accepted too.",
    )


class DepthLevelOutputSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity = serializers.IntegerField()
    orders = serializers.IntegerField()


class MarketDepthSidesOutputSerializer(serializers.Serializer):
    buy = DepthLevelOutputSerializer(many=True)
    sell = DepthLevelOutputSerializer(many=True)


class OhlcOutputSerializer(serializers.Serializer):
    open = serializers.DecimalField(max_digits=14, decimal_places=2)
    high = serializers.DecimalField(max_digits=14, decimal_places=2)
    low = serializers.DecimalField(max_digits=14, decimal_places=2)
    close = serializers.DecimalField(max_digits=14, decimal_places=2)


class MarketQuoteOutputSerializer(serializers.Serializer):
    instrument_token = serializers.IntegerField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    timestamp = serializers.DateTimeField()
    last_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    last_quantity = serializers.IntegerField()
    average_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    volume = serializers.IntegerField()
    oi = serializers.IntegerField()
    net_change = serializers.DecimalField(max_digits=14, decimal_places=2)
    ohlc = OhlcOutputSerializer()
    lower_circuit_limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    upper_circuit_limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    depth = MarketDepthSidesOutputSerializer()


class MarketQuoteMapOutputSerializer(serializers.Serializer):
    data = serializers.DictField(
        child=MarketQuoteOutputSerializer(), help_text="Quotes keyed by EXCHANGE:TRADINGSYMBOL"
    )


class MarketDepthOutputSerializer(serializers.Serializer):
    instrument_token = serializers.IntegerField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    timestamp = serializers.DateTimeField()
    last_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    buy = DepthLevelOutputSerializer(many=True)
    sell = DepthLevelOutputSerializer(many=True)
