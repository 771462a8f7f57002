"""Completion-policy forms (docs/completion-policies.md): the strategy settings panel's (rendered by the
`completion_policy_form` tag, saved through the strategy's settings service) and one order's override on its
detail page (`order_completion_panel`, saved through `order_completion_set`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from oms_project.lib.errors import DomainError
from portfolio import selectors as portfolio_selectors

from . import completion as policy
from .services import completion as completion_services
from .services import strategy_update
from .services.completion import settings_of


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in enum]


class CompletionPolicyForm(forms.Form):
    """The same fields and ranges as the API's `completion_policy` (orders.api.completion)."""

    unfilled_action = forms.ChoiceField(choices=_choices(policy.UnfilledAction), label="Unfilled LIMIT order")
    unfilled_after_seconds = forms.IntegerField(min_value=0, max_value=22500, label="…after (seconds)")
    chase_interval_seconds = forms.IntegerField(min_value=3, max_value=3600, label="Chase: every (seconds)")
    chase_ticks = forms.IntegerField(min_value=1, max_value=100, label="Chase: ticks per step")
    chase_max_adjustment_pct = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, label="Chase: at most (% of the limit)"
    )
    after_chase = forms.ChoiceField(choices=_choices(policy.AfterChase), label="Chase at its cap")
    partial_fill_action = forms.ChoiceField(choices=_choices(policy.PartialFillAction), label="Partly filled order")
    partial_fill_wait_seconds = forms.IntegerField(min_value=0, max_value=22500, label="Time-based: wait (seconds)")
    partial_fill_price_move_pct = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, label="Price-based: market moved (%)"
    )


def form_for(strategy: Any) -> CompletionPolicyForm:
    current = settings_of(strategy).as_json()
    return CompletionPolicyForm(initial=current, prefix="cp")


@login_required
@require_POST
def completion_policy_save(request: HttpRequest, strategy_id: int) -> HttpResponse:
    try:
        strategy = portfolio_selectors.strategy_get(user=request.user, strategy_id=strategy_id)
    except DomainError:
        raise Http404 from None
    back = f"{reverse('strategy-settings')}?strategy={strategy.pk}"
    form = CompletionPolicyForm(request.POST, prefix="cp")
    if not form.is_valid():
        field, errs = next(iter(form.errors.items()))
        messages.error(
            request, f"{strategy.name}: {form.fields[field].label if field in form.fields else field}: {errs[0]}"
        )
        return redirect(back)
    try:
        strategy_update(user=request.user, strategy_id=strategy.pk, completion_policy=dict(form.cleaned_data))
    except DomainError as err:
        messages.error(request, f"{strategy.name}: {err.message}")
        return redirect(back)
    messages.success(request, f"{strategy.name}: completion policy saved.")
    return redirect(back)


# --- one order's override (the order detail page) ------------------------------------------------------------
def order_completion_panel(order: Any, *, form: CompletionPolicyForm | None = None) -> dict[str, Any] | None:
    """What the order page shows of the order's policy: where it is, what it runs with, and the override form while
    one may be set (None for an order no policy can apply to and none ever did)."""
    comp = completion_services.completion_of(order)  # `order` is the page's, already scoped to its owner
    applicable = completion_services.completion_applicable(order)
    if comp is None and not applicable:
        return None
    live = comp is not None and comp.state in completion_services.LIVE_STATES
    running = policy.PolicySettings.from_json(comp.settings) if comp is not None else settings_of(order.strategy)
    editable = applicable and (comp is None or live)
    return {
        "completion": comp,
        "live": live,
        "source": ("this order" if comp.source == "order" else "the strategy") if comp else "the strategy",
        "settings": running,
        "enabled": running.enabled,
        "editable": editable,
        "form": (form or CompletionPolicyForm(initial=running.as_json(), prefix="oc")) if editable else None,
    }
