"""Pages: the alert center (list, answer, mark read) and the preferences form."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from oms_project.lib.errors import DomainError
from oms_project.lib.formatting import article

from . import selectors, services
from .errors import AlertNotFound
from .models import LEVEL_CHOICES, TYPE_CHOICES
from .types import AlertLevel, AlertType


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def _own_alert(request: HttpRequest, alert_id: int):  # noqa: ANN202
    try:
        return selectors.alert_get(user=request.user, alert_id=alert_id)
    except AlertNotFound:
        raise Http404 from None


@login_required
def alert_center(request: HttpRequest) -> HttpResponse:
    unread = {"1": True, "0": False}.get(request.GET.get("unread", ""))
    level = request.GET.get("level") if request.GET.get("level") in AlertLevel.__members__ else None
    type_ = request.GET.get("type") if request.GET.get("type") in AlertType.__members__ else None
    page = Paginator(selectors.alert_list(user=request.user, unread=unread, level=level, type=type_), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "alerts/alert_center.html",
        {
            "page": page,
            "alerts": page.object_list,
            "levels": LEVEL_CHOICES,
            "types": TYPE_CHOICES,
            "f_unread": request.GET.get("unread", ""),
            "f_level": level or "",
            "f_type": type_ or "",
        },
    )


@login_required
def alert_row(request: HttpRequest, alert_id: int) -> HttpResponse:
    return render(request, "alerts/partials/_alert_row.html", {"alert": _own_alert(request, alert_id)})


def _row_or_redirect(request: HttpRequest, alert_id: int, error: str | None = None) -> HttpResponse:
    if request.htmx:
        return render(
            request, "alerts/partials/_alert_row.html", {"alert": _own_alert(request, alert_id), "error": error}
        )
    if error:
        messages.error(request, error)
    return redirect("alert-center")


@login_required
@require_POST
def alert_respond_page(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        services.alert_respond(
            user=request.user, alert_id=alert_id, action=request.POST.get("action", ""), actor=_actor(request)
        )
    except AlertNotFound:
        raise Http404 from None
    except DomainError as exc:
        return _row_or_redirect(request, alert_id, exc.message)
    return _row_or_redirect(request, alert_id)


@login_required
@require_POST
def alert_mark_read_page(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        services.alert_mark_read(user=request.user, alert_id=alert_id)
    except AlertNotFound:
        raise Http404 from None
    return _row_or_redirect(request, alert_id)


@login_required
@require_POST
def alert_mark_all_read_page(request: HttpRequest) -> HttpResponse:
    marked = services.alert_mark_all_read(user=request.user)
    messages.success(request, f"Marked {marked} alert{'s' if marked != 1 else ''} read.")
    return redirect("alert-center")


@login_required
@require_POST
def alert_send_test_page(request: HttpRequest) -> HttpResponse:
    level = request.POST.get("level") if request.POST.get("level") in AlertLevel.__members__ else AlertLevel.INFO
    services.alert_send_test(user=request.user, level=level, with_actions=bool(request.POST.get("with_actions")))
    messages.success(request, f"Sent {article(level.lower())} test alert.")
    return redirect("alert-preferences")


def _parse_time(value: str) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def alert_preferences_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        start, end = _parse_time(request.POST.get("quiet_start", "")), _parse_time(request.POST.get("quiet_end", ""))
        try:
            services.preference_update(
                user=request.user,
                muted_types=request.POST.getlist("muted_types"),
                min_level=request.POST.get("min_level") or AlertLevel.INFO,
                quiet_start=start,
                quiet_end=end,
                clear_quiet_hours=start is None or end is None,
                telegram_chat_id=request.POST.get("telegram_chat_id", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Alert preferences saved.")
            return redirect("alert-preferences")
    return render(
        request,
        "alerts/preferences.html",
        {"pref": selectors.preference_get(user=request.user), "levels": LEVEL_CHOICES, "types": TYPE_CHOICES},
    )
