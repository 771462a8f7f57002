"""Order API: thin views — parse, call one service/selector, render."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import QueryParamsSerializer, refuse_body_fields
from oms_project.lib.api.schema import error_responses
from oms_project.lib.pretrade import OrderIntent
from orders import errors, selectors, services
from orders.presenters import order_json

from .serializers import (
    OrderCancelAllInputSerializer,
    OrderEventOutputSerializer,
    OrderListFilterSerializer,
    OrderMetricsFilterSerializer,
    OrderMetricsOutputSerializer,
    OrderModifyInputSerializer,
    OrderOutputSerializer,
    OrderPlaceInputSerializer,
    OrderPreferencesSerializer,
    OrderPreviewOutputSerializer,
    PositionCurrentFilterSerializer,
    PositionListFilterSerializer,
    PositionOutputSerializer,
    StrategyCreateInputSerializer,
    StrategyOutputSerializer,
    StrategyUpdateInputSerializer,
    TradeListFilterSerializer,
    TradeOutputSerializer,
)


def actor_of(request: Request) -> str:
    """Who acted, for the audit trail: the API key (bots) or the user (browser session)."""
    auth = request.auth
    prefix = getattr(auth, "prefix", None)
    if prefix:
        return f"api_key:{prefix}"
    return f"user:{request.user.pk}"


_BROKER_ERRORS = {
    403: "The Kite session expired (log in again)",
    409: "Conflict with the order's or account's state (see the error code)",
    503: "The broker is unreachable",
}
BROKER_ERRORS = error_responses(_BROKER_ERRORS)
PLACE_ERRORS = error_responses(
    {
        **_BROKER_ERRORS,
        409: "Idempotency key reused with a different order, duplicate order, account inactive, "
        "not logged in to Kite, or a MARKET order the execution guard refuses (WIDE_SPREAD, HIGH_IMPACT)",
    }
)

IDEMPOTENCY_KEY_MAX = 64  # the length of Order.client_order_id
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
    OpenApiParameter.HEADER,
    required=False,
    description="Replay protection (same as client_order_id): the same key returns the original order. Giving "
    "both with different values is refused (IDEMPOTENCY_KEY_MISMATCH); a longer key is refused, never cut.",
)


class OrderListCreateApi(generics.ListAPIView):
    """GET: your orders (filters: status=open|closed|<STATUS>, account_id, strategy_id, instrument_token;
    archived orders only with include_archived=true). POST: place an order (quantity in units; or lots)."""

    serializer_class = OrderOutputSerializer

    @extend_schema(parameters=[OrderListFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = OrderListFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        return selectors.order_list(user=self.request.user, **f.validated_data)

    @extend_schema(
        request=OrderPlaceInputSerializer,
        responses={
            201: OrderOutputSerializer,
            200: OpenApiResponse(OrderOutputSerializer, description="Replayed: the order first placed with this key"),
            **PLACE_ERRORS,
        },
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request) -> Response:
        fields, actor = place_input(request)
        intent = OrderIntent.from_fields(user_id=request.user.pk, actor=actor, **fields)
        order = services.order_place(intent, user=request.user)
        replayed = getattr(order, "replayed", False)
        response = Response(order_json(order), status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def place_input(request: Request) -> tuple[dict[str, Any], str]:
    """The order body (and the Idempotency-Key header, as client_order_id) of a place or preview request."""
    data = OrderPlaceInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields: dict[str, Any] = dict(data.validated_data)
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if key:
        body_id = (fields.get("client_order_id") or "").strip()
        if body_id and body_id != key:
            raise errors.IdempotencyKeyMismatch(
                f"The Idempotency-Key header {key!r} and client_order_id {body_id!r} differ: give one, or the "
                "same value in both.",
                details={"idempotency_key": key, "client_order_id": body_id},
            )
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [f"At most {IDEMPOTENCY_KEY_MAX} characters."]})
        fields["client_order_id"] = key
    return fields, actor_of(request)


class OrderPreviewApi(APIView):
    """Run the whole pre-trade pipeline on an order without placing it: the same body as `POST /orders/`;
    every stage runs, nothing is written, no rate slot is taken. The answer says what placing it now would
    do and every stage's finding (with its code and time), so a bot or the ticket can fix an order first."""

    @extend_schema(
        request=OrderPlaceInputSerializer,
        responses={200: OrderPreviewOutputSerializer, **error_responses({403: "The Kite session expired"})},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request) -> Response:
        fields, actor = place_input(request)
        preview = services.order_preview(
            OrderIntent.from_fields(user_id=request.user.pk, actor=actor, **fields), user=request.user
        )
        return Response(OrderPreviewOutputSerializer(preview).data)


class OrderDetailApi(APIView):
    @extend_schema(responses={200: OrderOutputSerializer})
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderOutputSerializer(selectors.order_get(user=request.user, order_id=order_id)).data)

    @extend_schema(request=OrderModifyInputSerializer, responses={200: OrderOutputSerializer, **BROKER_ERRORS})
    def patch(self, request: Request, order_id: int) -> Response:
        data = OrderModifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_modify(
            user=request.user, order_id=order_id, actor=actor_of(request), **data.validated_data
        )
        return Response(OrderOutputSerializer(order).data)

    @extend_schema(request=None, responses={200: OrderOutputSerializer, **BROKER_ERRORS})
    def delete(self, request: Request, order_id: int) -> Response:
        refuse_body_fields(request)
        order = services.order_cancel(user=request.user, order_id=order_id, actor=actor_of(request))
        return Response(OrderOutputSerializer(order).data)


class OrderApproveApi(APIView):
    @extend_schema(request=None, responses={200: OrderOutputSerializer, **BROKER_ERRORS})
    def post(self, request: Request, order_id: int) -> Response:
        refuse_body_fields(request)
        order = services.order_approve(user=request.user, order_id=order_id, actor=actor_of(request))
        order.refresh_from_db()
        return Response(OrderOutputSerializer(order).data)


class OrderCancelAllApi(APIView):
    @extend_schema(
        request=OrderCancelAllInputSerializer, responses={200: OrderOutputSerializer(many=True), **BROKER_ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = OrderCancelAllInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orders = services.orders_cancel_all(user=request.user, actor=actor_of(request), **data.validated_data)
        return Response(OrderOutputSerializer(orders, many=True).data)


class OrderHistoryApi(generics.ListAPIView):
    serializer_class = OrderEventOutputSerializer
    pagination_class = None

    def get_queryset(self):  # noqa: ANN201
        return selectors.order_history(user=self.request.user, order_id=self.kwargs["order_id"])


class TradeListApi(generics.ListAPIView):
    serializer_class = TradeOutputSerializer

    @extend_schema(parameters=[TradeListFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = TradeListFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        return selectors.trade_list(user=self.request.user, **f.validated_data)


class PositionListApi(generics.ListAPIView):
    """Net positions with mark-to-market P&L (mark = LTP). `?open=true` hides flat rows; settled positions
    archived by housekeeping only with `?include_archived=true`."""

    serializer_class = PositionOutputSerializer
    filter_serializer: type[QueryParamsSerializer] = PositionListFilterSerializer

    @extend_schema(parameters=[PositionListFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = self.filter_serializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        filters = dict(f.validated_data)
        open_only = filters.pop("open", True)
        return selectors.position_list(user=self.request.user, open_only=open_only, **filters)

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = super().get_serializer_context()
        closes: dict = {}
        ctx["marks"] = selectors.position_marks(list(self.get_queryset().exclude(quantity=0)[:500]), closes=closes)
        ctx["closes"] = closes  # with the marks: Kite's figures per row (PositionOutputSerializer)
        return ctx


class PositionCurrentApi(PositionListApi):
    """Open positions only (alias used by dashboards)."""

    filter_serializer = PositionCurrentFilterSerializer

    @extend_schema(parameters=[PositionCurrentFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PositionExitApi(APIView):
    @extend_schema(request=None, responses={201: OrderOutputSerializer, **BROKER_ERRORS})
    def post(self, request: Request, position_id: int) -> Response:
        refuse_body_fields(request)
        order = services.position_exit(user=request.user, position_id=position_id, actor=actor_of(request))
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderMetricsSummaryApi(APIView):
    @extend_schema(parameters=[OrderMetricsFilterSerializer], responses={200: OrderMetricsOutputSerializer})
    def get(self, request: Request) -> Response:
        f = OrderMetricsFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        data = selectors.metrics_summary(user=request.user, account_id=f.validated_data.get("account_id"))
        return Response(OrderMetricsOutputSerializer(data).data)


class StrategyListCreateApi(generics.ListAPIView):
    serializer_class = StrategyOutputSerializer

    def get_queryset(self):  # noqa: ANN201
        return selectors.strategy_list(user=self.request.user)

    @extend_schema(
        request=StrategyCreateInputSerializer,
        responses={201: StrategyOutputSerializer, **error_responses({409: "A strategy with this name exists"})},
    )
    def post(self, request: Request) -> Response:
        data = StrategyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = services.strategy_create(user=request.user, **data.validated_data)
        return Response(StrategyOutputSerializer(strategy).data, status=status.HTTP_201_CREATED)


class StrategyDetailApi(APIView):
    @extend_schema(responses={200: StrategyOutputSerializer})
    def get(self, request: Request, strategy_id: int) -> Response:
        strategy = selectors.strategy_get(user=request.user, strategy_id=strategy_id)
        return Response(StrategyOutputSerializer(strategy).data)

    @extend_schema(
        request=StrategyUpdateInputSerializer,
        responses={200: StrategyOutputSerializer, **error_responses({409: "A strategy with this name exists"})},
    )
    def patch(self, request: Request, strategy_id: int) -> Response:
        data = StrategyUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = services.strategy_update(user=request.user, strategy_id=strategy_id, **data.validated_data)
        return Response(StrategyOutputSerializer(strategy).data)


class StrategyPresetsApi(APIView):
    @extend_schema(responses={200: dict[str, dict[str, Any]]})
    def get(self, request: Request) -> Response:
        return Response(selectors.strategy_presets())


class OrderPreferencesApi(APIView):
    @extend_schema(responses={200: OrderPreferencesSerializer})
    def get(self, request: Request) -> Response:
        return Response(OrderPreferencesSerializer(selectors.preferences_get(user=request.user)).data)

    @extend_schema(request=OrderPreferencesSerializer, responses={200: OrderPreferencesSerializer})
    def put(self, request: Request) -> Response:
        data = OrderPreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prefs = services.preferences_update(user=request.user, **data.validated_data)
        return Response(OrderPreferencesSerializer(prefs).data)
