from rest_framework import serializers

from accounts.models import ApiKey, TradingAccount
from oms_project.lib.api.fields import StrictCharField, StrictInputSerializer


class TradingAccountOutputSerializer(serializers.ModelSerializer):
    has_session = serializers.SerializerMethodField()

    class Meta:
        model = TradingAccount
        fields = ["id", "kind", "name", "is_default", "has_session", "created_at"]

    def get_has_session(self, account: TradingAccount) -> bool:
        """Paper accounts always trade; Kite accounts need today's login."""
        return account.is_paper or account.has_kite_session


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created", "last_used_at", "revoked", "expiry_date"]


class ApiKeyCreateInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=50)


class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The plaintext key. Shown only in this response.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
