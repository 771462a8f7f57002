"""Order API serializers. The output serializers are also the JSON of WebSocket pushes (orders.presenters)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms_project.lib.api.fields import (
    BoundedDecimalField,
    PercentField,
    PositivePriceField,
    PriceField,
    QueryBooleanField,
    QueryIntegerField,
    QueryParamsSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictModelSerializer,
)
from oms_project.lib.api.schema import request_constraints
from orders.api.completion import CompletionPolicyInputSerializer, CompletionPolicyOutputSerializer
from orders.domain import OrderStatus, OrderType, Product, Side, Validity
from orders.models import Order, OrderEvent, OrderPreferences
from portfolio.models import Position, Strategy, Trade


class OrderOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField(source="pk", read_only=True)
    account_id = serializers.IntegerField(read_only=True)
    strategy_id = serializers.IntegerField(read_only=True, allow_null=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    oco_sibling_id = serializers.IntegerField(read_only=True, allow_null=True)
    is_terminal = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "order_id",
            "account_id",
            "strategy_id",
            "parent_id",
            "role",
            "oco_sibling_id",
            "client_order_id",
            "tag",
            "user_tag",
            "broker_order_id",
            "exchange_order_id",
            "exchange",
            "tradingsymbol",
            "instrument_token",
            "transaction_type",
            "quantity",
            "product",
            "order_type",
            "variety",
            "price",
            "trigger_price",
            "validity",
            "validity_ttl",
            "disclosed_quantity",
            "market_protection",
            "stop_loss",
            "target",
            "stop_loss_points",
            "target_points",
            "trailing_stop_points",
            "status",
            "status_message",
            "is_terminal",
            "filled_quantity",
            "pending_quantity",
            "cancelled_quantity",
            "average_price",
            "modification_count",
            "created_at",
            "updated_at",
            "submitted_at",
            "completed_at",
        ]

    def get_is_terminal(self, obj: Order) -> bool:
        from orders.domain import is_terminal

        return is_terminal(obj.status)


_INTEGER = {"type": "integer"}
_GIVEN = {"anyOf": [{"type": "string"}, {"type": "number"}]}  # a price that is there (not null)


def _both_given(a: str, b: str) -> dict:
    return {"required": [a, b], "properties": {a: _GIVEN, b: _GIVEN}}


@request_constraints(
    # The instrument: its token, or exchange + tradingsymbol.
    {"anyOf": [{"required": ["instrument_token"]}, {"required": ["exchange", "tradingsymbol"]}]},
    # The size: quantity (units) or lots, one of them a number (not null).
    {
        "anyOf": [
            {"required": ["quantity"], "properties": {"quantity": _INTEGER}},
            {"required": ["lots"], "properties": {"lots": _INTEGER}},
        ]
    },
    # validity TTL needs validity_ttl (minutes).
    {
        "anyOf": [
            {"not": {"required": ["validity"], "properties": {"validity": {"enum": ["TTL"]}}}},
            {"required": ["validity_ttl"], "properties": {"validity_ttl": _INTEGER}},
        ]
    },
    # Only SL and SL-M take a trigger price (TRIGGER_NOT_ALLOWED); order_type defaults to MARKET. Spelled as a
    # `not` so that drf-spectacular's enum naming leaves this partial order_type enum alone.
    {
        "not": {
            "allOf": [
                {"required": ["trigger_price"], "properties": {"trigger_price": _GIVEN}},
                {
                    "anyOf": [
                        {"not": {"required": ["order_type"]}},
                        {"required": ["order_type"], "properties": {"order_type": {"enum": ["LIMIT", "MARKET"]}}},
                    ]
                },
            ]
        }
    },
    # A bracket exit as a price or as points, not both (INVALID_BRACKET).
    {"not": _both_given("stop_loss", "stop_loss_points")},
    {"not": _both_given("target", "target_points")},
)
class OrderPlaceInputSerializer(StrictInputSerializer):
    """Place an order. Give the instrument (`instrument_token`, or `exchange` + `tradingsymbol`) and the size
    (`quantity` in units, or `lots`). Prices: decimal strings (or JSON numbers), at most 2 decimal places;
    trailing zeros are fine, so a quote's `"24010.5000"` can be sent back as is."""

    account_id = StrictIntegerField(required=False, min_value=1)
    strategy_id = StrictIntegerField(required=False, allow_null=True, min_value=1)
    instrument_token = StrictIntegerField(required=False, min_value=1)
    exchange = StrictCharField(required=False, max_length=8)
    tradingsymbol = StrictCharField(required=False, max_length=64)
    transaction_type = serializers.ChoiceField(choices=[m.value for m in Side])
    quantity = StrictIntegerField(required=False, allow_null=True, min_value=1, help_text="Units (Kite semantics).")
    lots = StrictIntegerField(
        required=False, allow_null=True, min_value=1, help_text="Alternative to quantity: number of lots."
    )
    product = serializers.ChoiceField(choices=[m.value for m in Product], default="NRML")
    order_type = serializers.ChoiceField(choices=[m.value for m in OrderType], default="MARKET")
    price = PriceField(required=False, allow_null=True, help_text="LIMIT and SL orders.")
    trigger_price = PriceField(required=False, allow_null=True, help_text="SL and SL-M orders.")
    validity = serializers.ChoiceField(choices=[m.value for m in Validity], default="DAY")
    validity_ttl = StrictIntegerField(required=False, allow_null=True, min_value=1, help_text="Minutes (TTL).")
    disclosed_quantity = StrictIntegerField(required=False, min_value=0, default=0)
    market_protection = StrictIntegerField(required=False, allow_null=True, min_value=-1, max_value=100)
    tag = StrictCharField(required=False, allow_blank=True, max_length=20, default="")
    variety = serializers.ChoiceField(choices=["regular", "amo"], default="regular")
    client_order_id = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    stop_loss = PriceField(required=False, allow_null=True, help_text="Bracket: stop-loss price.")
    target = PriceField(required=False, allow_null=True, help_text="Bracket: target price.")
    stop_loss_points = PositivePriceField(required=False, allow_null=True, help_text="Bracket: points from fill.")
    target_points = PositivePriceField(required=False, allow_null=True, help_text="Bracket: points from fill.")
    trailing_stop_points = PositivePriceField(required=False, allow_null=True, help_text="Trailing step, points.")
    auto_slice = StrictBooleanField(required=False, allow_null=True, default=None)
    confirm_duplicate = StrictBooleanField(required=False, default=False)
    execution_override = StrictBooleanField(
        required=False,
        default=False,
        help_text="Send a MARKET order the execution guard would refuse (WIDE_SPREAD / HIGH_IMPACT) as asked.",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("instrument_token") and not (attrs.get("exchange") and attrs.get("tradingsymbol")):
            raise serializers.ValidationError("Give instrument_token, or exchange and tradingsymbol.")
        if attrs.get("quantity") is None and attrs.get("lots") is None:
            raise serializers.ValidationError({"quantity": "Give quantity (units) or lots."})
        if attrs.get("validity") == "TTL" and not attrs.get("validity_ttl"):
            raise serializers.ValidationError({"validity_ttl": "TTL orders need validity_ttl (minutes)."})
        return attrs


_MODIFIABLE = ["quantity", "price", "trigger_price", "order_type", "validity"]


@request_constraints(
    {"anyOf": [{"required": [name]} for name in _MODIFIABLE]},
    # Changing to LIMIT or MARKET and giving a trigger price is refused (TRIGGER_NOT_ALLOWED).
    {
        "not": {
            "required": ["order_type", "trigger_price"],
            "properties": {"order_type": {"enum": ["LIMIT", "MARKET"]}},
        }
    },
)
class OrderModifyInputSerializer(StrictInputSerializer):
    """Change a resting order: give at least one of the fields."""

    quantity = StrictIntegerField(required=False, min_value=1)
    price = PriceField(required=False)
    trigger_price = PriceField(required=False)
    order_type = serializers.ChoiceField(choices=[m.value for m in OrderType], required=False)
    validity = serializers.ChoiceField(choices=[m.value for m in Validity], required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(f"Nothing to change: give {', '.join(_MODIFIABLE)}.")
        return attrs


class OrderListFilterSerializer(QueryParamsSerializer):
    status = serializers.ChoiceField(choices=[m.value for m in OrderStatus] + ["open", "closed"], required=False)
    account_id = QueryIntegerField(required=False, min_value=1)
    strategy_id = QueryIntegerField(required=False, min_value=1)
    instrument_token = QueryIntegerField(required=False, min_value=1)
    include_archived = QueryBooleanField(
        required=False, default=False, help_text="true: also orders archived by housekeeping (finished, a day old)."
    )


class TradeListFilterSerializer(QueryParamsSerializer):
    order_id = QueryIntegerField(required=False, min_value=1)
    account_id = QueryIntegerField(required=False, min_value=1)
    strategy_id = QueryIntegerField(required=False, min_value=1)


class PositionListFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)
    strategy_id = QueryIntegerField(required=False, min_value=1)
    open = QueryBooleanField(required=False, default=False, help_text="true: hide flat positions.")
    include_archived = QueryBooleanField(
        required=False, default=False, help_text="true: also settled positions archived by housekeeping."
    )


class PositionCurrentFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)
    strategy_id = QueryIntegerField(required=False, min_value=1)


class OrderMetricsFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)


class OrderCancelAllInputSerializer(StrictInputSerializer):
    account_id = StrictIntegerField(required=False, min_value=1)
    strategy_id = StrictIntegerField(required=False, min_value=1)


class OrderEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "before", "after", "reason", "created_at"]


class TradeOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField(read_only=True)
    account_id = serializers.IntegerField(read_only=True)
    strategy_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Trade
        fields = [
            "id",
            "trade_id",
            "order_id",
            "broker_order_id",
            "account_id",
            "strategy_id",
            "exchange",
            "tradingsymbol",
            "instrument_token",
            "transaction_type",
            "product",
            "quantity",
            "price",
            "fill_timestamp",
        ]


class PositionOutputSerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)
    strategy_id = serializers.IntegerField(read_only=True, allow_null=True)
    day_quantity = serializers.IntegerField(read_only=True)
    unrealized_pnl = serializers.SerializerMethodField()
    pnl = serializers.SerializerMethodField()
    mark_price = serializers.SerializerMethodField()
    # Kite's conventions (portfolio.kite_conventions), so the list compares with Kite's; null in push snapshots.
    close_price = serializers.SerializerMethodField(help_text="Previous session's close (Kite's close_price).")
    m2m = serializers.SerializerMethodField(
        help_text="Kite's M2M: the day's trades plus the overnight quantity marked from the previous close."
    )
    day_buy_price = serializers.SerializerMethodField(help_text="Average of all the day's buy trades.")
    day_sell_price = serializers.SerializerMethodField(help_text="Average of all the day's sell trades.")
    day_buy_value = serializers.SerializerMethodField()
    day_sell_value = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "id",
            "account_id",
            "strategy_id",
            "exchange",
            "tradingsymbol",
            "instrument_token",
            "product",
            "quantity",
            "average_price",
            "mark_price",
            "realized_pnl",
            "unrealized_pnl",
            "pnl",
            "overnight_quantity",
            "day_quantity",
            "day_buy_quantity",
            "day_sell_quantity",
            "buy_quantity",
            "sell_quantity",
            "buy_value",
            "sell_value",
            "close_price",
            "m2m",
            "day_buy_price",
            "day_sell_price",
            "day_buy_value",
            "day_sell_value",
            "updated_at",
        ]

    def _kite(self, obj: Position) -> Any:
        """Kite's figures for this row, computed once for the whole page (one grouped query of the day's
        trades, only when a row traded today); None when the context has no quotes (push snapshots)."""
        if "closes" not in self.context:
            return None
        cache = self.context.setdefault("_kite_figures", {})
        if obj.pk not in cache:
            from ..selectors import position_kite_figures

            page = getattr(self.parent, "instance", None)
            rows = list(page) if isinstance(page, (list, tuple)) else [obj]
            if obj not in rows:
                rows.append(obj)
            cache.update(
                position_kite_figures(rows, marks=self.context.get("marks") or {}, closes=self.context["closes"])
            )
        return cache[obj.pk]

    def _kite_field(self, obj: Position, name: str) -> str | None:
        figures = self._kite(obj)
        return None if figures is None else f"{getattr(figures, name):.2f}"

    def get_close_price(self, obj: Position) -> str | None:
        return self._kite_field(obj, "close_price")

    def get_m2m(self, obj: Position) -> str | None:
        return self._kite_field(obj, "m2m")

    def get_day_buy_price(self, obj: Position) -> str | None:
        return self._kite_field(obj, "day_buy_price")

    def get_day_sell_price(self, obj: Position) -> str | None:
        return self._kite_field(obj, "day_sell_price")

    def get_day_buy_value(self, obj: Position) -> str | None:
        return self._kite_field(obj, "day_buy_value")

    def get_day_sell_value(self, obj: Position) -> str | None:
        return self._kite_field(obj, "day_sell_value")

    def _mark(self, obj: Position) -> Decimal:
        marks = self.context.get("marks") or {}
        return Decimal(marks.get(obj.instrument_token, obj.last_price or obj.average_price))

    def get_mark_price(self, obj: Position) -> str:
        return f"{self._mark(obj):.2f}"

    def get_unrealized_pnl(self, obj: Position) -> str:
        return f"{(self._mark(obj) - Decimal(obj.average_price)) * obj.quantity:.2f}"

    def get_pnl(self, obj: Position) -> str:
        unreal = (self._mark(obj) - Decimal(obj.average_price)) * obj.quantity
        return f"{Decimal(obj.realized_pnl) + unreal:.2f}"


class StrategyOutputSerializer(serializers.ModelSerializer):
    completion_policy = serializers.SerializerMethodField()

    @extend_schema_field(CompletionPolicyOutputSerializer)
    def get_completion_policy(self, obj: Strategy) -> dict[str, Any]:
        from orders.services.completion import strategy_policy_read

        return strategy_policy_read(obj)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "account",
            "name",
            "preset",
            "is_active",
            "auto_cleanup_enabled",
            "cleanup_sl_on_exit",
            "cleanup_target_on_exit",
            "allow_orphaned_orders",
            "notify_on_orphan_detection",
            "max_order_spread_pct",
            "min_liquidity_score",
            "require_user_approval_high_impact",
            "max_market_impact_bps",
            "margin_buffer_pct",
            "max_loss_per_strategy_pct",
            "auto_square_off_on_loss_limit",
            "completion_policy",
            "created_at",
        ]


class StrategySettingsInputSerializer(StrictInputSerializer):
    """The strategy settings of the design (seed 001): housekeeping, execution thresholds, risk, margin."""

    auto_cleanup_enabled = StrictBooleanField(required=False)
    cleanup_sl_on_exit = StrictBooleanField(required=False)
    cleanup_target_on_exit = StrictBooleanField(required=False)
    allow_orphaned_orders = StrictBooleanField(required=False)
    notify_on_orphan_detection = StrictBooleanField(required=False)
    max_order_spread_pct = PercentField(required=False)
    min_liquidity_score = StrictIntegerField(min_value=0, max_value=100, required=False)
    require_user_approval_high_impact = StrictBooleanField(required=False)
    max_market_impact_bps = StrictIntegerField(min_value=0, max_value=10000, required=False)
    margin_buffer_pct = PercentField(required=False)
    max_loss_per_strategy_pct = PercentField(required=False)
    auto_square_off_on_loss_limit = StrictBooleanField(required=False)
    completion_policy = CompletionPolicyInputSerializer(
        required=False,
        help_text="Unfilled and partly filled orders (docs/completion-policies.md); fields not given keep their value.",
    )


class StrategyCreateInputSerializer(StrategySettingsInputSerializer):
    name = StrictCharField(max_length=80)
    account_id = StrictIntegerField(required=False, help_text="Defaults to your default account.")
    preset = serializers.ChoiceField(choices=["conservative", "aggressive"], default="conservative")


class StrategyUpdateInputSerializer(StrategySettingsInputSerializer):
    name = StrictCharField(max_length=80, required=False)
    is_active = StrictBooleanField(required=False)


class OrderPreferencesSerializer(StrictModelSerializer):
    """Your order defaults: duplicate-order guard, auto-slicing above the freeze limit, and whether the ticket
    asks to confirm MARKET orders."""

    duplicate_window_seconds = BoundedDecimalField(
        required=False,
        maximum=Decimal(3600),
        # 0 to 3600 seconds, at most 2 decimal places (trailing zeros fine)
        pattern=r"^(([0-9]|[1-9][0-9]{1,2}|[12][0-9]{3}|3[0-5][0-9]{2})(\.\d{1,2}0*)?|3600(\.0+)?)$",
        help_text="Seconds in which the same order again counts as a duplicate (0 to 3600).",
    )

    class Meta:
        model = OrderPreferences
        fields = ["duplicate_window_seconds", "duplicate_action", "auto_slice", "confirm_market_orders"]
        extra_kwargs = {
            "duplicate_action": {"required": False},
            "auto_slice": {"required": False},
            "confirm_market_orders": {"required": False},
        }


class OrderMetricsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    filled_today = serializers.IntegerField()
    rejected_today = serializers.IntegerField()
    fill_rate_pct = serializers.FloatField()
    realized_pnl = serializers.DecimalField(max_digits=16, decimal_places=2)
    unrealized_pnl = serializers.DecimalField(max_digits=16, decimal_places=2)
    open_positions = serializers.IntegerField()


class PreviewFindingSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="The stage that answered, e.g. orders.validate, margin.funds.")
    outcome = serializers.ChoiceField(choices=["pass", "deny", "park", "amend", "replay"])
    code = serializers.CharField(help_text="A stable code (the API error code on a deny); empty on a plain pass.")
    message = serializers.CharField(allow_blank=True)
    details = serializers.DictField()
    micros = serializers.IntegerField(help_text="Time the stage took, in microseconds.")


class PreviewOrderSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    instrument_token = serializers.IntegerField()
    exchange = serializers.CharField()
    tradingsymbol = serializers.CharField()
    transaction_type = serializers.CharField()
    quantity = serializers.IntegerField()
    lots = serializers.IntegerField(allow_null=True)
    order_type = serializers.CharField()
    product = serializers.CharField()
    price = serializers.CharField(allow_null=True)
    trigger_price = serializers.CharField(allow_null=True)
    market_protection = serializers.IntegerField(allow_null=True)
    slices = serializers.ListField(child=serializers.IntegerField(), help_text="Quantities sent (freeze slicing).")


class OrderPreviewOutputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=["pass", "deny", "park", "replay"],
        help_text="What placing this order now would do: pass (sent), deny (refused with the first deny's code), "
        "park (held for your approval), replay (the client_order_id already placed an order).",
    )
    would_place = serializers.BooleanField()
    findings = PreviewFindingSerializer(many=True)
    order = PreviewOrderSerializer(help_text="The order exactly as it would be placed (units, protection, slices).")
    micros = serializers.IntegerField(help_text="All stages together, in microseconds.")
