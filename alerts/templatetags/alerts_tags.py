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


# What an alert's links point at, for people: "Order #12 →" to the order, "Position →" to positions.
LINK_TARGETS = {"order_id": ("Order #{}", "order-detail", True), "position_id": ("Position #{}", "positions", False),
                "parent_order_id": ("Order #{}", "order-detail", True)}


@register.simple_tag
def alert_link(key: str, value) -> dict:  # noqa: ANN001
    from django.urls import NoReverseMatch, reverse

    label, url_name, with_id = LINK_TARGETS.get(key, (None, None, False))
    if label is None:
        return {"label": f"{key.replace('_id', '').replace('_', ' ').capitalize()} #{value}", "url": ""}
    try:
        url = reverse(url_name, args=[value] if with_id else [])
    except NoReverseMatch:  # the app that owns the page is not installed
        url = ""
    return {"label": label.format(value), "url": url}
