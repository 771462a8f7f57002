"""Housekeeping pages (htmx, server-rendered): the jobs panel (run now for staff), orphaned orders
(cancel / keep), reconciliation mismatches (adopt, staff), EOD reports (+ CSV), the archive, the audit CSV, the strategy
settings panel with the two presets; and the operations endpoints /health/ready and /metrics."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import account_for_request, account_get
from oms_project import metrics as oms_metrics
from oms_project.lib.errors import DomainError
from portfolio import selectors as portfolio_selectors
from portfolio import services as portfolio_services
from portfolio.domain import STRATEGY_PRESETS

from . import audit, health, jobs, selectors
from .forms import SETTINGS_FIELDS, StrategySettingsForm
from .models import HousekeepingEvent, Mismatch
from .services import eod, orphans, reconciliation


def health_ready(request: HttpRequest) -> JsonResponse:
    code, body = health.readiness(strict=request.GET.get("strict") in ("1", "true"))
    return JsonResponse(body, status=code)


def metrics_view(request: HttpRequest) -> HttpResponse:
    from .metrics_db import exposition as db_exposition

    return HttpResponse(oms_metrics.exposition() + db_exposition(), content_type=oms_metrics.CONTENT_TYPE)


@login_required
def panel(request: HttpRequest) -> HttpResponse:
    return render(request, "housekeeping/panel.html", {
        "jobs": selectors.jobs_overview(), "log": selectors.events_log(limit=30),
    })  # fmt: skip


@staff_member_required
@require_POST
def run_now(request: HttpRequest, name: str) -> HttpResponse:
    try:
        ev = jobs.job_run(name, trigger=HousekeepingEvent.Trigger.MANUAL, actor=f"user:{request.user.pk}")
        messages.success(request, f"{jobs.job_get(name).title}: {ev.status}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("housekeeping-panel")


@login_required
def archive_page(request: HttpRequest) -> HttpResponse:
    """The current account's archived orders and positions (out of the order book and positions pages)."""
    from .services import archiving

    account = account_for_request(request)
    account_id = account.pk if account else None
    return render(request, "housekeeping/archive.html", {
        "orders": archiving.archived_orders_for(user=request.user, account_id=account_id),
        "positions": archiving.archived_positions_for(user=request.user, account_id=account_id),
    })  # fmt: skip


@login_required
def orphan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "housekeeping/orphans.html", {"orders": orphans.orphans_list(user=request.user)})


@login_required
@require_POST
def orphan_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    try:
        if action == "cancel":
            orphans.orphan_cancel(user=request.user, order_id=order_id)
            messages.success(request, f"Order #{order_id} cancelled.")
        elif action == "keep":
            orphans.orphan_keep(user=request.user, order_id=order_id)
            messages.success(request, f"Order #{order_id} kept: the sweep will leave it alone.")
        else:
            raise Http404
    except DomainError as exc:
        if exc.http_status == 404 or exc.code == "ORDER_NOT_ORPHANED":
            raise Http404 from None
        messages.error(request, exc.message)
    return redirect("housekeeping-orphans")


@login_required
def mismatch_list(request: HttpRequest) -> HttpResponse:
    staff = request.user.is_staff
    state = request.GET.get("state", "OPEN")
    if state not in Mismatch.State.values:
        state = "OPEN"
    rows = reconciliation.mismatches_list(state=state, user=None if staff else request.user)
    return render(request, "housekeeping/mismatches.html", {"mismatches": rows, "state": state, "staff": staff})


@staff_member_required
@require_POST
def mismatch_adopt(request: HttpRequest, mismatch_id: int) -> HttpResponse:
    try:
        reconciliation.mismatch_adopt(mismatch_id=mismatch_id, actor=f"user:{request.user.pk}")
        messages.success(request, "The broker's state was adopted.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("housekeeping-mismatches")


def _day(request: HttpRequest, name: str, default: date | None) -> date | None:
    raw = request.GET.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None


@login_required
def eod_page(request: HttpRequest) -> HttpResponse:
    day = _day(request, "day", None)
    reports = eod.eod_reports(user=None if request.user.is_staff else request.user, day=day)
    return render(request, "housekeeping/eod.html", {"reports": reports, "day": day})


@login_required
def eod_csv(request: HttpRequest) -> HttpResponse:
    day = _day(request, "day", None)
    reports = eod.eod_reports(user=None if request.user.is_staff else request.user, day=day)
    response = HttpResponse(eod.eod_csv(reports), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="eod-{day or "all"}.csv"'
    return response


@login_required
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The current (or `?account=`) account's audit trail for `from`..`to` (IST dates; default today)."""
    today = timezone.localdate()
    account = account_for_request(request)
    if request.GET.get("account"):
        try:
            account = account_get(user=request.user, account_id=int(request.GET["account"]))
        except (ValueError, DomainError):
            raise Http404 from None
    if account is None:
        raise Http404
    date_from, date_to = _day(request, "from", today), _day(request, "to", today)
    body = audit.audit_csv(account=account, date_from=date_from, date_to=date_to)
    response = HttpResponse(body, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{account.pk}-{date_from}-{date_to}.csv"'
    return response


@login_required
def strategy_settings(request: HttpRequest) -> HttpResponse:
    strategies = list(portfolio_selectors.strategy_list(user=request.user))
    chosen = None
    if request.GET.get("strategy") or request.POST.get("strategy"):
        try:
            chosen = portfolio_selectors.strategy_get(user=request.user,
                                                      strategy_id=int(request.GET.get("strategy") or request.POST["strategy"]))  # fmt: skip
        except (ValueError, DomainError):
            raise Http404 from None
    elif strategies:
        chosen = strategies[0]
    form = StrategySettingsForm(instance=chosen) if chosen else None
    if request.method == "POST" and chosen is not None:
        preset = request.POST.get("preset")
        if preset:
            if preset not in STRATEGY_PRESETS:
                raise Http404
            values = dict(STRATEGY_PRESETS[preset])
            portfolio_services.strategy_update(user=request.user, strategy_id=chosen.pk, **values)
            messages.success(request, f"{chosen.name}: the {preset} preset applied.")
            return redirect(f"{request.path}?strategy={chosen.pk}")
        form = StrategySettingsForm(request.POST, instance=chosen)
        if form.is_valid():
            portfolio_services.strategy_update(user=request.user, strategy_id=chosen.pk,
                                               **{k: form.cleaned_data[k] for k in SETTINGS_FIELDS})  # fmt: skip
            messages.success(request, f"{chosen.name}: settings saved.")
            return redirect(f"{request.path}?strategy={chosen.pk}")
    chart: dict[str, list] = {"labels": [], "total": [], "realised": [], "margin": [], "delta": []}
    snaps: list = []
    if chosen is not None:
        from .services.snapshots import snapshots_for

        snaps = snapshots_for(user=request.user, strategy_id=chosen.pk, day=timezone.localdate())
        for snap in snaps:
            chart["labels"].append(timezone.localtime(snap.at).strftime("%H:%M"))
            chart["total"].append(f"{snap.realised_pnl + snap.unrealised_pnl:.2f}")
            chart["realised"].append(f"{snap.realised_pnl:.2f}")
            chart["margin"].append(None if snap.margin_used is None else f"{snap.margin_used:.2f}")
            chart["delta"].append((snap.greeks or {}).get("delta_inr"))
    return render(request, "housekeeping/strategy_settings.html", {
        "strategies": strategies, "chosen": chosen, "form": form, "presets": STRATEGY_PRESETS, "chart": chart,
        "snapshots": list(reversed(snaps))[:12],
    })  # fmt: skip
