"""User alerts, their append-only response audit, and per-user delivery preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .types import AlertLevel, AlertStatus, AlertType

TYPE_CHOICES = [(t.value, t.value.replace("_", " ").title()) for t in AlertType]
LEVEL_CHOICES = [(lv.value, lv.value.title()) for lv in AlertLevel]
STATUS_CHOICES = [(s.value, s.value.title()) for s in AlertStatus]


class Alert(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    type = models.CharField(max_length=32, choices=TYPE_CHOICES)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES, default=AlertLevel.INFO.value)
    title = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    # Objects concerned, e.g. {"order_id": 12, "account_id": 3}.
    links = models.JSONField(default=dict, blank=True)
    # Action labels offered, e.g. ["Use LIMIT", "Proceed anyway"]; empty = informational.
    actions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=AlertStatus.ACTIVE.value)
    read_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=60, blank=True)
    response_actor = models.CharField(max_length=80, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Whether preferences let it be pushed (it is always stored and listed).
    delivered = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last change (read, answered, expired). A reconnecting client asks for alerts changed since its
    # last sync; every write path sets it (save(update_fields=[..., "updated_at"]) and bulk updates).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="alert_user_recent"),
            models.Index(fields=["user", "updated_at"], name="alert_user_changed"),
            models.Index(fields=["user", "read_at"], name="alert_user_unread"),
            models.Index(fields=["status", "expires_at"], name="alert_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type} {self.level} for user {self.user_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def awaits_response(self) -> bool:
        return bool(self.actions) and self.status == AlertStatus.ACTIVE


class AlertResponse(models.Model):
    """Append-only audit: one row per answer (or expiry) of an alert with actions."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    action = models.CharField(max_length=60)
    actor = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"alert {self.alert_id}: {self.action} by {self.actor}"


class AlertPreference(models.Model):
    """What a user wants pushed. Preferences only decide delivery; every alert is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference")
    muted_types = models.JSONField(default=list, blank=True)
    min_level = models.CharField(max_length=10, choices=LEVEL_CHOICES, default=AlertLevel.INFO.value)
    # Quiet hours (Asia/Kolkata wall clock) silence INFO pushes; may wrap midnight (22:00-07:00).
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    telegram_chat_id = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"alert preferences of user {self.user_id}"
