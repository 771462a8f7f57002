"""The algorithm panel (issue #11): start a TWAP, an iceberg or a depth-aware split, watch its progress bar (live
over /ws/orders/), pause / resume / cancel. Thin: parse, call one service (orders.services.algos), render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from oms_project.lib.errors import DomainError

from . import algo_selectors
from .algo_presenters import execution_json
from .services import algos


class AlgoStartForm(forms.Form):
    algorithm = forms.ChoiceField(
        choices=[("TWAP", "TWAP"), ("ICEBERG", "Iceberg"), ("DEPTH_SPLIT", "Depth-aware split")]
    )
    exchange = forms.CharField(max_length=8, initial="NFO")
    tradingsymbol = forms.CharField(max_length=64)
    transaction_type = forms.ChoiceField(choices=[("BUY", "Buy"), ("SELL", "Sell")])
    lots = forms.IntegerField(min_value=1)
    product = forms.ChoiceField(choices=[("NRML", "NRML"), ("MIS", "MIS")], initial="NRML")
    duration_seconds = forms.IntegerField(
        min_value=1, max_value=algos.MAX_DURATION_SECONDS, required=False, initial=600
    )
    slices = forms.IntegerField(min_value=1, max_value=algos.MAX_TWAP_SLICES, required=False, initial=5)
    visible_lots = forms.IntegerField(min_value=1, required=False, initial=1)
    limit_price = forms.CharField(required=False, help_text="TWAP: the price guard; iceberg: the leg price.")
    participation_cap_pct = forms.IntegerField(min_value=1, max_value=100, required=False)
    max_impact_bps = forms.IntegerField(
        min_value=1, max_value=10_000, required=False, help_text="Depth-aware split: default your strategy's budget."
    )

    def clean_limit_price(self) -> Decimal | None:
        raw = (self.cleaned_data.get("limit_price") or "").strip()
        if not raw:
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError("A price, e.g. 24000.05.") from None


def _start(user, d: dict) -> object:  # noqa: ANN001
    common = dict(
        user=user,
        actor=f"user:{user.pk}",
        exchange=d["exchange"].upper(),
        tradingsymbol=d["tradingsymbol"],
        transaction_type=d["transaction_type"],
        lots=d["lots"],
        product=d["product"],
    )
    if d["algorithm"] == "ICEBERG":
        return algos.iceberg_start(**common, limit_price=d["limit_price"], visible_lots=d["visible_lots"] or 1)
    if d["algorithm"] == "DEPTH_SPLIT":
        return algos.depth_split_start(**common, limit_price=d["limit_price"], max_impact_bps=d["max_impact_bps"])
    return algos.twap_start(
        **common,
        duration_seconds=d["duration_seconds"] or 600,
        slices=d["slices"] or 5,
        limit_price=d["limit_price"],
        participation_cap_pct=d["participation_cap_pct"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def algo_panel(request: HttpRequest) -> HttpResponse:
    form = AlgoStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ex = _start(request.user, form.cleaned_data)
        except DomainError as err:
            form.add_error(None, f"{err.code}: {err.message}")
        else:
            messages.success(request, f"{ex.algorithm} #{ex.pk} started.")
            return redirect("algo-panel")
    rows = [execution_json(e) for e in algo_selectors.execution_list(user=request.user)[:50]]
    return render(request, "orders/algos.html", {"form": form, "executions": rows})


@login_required
@require_POST
def algo_action(request: HttpRequest, execution_id: int, action: str) -> HttpResponse:
    service = {"pause": algos.execution_pause, "resume": algos.execution_resume, "cancel": algos.execution_cancel}.get(
        action
    )
    if service is None:
        raise Http404("No such action.")
    try:
        service(user=request.user, execution_id=execution_id, actor=f"user:{request.user.pk}")
    except DomainError as err:
        if err.http_status == 404:
            raise Http404(err.message) from None
        messages.error(request, err.message)
    return redirect("algo-panel")
