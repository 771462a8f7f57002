"""Completion policies' API shapes (docs/completion-policies.md): the strategy's `completion_policy` settings group
and one order's policy (`GET/PUT /api/v1/orders/{id}/completion/`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oms_project.lib.api.fields import PercentField, StrictBooleanField, StrictInputSerializer, StrictIntegerField
from oms_project.lib.api.schema import error_responses, request_constraints
from orders import completion as completion_policy


class CompletionPolicyFieldsMixin(serializers.Serializer):
    """A completion policy for unfilled and partly filled LIMIT orders (docs/completion-policies.md). Off by default
    (both actions NONE)."""

    unfilled_action = serializers.ChoiceField(
        choices=[a.value for a in completion_policy.UnfilledAction],
        required=False,
        help_text="What to do with a LIMIT order still unfilled after unfilled_after_seconds: NONE, CHASE (re-price "
        "toward the market), CONVERT_MARKET (cancel, send the rest as a protected MARKET order), SPLIT_DEPTH (cancel, "
        "send the rest as MARKET children sized by the book within the impact budget) or CANCEL.",
    )
    unfilled_after_seconds = StrictIntegerField(
        min_value=0,
        max_value=22500,
        required=False,
        help_text="Seconds an order works before the unfilled action (0 to 22,500).",
    )
    chase_interval_seconds = StrictIntegerField(
        min_value=3, max_value=3600, required=False, help_text="Seconds between two chase steps (3 to 3,600)."
    )
    chase_ticks = StrictIntegerField(
        min_value=1,
        max_value=100,
        required=False,
        help_text="Ticks the price moves toward the market per chase step (1 to 100).",
    )
    chase_max_adjustment_pct = PercentField(
        required=False, help_text="The most the chase may move the price in total, in % of the original limit."
    )
    after_chase = serializers.ChoiceField(
        choices=[a.value for a in completion_policy.AfterChase],
        required=False,
        help_text="When the chase reached its cap: NONE (keep working), CONVERT_MARKET or CANCEL. Only with CHASE.",
    )
    partial_fill_action = serializers.ChoiceField(
        choices=[a.value for a in completion_policy.PartialFillAction],
        required=False,
        help_text="A partly filled order: NONE (the unfilled action goes on), IMMEDIATE (send the rest at MARKET "
        "now), TIME_BASED (after partial_fill_wait_seconds), PRICE_BASED (when the market moved "
        "partial_fill_price_move_pct away from the limit) or CANCEL_REMAINING.",
    )
    partial_fill_wait_seconds = StrictIntegerField(
        min_value=0,
        max_value=22500,
        required=False,
        help_text="TIME_BASED: seconds after the first fill (0 to 22,500).",
    )
    partial_fill_price_move_pct = PercentField(
        required=False, help_text="PRICE_BASED: how far the market moves away from the limit, in %."
    )


# after_chase CONVERT_MARKET / CANCEL comes with unfilled_action CHASE in the same body (COMPLETION_POLICY_INVALID,
# judged by orders.services.completion.validate_settings). Spelled as a `not` so drf-spectacular's enum naming
# leaves these partial enums alone.
_AFTER_CHASE_NEEDS_CHASE = {
    "not": {
        "allOf": [
            {"required": ["after_chase"], "properties": {"after_chase": {"enum": ["CONVERT_MARKET", "CANCEL"]}}},
            {"not": {"required": ["unfilled_action"], "properties": {"unfilled_action": {"enum": ["CHASE"]}}}},
        ]
    }
}


@request_constraints(_AFTER_CHASE_NEEDS_CHASE)
class CompletionPolicyInputSerializer(CompletionPolicyFieldsMixin, StrictInputSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from orders.services.completion import validate_settings

        validate_settings(dict(attrs))
        return attrs


class CompletionPolicyOutputSerializer(serializers.Serializer):
    unfilled_action = serializers.CharField()
    unfilled_after_seconds = serializers.IntegerField()
    chase_interval_seconds = serializers.IntegerField()
    chase_ticks = serializers.IntegerField()
    chase_max_adjustment_pct = serializers.CharField(help_text="Decimal string.")
    after_chase = serializers.CharField()
    partial_fill_action = serializers.CharField()
    partial_fill_wait_seconds = serializers.IntegerField()
    partial_fill_price_move_pct = serializers.CharField(help_text="Decimal string.")


@request_constraints(_AFTER_CHASE_NEEDS_CHASE)
class OrderCompletionInputSerializer(CompletionPolicyFieldsMixin, StrictInputSerializer):
    enabled = StrictBooleanField(
        required=False,
        default=True,
        help_text="false: no completion policy for this order (the strategy's is not used).",
    )


class OrderCompletionOutputSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    state = serializers.CharField(allow_null=True, help_text="ACTIVE, COMPLETING, DONE, STOPPED; null: not started.")
    source = serializers.CharField(help_text="strategy, or order (this order's override).")
    settings = CompletionPolicyOutputSerializer()
    mode = serializers.CharField(allow_blank=True)
    original_price = serializers.CharField(allow_null=True)
    steps = serializers.IntegerField()
    last_step_at = serializers.DateTimeField(allow_null=True)
    children = serializers.ListField(child=serializers.IntegerField(), help_text="Orders sent for the remainder.")
    reason = serializers.CharField(allow_blank=True, help_text="The last step, or why the policy ended.")
    stopped_by = serializers.CharField(allow_blank=True)
    ended_at = serializers.DateTimeField(allow_null=True)


def completion_json(order: Any, comp: Any, strategy_settings: dict[str, Any]) -> dict[str, Any]:
    if comp is None:
        return {
            "order_id": order.pk,
            "state": None,
            "source": "strategy",
            "settings": strategy_settings,
            "mode": "",
            "original_price": None,
            "steps": 0,
            "last_step_at": None,
            "children": [],
            "reason": "",
            "stopped_by": "",
            "ended_at": None,
        }
    full = {**completion_policy.PolicySettings().as_json(), **(comp.settings or {})}
    return {
        "order_id": order.pk,
        "state": comp.state,
        "source": comp.source,
        "settings": full,
        "mode": comp.mode,
        "original_price": None if comp.original_price is None else str(comp.original_price),
        "steps": comp.steps,
        "last_step_at": comp.last_step_at,
        "children": list(comp.children or []),
        "reason": comp.reason,
        "stopped_by": comp.stopped_by,
        "ended_at": comp.ended_at,
    }


class OrderCompletionApi(APIView):
    @extend_schema(responses={200: OrderCompletionOutputSerializer, **error_responses({404: "Order not found"})})
    def get(self, request: Request, order_id: int) -> Response:
        """This order's completion policy: the settings it runs with, where it is, why it ended."""
        from orders.services import completion

        order, comp = completion.completion_get(user=request.user, order_id=order_id)
        strategy_settings = completion.settings_of(order.strategy).as_json()
        return Response(OrderCompletionOutputSerializer(completion_json(order, comp, strategy_settings)).data)

    @extend_schema(
        request=OrderCompletionInputSerializer,
        responses={
            200: OrderCompletionOutputSerializer,
            **error_responses({404: "Order not found", 409: "Not a working LIMIT order, or the policy ended"}),
        },
    )
    def put(self, request: Request, order_id: int) -> Response:
        """Override this working LIMIT order's policy (fields not given keep the strategy's, or the override's);
        `enabled: false` switches it off for this order. A trader's modify or cancel of the order also ends it."""
        from orders.services import completion

        data = OrderCompletionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comp = completion.order_completion_set(
            user=request.user, order_id=order_id, actor=_actor(request), **data.validated_data
        )
        return Response(OrderCompletionOutputSerializer(completion_json(comp.order, comp, {})).data)


def _actor(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)
    return f"api_key:{prefix}" if prefix else f"user:{request.user.pk}"
