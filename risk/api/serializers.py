"""Risk API serializers (request bodies strict: an unknown field is refused)."""

from __future__ import annotations

from rest_framework import serializers

from oms_project.lib.api.fields import (
    PriceField,
    QueryIntegerField,
    QueryParamsSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
)
from risk import limits as risk_limits
from risk.domain import KillState, Scope

MONEY = {"max_digits": 18, "decimal_places": 2}


class KillSwitchInputSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=["engage", "release"])
    reason = StrictCharField(max_length=500, help_text="Why (required, audited).")
    scope = serializers.ChoiceField(
        choices=[s.value for s in Scope],
        default=Scope.ACCOUNT.value,
        help_text="ACCOUNT (default: the account named or your default), USER (all your accounts), GLOBAL (ops only).",
    )
    account_id = StrictIntegerField(required=False, min_value=1)


class KillSwitchRowSerializer(serializers.Serializer):
    scope = serializers.CharField()
    state = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    since = serializers.DateTimeField(allow_null=True)
    actor = serializers.CharField(allow_blank=True)


class KillSwitchOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=[s.value for s in KillState])
    engaged = serializers.BooleanField()
    scope = serializers.CharField(allow_null=True, help_text="The engaged switch governing the account.")
    engaged_by = serializers.CharField(allow_null=True, help_text="USER, OPS or AUTO (a breach).")
    actor = serializers.CharField(allow_null=True, help_text="Who engaged it (or last changed it).")
    reason = serializers.CharField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True)
    can_release = serializers.BooleanField()
    switches = KillSwitchRowSerializer(many=True)


class AccountFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)


class LimitsFilterSerializer(QueryParamsSerializer):
    account_id = QueryIntegerField(required=False, min_value=1)
    strategy_id = QueryIntegerField(required=False, min_value=1)


def _limit_serializer(spec: risk_limits.LimitSpec) -> type[StrictInputSerializer]:
    """One limit's body, typed from the catalogue: `enabled` and each parameter (optional)."""
    fields: dict = {"enabled": StrictBooleanField(required=False, help_text=f"Switch {spec.title.lower()} on or off.")}
    for p in spec.params:
        if p.kind == "int":
            fields[p.name] = StrictIntegerField(required=False, min_value=0, max_value=10**9, help_text=p.help)
        else:
            fields[p.name] = PriceField(required=False, help_text=f"{p.help} (default {p.default})")
    name = "".join(part.title() for part in spec.key.split("_")) + "LimitInputSerializer"
    return type(name, (StrictInputSerializer,), {**fields, "__doc__": f"{spec.title} ({spec.code})."})


LimitsDocumentSerializer = type(
    "LimitsDocumentSerializer",
    (StrictInputSerializer,),
    {spec.key: _limit_serializer(spec)(required=False) for spec in risk_limits.CATALOGUE},
)


class LimitsUpdateInputSerializer(StrictInputSerializer):
    account_id = StrictIntegerField(required=False, min_value=1)
    strategy_id = StrictIntegerField(required=False, min_value=1, help_text="Set the strategy's limits.")
    limits = LimitsDocumentSerializer(
        help_text='Per limit: {"enabled": true|false, <parameter>: value}, e.g. {"daily_loss": {"pct": "5"}, '
        '"stop_loss_required": {"enabled": true}}. Unknown limits or parameters are refused.'
    )
    replace = StrictBooleanField(default=False, help_text="Replace the stored overrides instead of merging.")


class LimitsOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    strategy_id = serializers.IntegerField(allow_null=True)
    preset = serializers.CharField(allow_null=True)
    limits = serializers.DictField(child=serializers.DictField(), help_text="The resolved limits in force.")
    overrides = serializers.DictField(child=serializers.DictField(), help_text="What is stored at this level.")
    catalogue = serializers.ListField(child=serializers.DictField())


class RiskEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    details = serializers.DictField()
    created_at = serializers.DateTimeField()


class LimitRowSerializer(serializers.Serializer):
    limit_name = serializers.CharField()
    code = serializers.CharField()
    title = serializers.CharField()
    enabled = serializers.BooleanField()
    limit = serializers.JSONField(allow_null=True)
    value = serializers.JSONField(allow_null=True)
    headroom = serializers.JSONField(allow_null=True)


class StrategyRiskSerializer(serializers.Serializer):
    strategy_id = serializers.IntegerField()
    name = serializers.CharField()
    preset = serializers.CharField(allow_blank=True)
    pnl_today = serializers.DecimalField(**MONEY)
    open_positions = serializers.IntegerField()
    loss_limit = serializers.DecimalField(**MONEY)
    loss_headroom = serializers.DecimalField(**MONEY)
    stop_loss_required = serializers.BooleanField()


class RiskSummaryOutputSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    capital = serializers.DecimalField(**MONEY, help_text="Net deposits: what the percentage limits are of.")
    realised_pnl_today = serializers.DecimalField(**MONEY)
    unrealised_pnl = serializers.DecimalField(**MONEY)
    pnl_today = serializers.DecimalField(**MONEY)
    equity = serializers.DecimalField(**MONEY)
    peak_equity = serializers.DecimalField(**MONEY)
    drawdown = serializers.DecimalField(**MONEY)
    drawdown_pct = serializers.DecimalField(**MONEY)
    margin = serializers.DictField(help_text="used, total, utilisation_pct, level (when the margin engine has them).")
    limits = LimitRowSerializer(many=True)
    strategies = StrategyRiskSerializer(many=True)
    kill_switch = KillSwitchOutputSerializer()
