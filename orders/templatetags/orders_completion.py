"""`{% completion_policy_form strategy %}`: the completion-policy section of the strategy settings panel."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("orders/partials/_completion_policy_form.html", takes_context=True)
def completion_policy_form(context: Any, strategy: Any) -> dict[str, Any]:
    from orders.completion_views import form_for

    return {"strategy": strategy, "form": form_for(strategy), "csrf_token": context.get("csrf_token")}
