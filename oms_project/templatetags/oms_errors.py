"""`{% load oms_errors %}{% trader_error error %}`: the one error component (templates/components/_error.html).

`error` is an error dict (`{"code", "message", "details"}`), a DomainError or a plain message; it is
shown in trader language (`oms_project.lib.trader_errors.explain`): a title, a sentence, a suggestion,
and a control where one helps (split an order above the freeze limit). The code stays in
`data-error-code` for tests and support, never in the text."""

from __future__ import annotations

from typing import Any

from django import template

from oms_project.lib.trader_errors import explain

register = template.Library()


@register.inclusion_tag("components/_error.html")
def trader_error(error: Any, testid: str = "error", compact: bool = False, prefix: str = "") -> dict[str, Any]:
    return {"err": explain(error), "testid": testid, "compact": compact, "prefix": prefix}


@register.filter
def trader_message(error: Any) -> str:
    """One line for places with no room for the component (toasts, titles)."""
    err = explain(error)
    if err is None:
        return ""
    return " ".join(part for part in (err.title + "." if err.title else "", err.message, err.suggestion) if part)


@register.filter
def trader_text(text: Any) -> str:
    """A service's sentence for people: API field names in words, long numbers grouped the Indian way."""
    from oms_project.lib.trader_errors import humanise

    return humanise(str(text or ""))
