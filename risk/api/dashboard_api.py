"""Risk API of the strategy risk dashboard (issue #12): a strategy's per-position guards
(`GET/PUT /api/v1/risk/strategies/{id}/guards/`) and releasing the live monitor's REDUCING status
(`POST /api/v1/risk/status/release/`). Thin: parse, call one service or selector, render. Included from
risk/api/urls.py."""

from __future__ import annotations

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import (
    BoundedDecimalField,
    PriceField,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
)
from oms_project.lib.api.schema import error_responses
from risk import dashboard, selectors, services

HOURS_PATTERN = r"^(0|[1-9][0-9]{0,3})(\.\d{1,2}0*)?$"  # 0 to 9999.99


class GuardsSerializer(StrictInputSerializer):
    """A strategy's per-position guards; an amount null or 0 switches that guard off."""

    enabled = StrictBooleanField(help_text="The guards are checked at all.")
    target_pnl = PriceField(allow_null=True, help_text="₹ of a position's P&L at which it reached its target.")
    stop_loss_pnl = PriceField(allow_null=True, help_text="₹ of loss at which a position hit its stop (1000: −₹1,000).")
    timeout_hours = BoundedDecimalField(
        maximum=Decimal("9999.99"), pattern=HOURS_PATTERN, allow_null=True, help_text="Hours a position may stay open."
    )
    auto_close_on_target = StrictBooleanField(help_text="Close the position (at market, as the system) on target.")
    auto_close_on_stop = StrictBooleanField(help_text="Close it on the stop.")
    auto_close_on_timeout = StrictBooleanField(help_text="Close it on the timeout.")


class GuardsOutputSerializer(GuardsSerializer):
    strategy_id = serializers.IntegerField()
    stored = serializers.BooleanField(help_text="False: the house defaults (settings.RISK_POSITION_GUARDS) apply.")


class StatusReleaseInputSerializer(StrictInputSerializer):
    reason = StrictCharField(max_length=500, help_text="Why (required, audited).")
    strategy_id = StrictIntegerField(required=False, min_value=1, help_text="Release this strategy's REDUCING.")
    account_id = StrictIntegerField(required=False, min_value=1, help_text="Else the account's (default: yours).")


class StatusOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    strategy_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    reason = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)


def _guards(strategy_id: int, user: object) -> dict:
    _, strategy = selectors.owner_objects(user=user, account_id=None, strategy_id=strategy_id)
    return {"strategy_id": strategy.pk, **dashboard.position_guards_for(strategy)}


class StrategyGuardsApi(APIView):
    @extend_schema(responses={200: GuardsOutputSerializer, **error_responses({404: "Not your strategy"})})
    def get(self, request: Request, strategy_id: int) -> Response:
        """The per-position guards the live monitor applies to this strategy's positions."""
        return Response(GuardsOutputSerializer(_guards(strategy_id, request.user)).data)

    @extend_schema(
        request=GuardsSerializer,
        responses={200: GuardsOutputSerializer, **error_responses({404: "Not your strategy"})},
    )
    def put(self, request: Request, strategy_id: int) -> Response:
        """Store the guards (every field): a target and a stop in ₹ of P&L per position, a timeout in hours, and
        whether each closes the position. The monitor reads them on the next tick batch."""
        data = GuardsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.position_guards_update(user=request.user, strategy_id=strategy_id, **data.validated_data)
        return Response(GuardsOutputSerializer(_guards(strategy_id, request.user)).data)


class RiskStatusReleaseApi(APIView):
    @extend_schema(
        request=StatusReleaseInputSerializer,
        responses={
            200: StatusOutputSerializer,
            **error_responses({404: "Not your strategy or account", 409: "Not REDUCING today"}),
        },
    )
    def post(self, request: Request) -> Response:
        """Release the live monitor's REDUCING status of a strategy (`strategy_id`) or of the account, with a
        reason (audited as a risk event): new orders that add risk are accepted again."""
        data = StatusReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.risk_status_release(
            user=request.user, reason=v["reason"], account_id=v.get("account_id"), strategy_id=v.get("strategy_id")
        )
        return Response(StatusOutputSerializer(row).data)


urlpatterns = [
    path("risk/strategies/<int:strategy_id>/guards/", StrategyGuardsApi.as_view(), name="api-risk-strategy-guards"),
    path("risk/status/release/", RiskStatusReleaseApi.as_view(), name="api-risk-status-release"),
]
