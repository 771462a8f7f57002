"""`{% kill_switch_banner %}`: the banner every page shows while a kill switch governing the user is engaged."""

from __future__ import annotations

from typing import Any

from django import template

from risk import selectors

register = template.Library()


@register.inclusion_tag("risk/partials/_banner.html", takes_context=True)
def kill_switch_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    switch = selectors.engaged_for_user(user) if user is not None else None
    return {"switch": switch}
