"""Risk API: thin views — parse, call one service or selector, render."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_resolve
from oms_project.lib.api.schema import error_responses
from risk import selectors, services

from .serializers import (
    AccountFilterSerializer,
    KillSwitchInputSerializer,
    KillSwitchOutputSerializer,
    LimitsFilterSerializer,
    LimitsOutputSerializer,
    LimitsUpdateInputSerializer,
    RiskEventOutputSerializer,
    RiskSummaryOutputSerializer,
)


def actor_of(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)
    return f"api_key:{prefix}" if prefix else f"user:{request.user.pk}"


class KillSwitchApi(APIView):
    @extend_schema(parameters=[AccountFilterSerializer], responses={200: KillSwitchOutputSerializer})
    def get(self, request: Request) -> Response:
        """The kill switch governing the account: state (ACTIVE, REDUCING, HALTED), who, why, since."""
        f = AccountFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        account = account_resolve(user=request.user, account_id=f.validated_data.get("account_id"))
        return Response(KillSwitchOutputSerializer(selectors.kill_switch_view(user=request.user, account=account)).data)

    @extend_schema(
        request=KillSwitchInputSerializer,
        responses={
            200: KillSwitchOutputSerializer,
            **error_responses(
                {
                    403: "Releasing someone else's, an automatic or ops engagement; GLOBAL without staff",
                    409: "Release of a switch that is not engaged",
                }
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Engage (cancel every open order, square off every position, then HALTED: only reducing orders) or
        release, with a reason. Engage returns after the switch is committed: no later order can add risk."""
        data = KillSwitchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["action"] == "engage":
            services.kill_switch_engage(
                user=request.user,
                reason=v["reason"],
                scope=v["scope"],
                account_id=v.get("account_id"),
                actor=actor_of(request),
            )
        else:
            services.kill_switch_release(
                user=request.user, reason=v["reason"], scope=v["scope"], account_id=v.get("account_id")
            )
        account = account_resolve(user=request.user, account_id=v.get("account_id"))
        return Response(KillSwitchOutputSerializer(selectors.kill_switch_view(user=request.user, account=account)).data)


class RiskLimitsApi(APIView):
    @extend_schema(parameters=[LimitsFilterSerializer], responses={200: LimitsOutputSerializer})
    def get(self, request: Request) -> Response:
        """The limits in force for an account (or a strategy: account → preset → strategy), the overrides stored
        at that level and the catalogue (codes, parameters, seed defaults and sources)."""
        f = LimitsFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        return Response(
            LimitsOutputSerializer(
                selectors.limits_for_owner(
                    user=request.user,
                    account_id=f.validated_data.get("account_id"),
                    strategy_id=f.validated_data.get("strategy_id"),
                )
            ).data
        )

    @extend_schema(request=LimitsUpdateInputSerializer, responses={200: LimitsOutputSerializer})
    def put(self, request: Request) -> Response:
        """Set limit overrides (switch a limit off with {"enabled": false}); answers the limits in force."""
        data = LimitsUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.limits_update(
            user=request.user,
            overrides=v["limits"],
            account_id=v.get("account_id"),
            strategy_id=v.get("strategy_id"),
            replace=v["replace"],
        )
        return Response(
            LimitsOutputSerializer(
                selectors.limits_for_owner(
                    user=request.user, account_id=v.get("account_id"), strategy_id=v.get("strategy_id")
                )
            ).data
        )


class RiskEventListApi(generics.ListAPIView):
    """Kill-switch changes, automatic engages on a breach, square-off outcomes and limit changes, newest first."""

    serializer_class = RiskEventOutputSerializer

    @extend_schema(parameters=[AccountFilterSerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:  # noqa: ANN002, ANN003
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # noqa: ANN201
        f = AccountFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        return selectors.risk_events_for(user=self.request.user, account_id=f.validated_data.get("account_id"))


class RiskSummaryApi(APIView):
    @extend_schema(parameters=[AccountFilterSerializer], responses={200: RiskSummaryOutputSerializer})
    def get(self, request: Request) -> Response:
        """Today's P&L, drawdown from the day's peak, margin utilisation, every limit with its value and headroom,
        each strategy's loss limit and the kill switch."""
        f = AccountFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        summary = selectors.risk_summary(user=request.user, account_id=f.validated_data.get("account_id"))
        return Response(RiskSummaryOutputSerializer(summary).data)
