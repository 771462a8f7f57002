"""API shapes for instruments, quotes and depth (globally unique serializer names)."""

from rest_framework import serializers

from marketdata.models import Instrument


class InstrumentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = [
            "instrument_token",
            "exchange_token",
            "tradingsymbol",
            "name",
            "last_price",
            "expiry",
            "strike",
            "tick_size",
            "lot_size",
            "instrument_type",
            "segment",
            "exchange",
            "freeze_quantity",
            "source",
            "is_active",
        ]


class InstrumentListFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=64)
    exchange = serializers.CharField(required=False, max_length=8)
    name = serializers.CharField(required=False, max_length=64)
    instrument_type = serializers.ChoiceField(required=False, choices=Instrument.Type.choices)
    segment = serializers.CharField(required=False, max_length=16)
    expiry = serializers.DateField(required=False)
    strike = serializers.DecimalField(required=False, max_digits=14, decimal_places=2)
    include_inactive = serializers.BooleanField(required=False, default=False)


class MarketQuoteFilterSerializer(serializers.Serializer):
    instruments = serializers.CharField(
        help_text="Comma-separated EXCHANGE:TRADINGSYMBOL keys (at most 500), e.g. NFO:NIFTY26DEC26000CE,NSE:INFY"
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
