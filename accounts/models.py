"""Trading accounts (paper or Kite) and hashed API keys, each owned by one user."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from encrypted_fields.fields import EncryptedCharField
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class TradingAccount(models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", "Paper"
        KITE = "kite", "Kite"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trading_accounts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=60)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Paper accounts: the capital the account was funded with (the paper broker books P&L on top).
    paper_capital = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # Kite accounts: credentials encrypted at rest (Fernet, key derived from SECRET_KEY + salt).
    kite_user_id = models.CharField(max_length=20, blank=True)
    kite_api_key = EncryptedCharField(max_length=200, blank=True, null=True)
    kite_api_secret = EncryptedCharField(max_length=200, blank=True, null=True)
    kite_access_token = EncryptedCharField(max_length=200, blank=True, null=True)
    kite_token_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_default=True), name="one_default_account_per_user"),
            models.UniqueConstraint(fields=["user", "name"], name="unique_account_name_per_user"),
            models.CheckConstraint(condition=Q(kind__in=["paper", "kite"]), name="account_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_paper(self) -> bool:
        return self.kind == self.Kind.PAPER

    @property
    def has_kite_session(self) -> bool:
        return bool(self.kite_access_token)


def new_api_key_id() -> str:
    """A key's public id (shown by GET /api-keys/, used by DELETE): random, unrelated to the key and its hash."""
    return f"key_{secrets.token_hex(12)}"


class ApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        return super().get_usable_keys().select_related("user")

    def assign_key(self, obj: AbstractAPIKey) -> str:
        # djangorestframework-api-key makes the primary key "<prefix>.<sha512 hash of the key>": listing keys
        # would then publish the stored hashes (an offline guessing target). Our id is independent of both.
        key = super().assign_key(obj)
        obj.id = new_api_key_id()
        return key


class ApiKey(AbstractAPIKey):
    """A bot's key: stored hashed (sha512, djangorestframework-api-key), shown once, revocable."""

    objects = ApiKeyManager()

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        ordering = ["-created"]
