from __future__ import annotations

from typing import Any

from rest_framework import serializers

from alerts.models import LEVEL_CHOICES, STATUS_CHOICES, TYPE_CHOICES
from alerts.selectors import alert_as_dict
from oms_project.lib.api.fields import (
    LocalTimeField,
    QueryBooleanField,
    QueryParamsSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
)


class AlertOutputSerializer(serializers.Serializer):
    """Declared for the schema; the body is `alert_as_dict`, the same shape the WebSocket pushes."""

    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=TYPE_CHOICES)
    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    title = serializers.CharField()
    message = serializers.CharField()
    payload = serializers.DictField()
    links = serializers.DictField()
    actions = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    is_read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    response = serializers.CharField(allow_null=True)
    response_actor = serializers.CharField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="Last change (read, answered, expired).")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return alert_as_dict(instance)


class AlertListFilterSerializer(QueryParamsSerializer):
    unread = QueryBooleanField(required=False, help_text="true: only unread; false: only read")
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False)
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)


class AlertRespondInputSerializer(StrictInputSerializer):
    action = StrictCharField(max_length=60, help_text="One of the alert's `actions`.")


class AlertMarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class AlertPreferenceSerializer(StrictInputSerializer):
    muted_types = serializers.ListField(child=serializers.ChoiceField(choices=TYPE_CHOICES), required=False)
    min_level = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    quiet_start = LocalTimeField(required=False, allow_null=True, help_text="Asia/Kolkata, e.g. 22:00")
    quiet_end = LocalTimeField(required=False, allow_null=True, help_text="Asia/Kolkata, e.g. 07:00")
    telegram_chat_id = StrictCharField(required=False, allow_blank=True, max_length=40)


class AlertSendTestInputSerializer(StrictInputSerializer):
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, default="INFO")
    with_actions = StrictBooleanField(default=False)
