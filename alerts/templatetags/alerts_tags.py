from django import template

from alerts.selectors import alert_unread_count

register = template.Library()


@register.simple_tag
def unread_alert_count(user) -> int:  # noqa: ANN001
    if not getattr(user, "is_authenticated", False):
        return 0
    return alert_unread_count(user=user)


LEVEL_BADGE = {"INFO": "", "WARNING": "warn", "CRITICAL": "bad", "URGENT": "bad"}


@register.filter
def alert_level_class(level: str) -> str:
    return LEVEL_BADGE.get(level, "")
