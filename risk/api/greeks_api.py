"""Risk API additions of the live monitor (issue #12): `GET /api/v1/risk/greeks/`, `GET /api/v1/risk/sizing/`.
Thin: parse, call one selector (risk/greeks_book.py), render. Included from risk/api/urls.py."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import PriceField, QueryIntegerField, QueryParamsSerializer
from risk import greeks_book

MONEY = {"max_digits": 18, "decimal_places": 2}


class GreeksFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)


class SizingFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)
    instrument_token = QueryIntegerField(min_value=1)
    stop_distance = PriceField(required=False, help_text="Points from entry to the stop.")


class _Figures(serializers.Serializer):
    positions = serializers.IntegerField()
    delta_inr = serializers.DecimalField(**MONEY, help_text="₹ futures-equivalent exposure")
    gamma_inr = serializers.DecimalField(**MONEY, help_text="change of ₹ delta for a 1% move")
    vega_inr = serializers.DecimalField(**MONEY, help_text="₹ per vol point")
    theta_inr = serializers.DecimalField(**MONEY, help_text="₹ per calendar day")
    premium_inr = serializers.DecimalField(**MONEY)


class _Strategy(_Figures):
    strategy_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class _Underlying(_Figures):
    underlying = serializers.CharField()
    delta_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    gamma_units = serializers.DecimalField(max_digits=20, decimal_places=6)


class _Position(serializers.Serializer):
    position_id = serializers.IntegerField()
    tradingsymbol = serializers.CharField()
    strategy_id = serializers.IntegerField(allow_null=True)
    underlying = serializers.CharField()
    quantity = serializers.IntegerField()
    delta_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    gamma_units = serializers.DecimalField(max_digits=20, decimal_places=6)
    delta_inr = serializers.DecimalField(**MONEY)
    gamma_inr = serializers.DecimalField(**MONEY)
    vega_inr = serializers.DecimalField(**MONEY)
    theta_inr = serializers.DecimalField(**MONEY)
    premium_inr = serializers.DecimalField(**MONEY)


class _Limit(serializers.Serializer):
    enabled = serializers.BooleanField()
    max_delta_inr = serializers.DecimalField(**MONEY)
    max_vega_inr = serializers.DecimalField(**MONEY)


class _Snapshot(serializers.Serializer):
    strategy_id = serializers.IntegerField(allow_null=True)
    taken_at = serializers.DateTimeField()
    positions = serializers.IntegerField()
    delta_inr = serializers.DecimalField(**MONEY)
    gamma_inr = serializers.DecimalField(**MONEY)
    vega_inr = serializers.DecimalField(**MONEY)
    theta_inr = serializers.DecimalField(**MONEY)
    premium_inr = serializers.DecimalField(**MONEY)


class _Cluster(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField())
    net_inr = serializers.DecimalField(**MONEY)
    gross_inr = serializers.DecimalField(**MONEY)


class _Correlation(serializers.Serializer):
    window_minutes = serializers.IntegerField()
    threshold = serializers.FloatField()
    names = serializers.ListField(child=serializers.CharField())
    matrix = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    gross_inr = serializers.DecimalField(**MONEY)
    net_inr = serializers.DecimalField(**MONEY)
    effective_inr = serializers.DecimalField(**MONEY, help_text="√(eᵀCe) of the ₹ delta per underlying")
    clusters = _Cluster(many=True)


class GreeksOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    account = _Figures()
    by_strategy = _Strategy(many=True)
    by_underlying = _Underlying(many=True)
    positions = _Position(many=True)
    limit = _Limit()
    snapshots = _Snapshot(many=True)
    correlation = _Correlation()


class SizingOutputSerializer(serializers.Serializer):
    instrument_token = serializers.IntegerField()
    tradingsymbol = serializers.CharField()
    lot_size = serializers.IntegerField()
    lots = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField(allow_null=True)
    binding = serializers.CharField(help_text="risk, volume or oi: the constraint that decides")
    by_constraint = serializers.DictField(child=serializers.IntegerField())
    risk_per_trade_pct = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    volume = serializers.IntegerField(allow_null=True)
    oi = serializers.IntegerField(allow_null=True)


class RiskGreeksApi(APIView):
    @extend_schema(parameters=[GreeksFilterSerializer], responses={200: GreeksOutputSerializer})
    def get(self, request: Request) -> Response:
        """Greeks (Black-76) per position, strategy, underlying and account in units and ₹, the Greeks limit,
        today's 5-minute snapshots and the correlated exposure of the underlyings."""
        f = GreeksFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        view = greeks_book.greeks_view(user=request.user, account_id=f.validated_data.get("account_id"))
        return Response(GreeksOutputSerializer(view).data)


class RiskSizingApi(APIView):
    @extend_schema(parameters=[SizingFilterSerializer], responses={200: SizingOutputSerializer})
    def get(self, request: Request) -> Response:
        """Liquidity-based sizing advice: the lots the risk-per-trade limit, 1% of today's volume and 5% of the
        open interest allow, and the smallest of them."""
        f = SizingFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        d = f.validated_data
        view = greeks_book.sizing_view(
            user=request.user,
            instrument_token=d["instrument_token"],
            stop_distance=d.get("stop_distance"),
            account_id=d.get("account_id"),
        )
        return Response(SizingOutputSerializer(view).data)


urlpatterns = [
    path("risk/greeks/", RiskGreeksApi.as_view(), name="api-risk-greeks"),
    path("risk/sizing/", RiskSizingApi.as_view(), name="api-risk-sizing"),
]
