"""Housekeeping API shapes."""

from __future__ import annotations

from rest_framework import serializers

from oms_project.lib.api.fields import QueryParamsSerializer, StrictBooleanField, StrictCharField, StrictInputSerializer
from orders.api.serializers import StrategySettingsInputSerializer

from ..models import HousekeepingEvent, Mismatch, StrategySnapshot


class HousekeepingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HousekeepingEvent
        fields = ["id", "job", "trigger", "actor", "status", "trading_day", "strategy_id", "started_at", "finished_at",
                  "duration_ms", "looked_at", "did", "errors", "note"]  # fmt: skip


class OrphanedOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    role = serializers.CharField()
    status = serializers.CharField()
    tradingsymbol = serializers.CharField()
    transaction_type = serializers.CharField()
    quantity = serializers.IntegerField()
    strategy_id = serializers.IntegerField(allow_null=True)
    is_orphaned = serializers.BooleanField(source="housekeeping.is_orphaned")
    orphaned_reason = serializers.CharField(source="housekeeping.orphaned_reason")
    orphaned_at = serializers.DateTimeField(source="housekeeping.orphaned_at", allow_null=True)
    kept_by = serializers.CharField(source="housekeeping.kept_by")


class CleanupInputSerializer(StrictInputSerializer):
    include_kept = StrictBooleanField(required=False, default=False,
                                      help_text="Cancel the orphans the strategy's settings keep, too.")  # fmt: skip


class StrategySettingsPutSerializer(StrategySettingsInputSerializer):
    preset = serializers.ChoiceField(choices=["conservative", "aggressive"], required=False,
                                     help_text="Start from this preset; the other fields given override it.")  # fmt: skip


class ReconcileOrdersOutputSerializer(serializers.Serializer):
    strategy_id = serializers.IntegerField()
    checked_orders = serializers.IntegerField()
    updated = serializers.ListField(child=serializers.IntegerField(), help_text="Orders brought up to the broker's state.")
    orphans = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    error = serializers.CharField(allow_blank=True)


class MismatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mismatch
        fields = ["id", "account", "kind", "key", "tradingsymbol", "internal", "broker", "state", "first_seen_at",
                  "last_seen_at", "resolved_at", "resolved_by", "resolution"]  # fmt: skip


class AccountReconcileSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    checked = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
    positions = serializers.IntegerField(help_text="Broker positions read")
    orders = serializers.IntegerField(help_text="Broker orders read")
    new = serializers.IntegerField()
    open = serializers.IntegerField()
    cleared = serializers.IntegerField()


class ReconcileAllOutputSerializer(serializers.Serializer):
    accounts = AccountReconcileSerializer(many=True)
    mismatches = MismatchSerializer(many=True, help_text="Every open difference, with both sides")


class EodInputSerializer(StrictInputSerializer):
    pass


class LogFilterSerializer(QueryParamsSerializer):
    job = StrictCharField(required=False, max_length=40)
    status = serializers.ChoiceField(choices=HousekeepingEvent.Status.choices, required=False)


class JobOverviewSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    schedule = serializers.CharField()
    trading_days_only = serializers.BooleanField()
    per_strategy = serializers.BooleanField()
    last_run = HousekeepingEventSerializer(allow_null=True)
    last_status = serializers.CharField(allow_blank=True)
    next_run = serializers.DateTimeField(allow_null=True)


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategySnapshot
        fields = ["at", "positions", "open_orders", "realised_pnl", "unrealised_pnl", "margin_used", "greeks"]


class SnapshotFilterSerializer(QueryParamsSerializer):
    date = serializers.DateField(required=False, help_text="IST trading day (default today)")
