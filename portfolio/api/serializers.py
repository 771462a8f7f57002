"""Funds API serializers."""

from __future__ import annotations

from rest_framework import serializers

from oms_project.lib.api.fields import PositivePriceField, QueryParamsSerializer, StrictInputSerializer
from portfolio.domain import LedgerKind
from portfolio.models import LedgerEntry

MONEY = {"max_digits": 18, "decimal_places": 2}


class FundsOutputSerializer(serializers.Serializer):
    """An account's cash: opening balance + pay-ins − pay-outs + realised P&L + charges + M2M + adjustments."""

    account_id = serializers.IntegerField()
    cash = serializers.DecimalField(**MONEY, help_text="Opening balance plus every ledger entry.")
    opening_balance = serializers.DecimalField(
        **MONEY, help_text="Paper: the capital the account was opened with. Kite: 0 (Zerodha holds the money)."
    )
    pay_ins = serializers.DecimalField(**MONEY)
    pay_outs = serializers.DecimalField(**MONEY, help_text="Withdrawn, as a positive figure.")
    realised_pnl = serializers.DecimalField(**MONEY, help_text="All realised P&L booked to the ledger.")
    realised_pnl_today = serializers.DecimalField(**MONEY)
    charges = serializers.DecimalField(**MONEY, help_text="Signed as booked (negative).")
    m2m_settlements = serializers.DecimalField(**MONEY)
    adjustments = serializers.DecimalField(**MONEY)
    ledger_total = serializers.DecimalField(**MONEY)
    net_deposits = serializers.DecimalField(**MONEY, help_text="Opening + pay-ins − pay-outs + adjustments.")


class FundsPayInInputSerializer(StrictInputSerializer):
    amount = PositivePriceField(help_text='Rupees to add, e.g. "50000" (paper accounts only).')


class FundsPayOutInputSerializer(StrictInputSerializer):
    amount = PositivePriceField(help_text="Rupees to withdraw; at most the account's cash (paper accounts only).")


class LedgerEntryOutputSerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)
    trade_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The fill (Trade) it books.")
    position_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "account_id",
            "kind",
            "amount",
            "trade_id",
            "position_id",
            "order_id",
            "description",
            "actor",
            "created_at",
        ]


class LedgerFilterSerializer(QueryParamsSerializer):
    kind = serializers.ChoiceField(choices=[k.value for k in LedgerKind], required=False)
