"""`POST /api/v1/strategies/square-off-all/`: cancel every open order and exit every open position of the
caller's accounts (or one account / one strategy) through the pipeline — `client.strategies.square_off_all()`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_resolve
from oms_project.lib.api.fields import StrictCharField, StrictInputSerializer, StrictIntegerField
from orders.services import square_off as square_off_service
from portfolio import selectors as portfolio_selectors


class SquareOffInputSerializer(StrictInputSerializer):
    account_id = StrictIntegerField(required=False, min_value=1, help_text="Only this account.")
    strategy_id = StrictIntegerField(required=False, min_value=1, help_text="Only this strategy.")
    reason = StrictCharField(max_length=200, required=False, default="square off all")


class SquareOffResultSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    cancelled = serializers.ListField(child=serializers.IntegerField(), help_text="Orders cancelled.")
    exits = serializers.ListField(child=serializers.IntegerField(), help_text="Exit orders placed.")
    failures = serializers.ListField(child=serializers.DictField())
    open_positions = serializers.ListField(child=serializers.DictField(), help_text="Still open afterwards.")
    flat = serializers.BooleanField()


def _actor(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)
    return f"api_key:{prefix}" if prefix else f"user:{request.user.pk}"


class SquareOffAllApi(APIView):
    @extend_schema(request=SquareOffInputSerializer, responses={200: SquareOffResultSerializer(many=True)})
    def post(self, request: Request) -> Response:
        data = SquareOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        actor = _actor(request)
        if "strategy_id" in v:
            strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=v["strategy_id"])
            results = [square_off_service.square_off(strategy.account_id, strategy.pk, reason=v["reason"], actor=actor)]
        elif "account_id" in v:
            account = account_resolve(user=request.user, account_id=v["account_id"])
            results = [square_off_service.square_off(account.pk, reason=v["reason"], actor=actor)]
        else:
            results = square_off_service.square_off_user(user=request.user, reason=v["reason"], actor=actor)
        return Response(SquareOffResultSerializer([r.as_json() for r in results], many=True).data)
