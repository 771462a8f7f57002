from django import template
from django.utils import timezone

from alerts.selectors import alert_last_id, alert_unread_count

register = template.Library()


@register.simple_tag
def unread_alert_count(user) -> int:  # noqa: ANN001
    if not getattr(user, "is_authenticated", False):
        return 0
    return alert_unread_count(user=user)


@register.simple_tag
def alert_sync_cursor(user) -> dict:  # noqa: ANN001
    """What the rendered page knows: the newest alert id and the server time, so the page's first
    WebSocket connect can replay anything that happened between rendering and connecting."""
    if not getattr(user, "is_authenticated", False):
        return {"last_id": 0, "server_time": ""}
    return {"last_id": alert_last_id(user_id=user.pk), "server_time": timezone.now().isoformat()}


LEVEL_BADGE = {"INFO": "", "WARNING": "warn", "CRITICAL": "bad", "URGENT": "bad"}


@register.filter
def alert_level_class(level: str) -> str:
    return LEVEL_BADGE.get(level, "")
