"""Execution advice API (issue #11): analyse an order against the book, and the slippage summary.

    POST /api/v1/orders/analyze-execution/   the whole analysis and what the guard would do
    POST /api/v1/orders/validate-spread/     the same answer; `spread_ok` is the verdict to read
    POST /api/v1/orders/estimate-impact/     the same answer; `impact_ok` is the verdict to read
    GET  /api/v1/analytics/slippage/         your fills' slippage by instrument, order type, algorithm, size, time

The body is an order's (`POST /orders/`); nothing is placed or written.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import QueryIntegerField, QueryParamsSerializer
from oms_project.lib.api.schema import error_responses
from oms_project.lib.pretrade import OrderIntent
from orders import execution, slippage

from .serializers import OrderPlaceInputSerializer
from .views import place_input

_D = dict(max_digits=20, decimal_places=4, allow_null=True)  # prices to ₹0.0001 (a VWAP, a mid)
_R = dict(max_digits=20, decimal_places=2, allow_null=True)  # ₹ and bps


class ThresholdsSerializer(serializers.Serializer):
    max_order_spread_pct = serializers.DecimalField(max_digits=8, decimal_places=4)
    wide_spread_pct = serializers.DecimalField(max_digits=8, decimal_places=4)
    max_market_impact_bps = serializers.DecimalField(max_digits=10, decimal_places=2)
    min_liquidity_score = serializers.IntegerField()
    require_user_approval_high_impact = serializers.BooleanField()


class RecentSlippageSerializer(serializers.Serializer):
    median_bps = serializers.DecimalField(max_digits=10, decimal_places=2)
    fills = serializers.IntegerField()


class ExecutionAnalysisOutputSerializer(serializers.Serializer):
    instrument_token = serializers.IntegerField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    side = serializers.CharField()
    quantity = serializers.IntegerField()
    order_type = serializers.CharField(help_text="As it would be sent (LIMIT when a WIDE spread converts it).")
    lot_size = serializers.IntegerField()
    tick_size = serializers.DecimalField(max_digits=10, decimal_places=4)
    best_bid = serializers.DecimalField(**_R, required=False)
    best_ask = serializers.DecimalField(**_R, required=False)
    mid = serializers.DecimalField(**_D, required=False, help_text="The arrival price.")
    spread_abs = serializers.DecimalField(**_R, required=False, help_text="₹")
    spread_pct = serializers.DecimalField(**_D, required=False, help_text="% of mid")
    spread_category = serializers.ChoiceField(
        choices=["TIGHT", "NORMAL", "WIDE", "VERY_WIDE"], allow_null=True, required=False
    )
    expected_price = serializers.DecimalField(**_D, required=False, help_text="VWAP of the walk of the book.")
    impact_bps = serializers.DecimalField(**_R, required=False, help_text="(VWAP − mid) / mid × 10,000 (buy).")
    estimated_slippage = serializers.DecimalField(**_R, required=False, help_text="₹ vs mid.")
    levels_consumed = serializers.IntegerField(required=False)
    worst_price = serializers.DecimalField(**_R, required=False)
    visible_quantity = serializers.IntegerField(required=False)
    book_shortfall = serializers.IntegerField(required=False, help_text="What the visible book cannot fill.")
    fillable_at_limit = serializers.IntegerField(allow_null=True, required=False)
    liquidity_score = serializers.IntegerField(required=False, help_text="0-100 (docs/analytics.md).")
    liquidity_band = serializers.CharField(required=False)
    recommendation = serializers.ChoiceField(
        choices=["EXECUTE_MARKET", "EXECUTE_LIMIT", "TWAP", "ICEBERG", "ALERT_USER_HIGH_COST", "REQUIRE_APPROVAL"],
        required=False,
    )
    recommendation_reason = serializers.CharField(required=False)
    recommendation_label = serializers.CharField(required=False, help_text="The recommendation in words.")
    recommended_limit_price = serializers.DecimalField(**_R, required=False)
    recommended_slice_quantity = serializers.IntegerField(allow_null=True, required=False)
    recommended_quantity = serializers.IntegerField(
        allow_null=True, required=False, help_text="Largest whole-lot quantity within the impact budget."
    )
    recommended_lots = serializers.IntegerField(allow_null=True, required=False)
    recommended_quantity_limited_by = serializers.CharField(allow_blank=True, required=False)
    guard = serializers.ChoiceField(choices=["NONE", "WIDE", "WIDE_SPREAD", "HIGH_IMPACT"])
    guard_reason = serializers.CharField(allow_blank=True)
    guarded = serializers.BooleanField(help_text="The guard applies (a MARKET entry).")
    action = serializers.CharField(help_text="What placing it now would do: PASSED, CONVERTED_TO_LIMIT, PARKED, ...")
    outcome = serializers.ChoiceField(choices=["pass", "deny", "park", "amend"])
    code = serializers.CharField(allow_blank=True, help_text="The stage's code (the refusal's on a deny).")
    message = serializers.CharField(allow_blank=True)
    spread_ok = serializers.BooleanField(allow_null=True, help_text="Not WIDE or VERY_WIDE under your limits.")
    impact_ok = serializers.BooleanField(allow_null=True, help_text="Impact and liquidity within your limits.")
    thresholds = ThresholdsSerializer()
    recent_slippage = RecentSlippageSerializer(
        allow_null=True, help_text="This instrument's median slippage over your last 50 fills."
    )


ANALYSE_ERRORS = error_responses({403: "The Kite session expired"})


class _AnalyseApi(APIView):
    @extend_schema(
        request=OrderPlaceInputSerializer, responses={200: ExecutionAnalysisOutputSerializer, **ANALYSE_ERRORS}
    )
    def post(self, request: Request) -> Response:
        fields, actor = place_input(request)
        out = execution.analyse_order(
            OrderIntent.from_fields(user_id=request.user.pk, actor=actor, **fields), user=request.user
        )
        return Response(ExecutionAnalysisOutputSerializer(out).data)


class AnalyzeExecutionApi(_AnalyseApi):
    """Analyse an order against the current book: spread, the walk (VWAP, impact, levels), liquidity score,
    the recommendation, the position size within your impact budget, and what the guard would do."""


class ValidateSpreadApi(_AnalyseApi):
    """The order's spread against your limits (`spread_ok`, `spread_category`), with the whole analysis."""


class EstimateImpactApi(_AnalyseApi):
    """The order's market impact against your limits (`impact_ok`, `impact_bps`), with the whole analysis."""


class SlippageFilterSerializer(QueryParamsSerializer):
    days = QueryIntegerField(required=False, min_value=1, max_value=366, default=30)
    instrument_token = QueryIntegerField(required=False, min_value=1)


class SlippageBucketSerializer(serializers.Serializer):
    key = serializers.CharField(required=False)
    fills = serializers.IntegerField()
    quantity = serializers.IntegerField()
    avg_bps = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    median_bps = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    total_inr = serializers.DecimalField(max_digits=18, decimal_places=2)
    at_or_better_pct = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class SlippageSummarySerializer(serializers.Serializer):
    days = serializers.IntegerField()
    instrument_token = serializers.IntegerField(allow_null=True)
    overall = SlippageBucketSerializer()
    by_instrument = SlippageBucketSerializer(many=True)
    by_order_type = SlippageBucketSerializer(many=True)
    by_algorithm = SlippageBucketSerializer(many=True)
    by_size_bucket = SlippageBucketSerializer(many=True)
    by_time_of_day = SlippageBucketSerializer(many=True)


class SlippageSummaryApi(APIView):
    """Your fills' slippage against the arrival price (the mid when the order was decided), in bps (a cost
    is positive) and ₹, by instrument, order type, algorithm, size (lots) and IST half hour."""

    @extend_schema(parameters=[SlippageFilterSerializer], responses={200: SlippageSummarySerializer})
    def get(self, request: Request) -> Response:
        f = SlippageFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        out = slippage.slippage_summary(user=request.user, **f.validated_data)
        return Response(SlippageSummarySerializer(out).data)
