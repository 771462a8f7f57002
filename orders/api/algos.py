"""Parent executions API (issue #11): start a TWAP, an iceberg or a depth-aware split, list / read them, pause,
resume, cancel.

    POST /api/v1/orders/twap/                      start a TWAP (201: the execution)
    POST /api/v1/orders/iceberg/                   start an iceberg (201)
    POST /api/v1/orders/depth-split/               start a depth-aware split (201)
    GET  /api/v1/executions/                       your executions (newest first; ?status=, ?algorithm=)
    GET  /api/v1/executions/{id}/                  one, with its slices and their child orders
    POST /api/v1/executions/{id}/pause|resume|cancel/

Owner-scoped (another user's execution is 404 EXECUTION_NOT_FOUND); unknown fields are refused (UNKNOWN_FIELD).
Thin: parse, call one service (orders.services.algos) or selector, render (orders.algo_presenters).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import (
    PositivePriceField,
    QueryParamsSerializer,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    refuse_body_fields,
)
from oms_project.lib.api.schema import error_responses, request_constraints
from orders import algo_selectors
from orders.algo_presenters import execution_json
from orders.domain import Product, Side
from orders.execution_models import AdvancedOrderExecution
from orders.services import algos

from .views import actor_of

_INTEGER = {"type": "integer"}
_INSTRUMENT = {"anyOf": [{"required": ["instrument_token"]}, {"required": ["exchange", "tradingsymbol"]}]}
_SIZE = {
    "anyOf": [
        {"required": ["quantity"], "properties": {"quantity": _INTEGER}},
        {"required": ["lots"], "properties": {"lots": _INTEGER}},
    ]
}


class _AlgoBase(StrictInputSerializer):
    account_id = StrictIntegerField(required=False, min_value=1)
    strategy_id = StrictIntegerField(required=False, allow_null=True, min_value=1)
    instrument_token = StrictIntegerField(required=False, min_value=1)
    exchange = StrictCharField(required=False, max_length=8)
    tradingsymbol = StrictCharField(required=False, max_length=64)
    transaction_type = serializers.ChoiceField(choices=[m.value for m in Side])
    quantity = StrictIntegerField(required=False, allow_null=True, min_value=1, help_text="Total, units.")
    lots = StrictIntegerField(required=False, allow_null=True, min_value=1, help_text="Total, lots.")
    product = serializers.ChoiceField(choices=[m.value for m in Product], default="NRML")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("instrument_token") and not (attrs.get("exchange") and attrs.get("tradingsymbol")):
            raise serializers.ValidationError("Give instrument_token, or exchange and tradingsymbol.")
        if attrs.get("quantity") is None and attrs.get("lots") is None:
            raise serializers.ValidationError({"quantity": "Give quantity (units) or lots."})
        return attrs


@request_constraints(
    _INSTRUMENT,
    _SIZE,
    # The schedule: a number of slices or an interval, exactly one.
    {
        "oneOf": [
            {"required": ["slices"], "not": {"required": ["interval_seconds"]}},
            {"required": ["interval_seconds"], "not": {"required": ["slices"]}},
        ]
    },
)
class TwapInputSerializer(_AlgoBase):
    """Work `quantity` over `duration_seconds` in `slices` slices (or one every `interval_seconds`), each slice's
    size (±`size_jitter_pct`) and time inside its interval (±`time_jitter_pct`) randomised. Children are MARKET, or
    with `limit_price` IOC LIMIT at that price, sent only while the touch is within it. `participation_cap_pct`
    keeps the execution's traded quantity under that share of the market's volume since the start."""

    duration_seconds = StrictIntegerField(min_value=1, max_value=algos.MAX_DURATION_SECONDS)
    slices = StrictIntegerField(required=False, min_value=1, max_value=algos.MAX_TWAP_SLICES)
    interval_seconds = StrictIntegerField(
        required=False, min_value=algos.MIN_INTERVAL_SECONDS, max_value=algos.MAX_DURATION_SECONDS
    )
    size_jitter_pct = StrictIntegerField(required=False, min_value=0, max_value=90, default=20)
    time_jitter_pct = StrictIntegerField(required=False, min_value=0, max_value=90, default=30)
    limit_price = PositivePriceField(required=False, allow_null=True, help_text="The price guard.")
    participation_cap_pct = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=100)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if ("slices" in attrs) == ("interval_seconds" in attrs):
            raise serializers.ValidationError("Give slices or interval_seconds (exactly one).")
        return attrs


@request_constraints(
    _INSTRUMENT,
    _SIZE,
    {
        "anyOf": [
            {"required": ["visible_quantity"], "properties": {"visible_quantity": _INTEGER}},
            {"required": ["visible_lots"], "properties": {"visible_lots": _INTEGER}},
        ]
    },
)
class IcebergInputSerializer(_AlgoBase):
    """Show `visible_quantity` (or `visible_lots`) at a time: one LIMIT leg at `limit_price` works; when it fills the
    next leg goes out, until the total is done."""

    limit_price = PositivePriceField()
    visible_quantity = StrictIntegerField(required=False, allow_null=True, min_value=1)
    visible_lots = StrictIntegerField(required=False, allow_null=True, min_value=1)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs.get("visible_quantity") is None and attrs.get("visible_lots") is None:
            raise serializers.ValidationError({"visible_quantity": "Give visible_quantity (units) or visible_lots."})
        return attrs


@request_constraints(_INSTRUMENT, _SIZE)
class DepthSplitInputSerializer(_AlgoBase):
    """Send `quantity` in children sized, each as it is sent, to the largest whole-lot quantity whose walk of the
    then-current book stays within `max_impact_bps` (default: the strategy's `max_market_impact_bps`, 50 without
    one), at least one lot and at most `max_child_quantity` (default: the freeze limit); each child an IOC LIMIT at
    the worst level of its walk (never beyond `limit_price`, the price guard), the next `interval_seconds` later
    (default 5: the paper venue's used-up depth comes back over 5 s). Stops after `max_duration_seconds`."""

    max_impact_bps = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=10_000)
    interval_seconds = StrictIntegerField(
        required=False,
        min_value=algos.MIN_DEPTH_SPLIT_INTERVAL_SECONDS,
        max_value=algos.MAX_DURATION_SECONDS,
        default=algos.DEPTH_SPLIT_INTERVAL_SECONDS,
    )
    max_duration_seconds = StrictIntegerField(
        required=False, min_value=1, max_value=algos.MAX_DURATION_SECONDS, default=algos.MAX_DURATION_SECONDS
    )
    max_child_quantity = StrictIntegerField(required=False, allow_null=True, min_value=1, help_text="Units.")
    limit_price = PositivePriceField(required=False, allow_null=True, help_text="The price guard.")


class ExecutionSliceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["PLANNED", "CLAIMED", "SENT", "SKIPPED"])
    planned_at = serializers.DateTimeField()
    quantity = serializers.IntegerField(help_text="As planned.")
    send_quantity = serializers.IntegerField(allow_null=True, help_text="As sent (catch-up, cap).")
    sent_at = serializers.DateTimeField(allow_null=True)
    order_id = serializers.IntegerField(allow_null=True)
    order_status = serializers.CharField(allow_null=True)
    filled_quantity = serializers.IntegerField()
    average_price = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    note = serializers.CharField(allow_blank=True)


_P = dict(max_digits=20, decimal_places=4, allow_null=True)


class ExecutionOutputSerializer(serializers.Serializer):
    """A parent execution and its progress (also pushed over /ws/orders/ as `{"type": "execution", ...}`)."""

    id = serializers.IntegerField()
    algorithm = serializers.ChoiceField(choices=AdvancedOrderExecution.Algorithm.values)
    status = serializers.ChoiceField(choices=AdvancedOrderExecution.Status.values)
    status_message = serializers.CharField(allow_blank=True, help_text="Why it waits, paused or ended.")
    account_id = serializers.IntegerField()
    strategy_id = serializers.IntegerField(allow_null=True)
    instrument_token = serializers.IntegerField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    transaction_type = serializers.CharField()
    product = serializers.CharField()
    total_quantity = serializers.IntegerField()
    filled_quantity = serializers.IntegerField()
    progress_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    limit_price = serializers.DecimalField(**_P)
    arrival_price = serializers.DecimalField(**_P, help_text="The mid when it started.")
    average_price = serializers.DecimalField(**_P, help_text="Average fill price of the children.")
    slippage_bps = serializers.DecimalField(**_P, help_text="Average vs arrival; a cost is positive.")
    slices_total = serializers.IntegerField()
    slices_sent = serializers.IntegerField()
    slices_done = serializers.IntegerField()
    time_left_seconds = serializers.IntegerField(allow_null=True, help_text="TWAP and depth-aware split.")
    next_slice_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    params = serializers.DictField()
    slices = ExecutionSliceSerializer(many=True, required=False)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, AdvancedOrderExecution):
            return execution_json(instance, with_slices=bool(self.context.get("with_slices")))
        return instance


class ExecutionListFilterSerializer(QueryParamsSerializer):
    status = serializers.ChoiceField(choices=AdvancedOrderExecution.Status.values, required=False)
    algorithm = serializers.ChoiceField(choices=AdvancedOrderExecution.Algorithm.values, required=False)


START_ERRORS = error_responses({409: "Account inactive or not logged in to Kite"})
ACTION_ERRORS = error_responses({409: "The execution's state does not allow it (EXECUTION_STATE_CONFLICT)"})


def _start_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def _start_api(name: str, input_serializer: type[serializers.Serializer], start: str, doc: str) -> type[APIView]:
    """A start endpoint: validate the body with `input_serializer`, call the service `algos.<start>`, answer the
    execution (201)."""

    @extend_schema(request=input_serializer, responses={201: ExecutionOutputSerializer, **START_ERRORS})
    def post(self: APIView, request: Request) -> Response:
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = getattr(algos, start)
        ex = service(user=request.user, actor=actor_of(request), **_start_fields(data.validated_data))
        return Response(execution_json(ex, with_slices=True), status=status.HTTP_201_CREATED)

    return type(name, (APIView,), {"__doc__": doc, "__module__": __name__, "post": post})


TwapStartApi = _start_api(
    "TwapStartApi",
    TwapInputSerializer,
    "twap_start",
    "Start a TWAP execution (its children go through the pipeline like any order).",
)
IcebergStartApi = _start_api(
    "IcebergStartApi",
    IcebergInputSerializer,
    "iceberg_start",
    "Start an iceberg execution (one visible LIMIT leg at a time, refreshed on fill).",
)
DepthSplitStartApi = _start_api(
    "DepthSplitStartApi",
    DepthSplitInputSerializer,
    "depth_split_start",
    "Start a depth-aware split (each child sized within the impact budget against the book it meets).",
)


class ExecutionListApi(generics.ListAPIView):
    """Your parent executions, newest first (filters: status, algorithm)."""

    serializer_class = ExecutionOutputSerializer

    @extend_schema(parameters=[ExecutionListFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = ExecutionListFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        return algo_selectors.execution_list(user=self.request.user, **f.validated_data)


class ExecutionDetailApi(APIView):
    """One execution with its slices (planned, claimed, sent, skipped) and their child orders."""

    @extend_schema(responses={200: ExecutionOutputSerializer})
    def get(self, request: Request, execution_id: int) -> Response:
        ex = algo_selectors.execution_get(user=request.user, execution_id=execution_id)
        return Response(execution_json(ex, with_slices=True))


class _ActionApi(APIView):
    action_name = ""

    @extend_schema(request=None, responses={200: ExecutionOutputSerializer, **ACTION_ERRORS})
    def post(self, request: Request, execution_id: int) -> Response:
        refuse_body_fields(request)
        service = getattr(algos, f"execution_{self.action_name}")
        ex = service(user=request.user, execution_id=execution_id, actor=actor_of(request))
        return Response(execution_json(ex, with_slices=True))


class ExecutionPauseApi(_ActionApi):
    """Stop sending new children (a working child keeps working)."""

    action_name = "pause"


class ExecutionResumeApi(_ActionApi):
    """Send again; a TWAP's unsent slices move later by the time it was paused."""

    action_name = "resume"


class ExecutionCancelApi(_ActionApi):
    """Stop for good and cancel the working child (what filled stays filled)."""

    action_name = "cancel"
