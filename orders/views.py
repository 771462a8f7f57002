"""Trader pages: order ticket, order book, positions, order detail.

Thin by rule: parse the form, call ONE orders service/selector, render a template or partial.
Every rule (lot sizes, ticks, approval, duplicates, risk) lives in `orders.services`; its
`DomainError`s are rendered next to the form by the one error component (trader language, the code
only in `data-error-code`); `orders.ui` adds the display facts (lots, ticks, LTP, day change). Someone else's order
or position answers 404. htmx requests get partials; plain requests get the full page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import account_for_request
from marketdata import selectors as md
from oms_project.lib.errors import DomainError, NotFound
from oms_project.lib.pretrade import OrderIntent
from portfolio import selectors as portfolio_selectors

from . import completion_views, selectors, services, ticket_views, ui
from .domain import WORKING, OrderStatus
from .forms import UNKNOWN_FIELD, OrderModifyForm, OrderTicketForm
from .services import completion as completion_services

OPEN_STATUSES = sorted(s.value for s in WORKING)
STATUS_FILTERS = [(s.value, s.value.replace("_", " ").title()) for s in OrderStatus]
TYPEAHEAD_LIMIT = 12
ORDER_BOOK_LIMIT = 500  # newest first; older orders stay reachable through the API


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def _account(request: HttpRequest) -> Any:
    return account_for_request(request)


def _error(exc: DomainError) -> dict[str, Any]:
    return exc.as_body()["error"]


def _order_or_404(request: HttpRequest, order_id: int) -> Any:
    try:
        return selectors.order_get(user=request.user, order_id=order_id)
    except NotFound:
        raise Http404("No such order.") from None


def _position_or_404(request: HttpRequest, position_id: int) -> Any:
    try:
        return selectors.position_get(user=request.user, position_id=position_id)
    except NotFound:
        raise Http404("No such position.") from None


def _instrument_or_none(token: Any) -> Any:
    try:
        return md.instrument_get(int(token))
    except (DomainError, TypeError, ValueError):
        return None


# --- order ticket ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def order_ticket(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = OrderTicketForm(initial={"instrument_token": request.GET.get("instrument_token")})
        instrument = _instrument_or_none(request.GET.get("instrument_token"))
        return render(request, "orders/ticket.html", _ticket_context(request, form, instrument))

    form = OrderTicketForm(request.POST)
    instrument = _instrument_or_none(request.POST.get("instrument_token"))
    context = _ticket_context(request, form, instrument)
    status = 200
    if not form.is_valid():
        code = "UNKNOWN_FIELD" if form.has_error(NON_FIELD_ERRORS, UNKNOWN_FIELD) else "VALIDATION_ERROR"
        context["error"] = {"code": code, "message": _form_message(form), "details": {}}
        status = 400
    elif instrument is None:
        context["error"] = {
            "code": "INSTRUMENT_NOT_FOUND",
            "message": "Choose an instrument from the list.",
            "details": {},
        }
        status = 400
    elif context["account"] is None:
        context["error"] = {"code": "ACCOUNT_NOT_FOUND", "message": "You have no trading account.", "details": {}}
        status = 400
    elif form.is_algo:  # Execution: TWAP / Iceberg (issue #11): a parent execution, not one order
        started = ticket_views.ticket_algo_start(request, form, context["account"])
        status = started.pop("status")
        context.update(started)
    else:
        try:
            intent = OrderIntent.from_fields(
                user_id=request.user.pk,
                account_id=context["account"].pk,
                actor=_actor(request),
                **form.service_kwargs(lot_size=instrument.lot_size),
            )
            context["order"] = ui.with_contract_facts([services.order_place(intent, user=request.user)])[0]
        except DomainError as exc:
            context["error"] = _error(exc)
            status = exc.http_status if 400 <= exc.http_status < 500 else 400
    if request.htmx:
        # htmx swaps only 2xx by default; a refusal is an expected answer, shown next to the form.
        response = render(request, "orders/partials/_ticket_result.html", context)
        if status != 200:
            response["X-Order-Error"] = context["error"]["code"]
        return response
    return render(request, "orders/ticket.html", context, status=status)


def _ticket_context(request: HttpRequest, form: OrderTicketForm, instrument: Any) -> dict[str, Any]:
    lots = _int(form.data.get("lots")) if form.is_bound else 1
    limit = form.is_bound and form.data.get("order_type") in ("LIMIT", "SL")
    price = _decimal(form.data.get("price")) if limit else None
    return {
        "form": form,
        "account": _account(request),
        "ticket_instrument": instrument,
        "ticket_quantity": (lots or 1) * instrument.lot_size if instrument else None,
        "open_statuses": OPEN_STATUSES,
        # Filled at once (not after the first refresh) when the ticket opens on an instrument.
        "preview": _preview(instrument, max(lots or 1, 1), price) if instrument else None,
    }


def _preview(instrument: Any, lots: int, price: Decimal | None) -> dict[str, Any]:
    preview = selectors.ticket_preview(instrument=instrument, lots=lots, price=price)
    freeze = instrument.freeze_quantity
    per_slice = (freeze // instrument.lot_size) * instrument.lot_size if freeze and instrument.lot_size else 0
    slices = -(-preview["quantity"] // per_slice) if per_slice and preview["quantity"] > freeze else 0
    return {
        **preview,
        "instrument": instrument,
        "tick_size": instrument.tick_size,
        "freeze_quantity": freeze,
        "slices_needed": slices,
        "limit_price": price,
    }


def _form_message(form: OrderTicketForm) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label or field.replace("_", " ") if field in form.fields else ""
        parts.append(f"{label.capitalize() + ': ' if label else ''}{' '.join(errors)}")
    return " ".join(parts)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def order_instrument_search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:64]
    instruments = ui.typeahead_quotes(md.instrument_typeahead(query, limit=TYPEAHEAD_LIMIT)) if query else []
    return render(request, "orders/partials/_instrument_options.html", {"instruments": instruments, "query": query})


@login_required
@require_GET
def order_ticket_instrument(request: HttpRequest) -> HttpResponse:
    instrument = _instrument_or_none(request.GET.get("instrument_token"))
    if instrument is None:
        return HttpResponse('<span class="error">Unknown instrument.</span>', status=200)
    return render(request, "orders/partials/_ticket_instrument.html", {"instrument": instrument})


@login_required
@require_GET
def order_ticket_preview(request: HttpRequest) -> HttpResponse:
    instrument = _instrument_or_none(request.GET.get("instrument_token"))
    preview = None
    if instrument is not None:
        lots = max(_int(request.GET.get("lots")) or 1, 1)
        price = _decimal(request.GET.get("price")) if request.GET.get("order_type") in ("LIMIT", "SL") else None
        preview = _preview(instrument, lots, price)
        preview["checks"] = _pretrade_checks(request, instrument)
    return render(request, "orders/partials/_preview.html", {"preview": preview})


def _pretrade_checks(request: HttpRequest, instrument: Any) -> dict[str, Any] | None:
    """The placement pipeline as a dry run (`services.order_preview`) on the ticket as it stands: what
    would refuse it, park it or slice it, before the trader presses the button. None while incomplete."""
    form = OrderTicketForm(request.GET, order_only=True)
    account = _account(request)
    if account is None or not form.is_valid():
        return None
    try:
        intent = OrderIntent.from_fields(
            user_id=request.user.pk,
            account_id=account.pk,
            actor=_actor(request),
            **form.service_kwargs(lot_size=instrument.lot_size),
        )
        result = services.order_preview(intent, user=request.user)
    except DomainError as exc:
        return {"verdict": "deny", "would_place": False, "blocking": _error(exc), "findings": []}
    findings = result["findings"]
    blocking = next((f for f in findings if f["outcome"] == "deny"), None) or next(
        (f for f in findings if f["outcome"] == "park"), None
    )
    execution = next((f["details"] for f in findings if f["stage"] == "orders.execution"), None)
    return {**result, "blocking": blocking, "slices": len(result["order"]["slices"] or []), "execution": execution}


def _decimal(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (ArithmeticError, TypeError, ValueError):
        return None
    return d if d.is_finite() and d > 0 else None


# --- order book ---------------------------------------------------------------------------------
@login_required
@require_GET
def order_book(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    status_filter = request.GET.get("status") or ""
    if status_filter not in {v for v, _ in STATUS_FILTERS}:
        status_filter = ""
    # Finished orders a day old are archived by housekeeping: out of the book unless asked for.
    include_archived = request.GET.get("include_archived") in ("1", "true", "on")
    orders = ui.with_contract_facts(
        selectors.order_list(
            user=request.user, account_id=account.pk, status=status_filter or None, include_archived=include_archived
        )[:ORDER_BOOK_LIMIT]
        if account
        else []
    )
    return render(
        request,
        "orders/book.html",
        {
            "orders": orders,
            "status_filter": status_filter,
            "status_filters": STATUS_FILTERS,
            "open_statuses": OPEN_STATUSES,
            "include_archived": include_archived,
        },
    )


@login_required
@require_GET
def order_book_row(request: HttpRequest, order_id: int) -> HttpResponse:
    """One row for the live table; 204 when the order does not belong in the current view."""
    order = _order_or_404(request, order_id)
    account = _account(request)
    status_filter = request.GET.get("status") or ""
    if account is None or order.account_id != account.pk or (status_filter and order.status != status_filter):
        return HttpResponse(status=204)
    return _render_row(request, order)


def _render_row(request: HttpRequest, order: Any, row_error: Any = "", *, oob: bool = False) -> HttpResponse:
    ui.with_contract_facts([order])
    return render(
        request,
        "orders/partials/_order_row.html",
        {"order": order, "open_statuses": OPEN_STATUSES, "row_error": row_error, "oob": oob},
    )


def _render_after_action(request: HttpRequest, order: Any, error: DomainError | None = None) -> HttpResponse:
    """The answer to cancel/approve/reject: shaped for where the button was (row, detail, ticket)."""
    view = request.GET.get("view", "row")
    if view == "detail":
        return _render_detail_body(request, order, row_error=_error(error) if error else "")
    if view == "ticket":
        context: dict[str, Any] = {
            "order": ui.with_contract_facts([order])[0],
            "open_statuses": OPEN_STATUSES,
            # Close the approval modal once it has been answered.
            "close_modal": order.status != OrderStatus.PENDING_APPROVAL,
        }
        if error:
            context["error"] = _error(error)
        return render(request, "orders/partials/_ticket_result.html", context)
    return _render_row(request, order, row_error=_error(error) if error else "")


def _order_action(request: HttpRequest, order_id: int, action: Callable[..., Any]) -> HttpResponse:
    """Cancel / approve / reject: call the service, answer where the button was (or redirect)."""
    order = _order_or_404(request, order_id)
    try:
        order = action(user=request.user, order_id=order.pk, actor=_actor(request))
    except DomainError as exc:
        return _render_after_action(request, _order_or_404(request, order_id), exc)
    if not request.htmx:
        return redirect("order-detail", order.pk)
    return _render_after_action(request, order)


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_action(request, order_id, services.order_cancel)


@login_required
@require_POST
def order_approve(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_action(request, order_id, services.order_approve)


@login_required
@require_POST
def order_reject(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_action(request, order_id, services.order_reject)


@login_required
@require_POST
def order_completion_save(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order page's completion-policy form: override this order's policy, or (`switch_off`) stop it. Answers
    the page's body (htmx) or redirects to the page; a refusal is shown in the policy's card."""
    order = _order_or_404(request, order_id)
    form: completion_views.CompletionPolicyForm | None = completion_views.CompletionPolicyForm(
        request.POST, prefix="oc"
    )
    switch_off = request.POST.get("switch_off") == "1"
    error: Any = ""
    if switch_off or form.is_valid():
        try:
            completion_services.order_completion_set(
                user=request.user,
                order_id=order.pk,
                actor=_actor(request),
                enabled=not switch_off,
                **({} if switch_off else form.cleaned_data),
            )
            form = None
        except DomainError as exc:
            error = exc
    else:
        field, errs = next(iter(form.errors.items()))
        error = f"{form.fields[field].label if field in form.fields else field}: {errs[0]}"
    if not request.htmx:
        return redirect("order-detail", order.pk)
    order = _order_or_404(request, order_id)
    return render(
        request,
        "orders/partials/_detail_body.html",
        _detail_context(request, order, completion_form=form if error else None, completion_error=error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_modify(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    instrument = _instrument_or_none(order.instrument_token)
    lot_size = instrument.lot_size if instrument else 1
    if request.method == "GET":
        form = OrderModifyForm(
            initial={"lots": order.quantity // lot_size, "price": order.price, "trigger_price": order.trigger_price}
        )
        return render(request, "orders/partials/_modify_modal.html", {"order": order, "form": form})
    form = OrderModifyForm(request.POST)
    context: dict[str, Any] = {"order": order, "form": form}
    if form.is_valid():
        try:
            order = services.order_modify(
                user=request.user, order_id=order.pk, actor=_actor(request), **form.changes(lot_size=lot_size)
            )
        except DomainError as exc:
            context["error"] = _error(exc)
        else:
            # Close the modal and refresh the row (out of band); the push updates other views too.
            return _render_row(request, order, oob=True)
    return render(request, "orders/partials/_modify_modal.html", context)


# --- order detail -------------------------------------------------------------------------------
@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    if request.htmx:
        return _render_detail_body(request, order)
    return render(request, "orders/detail.html", _detail_context(request, order))


def _detail_context(
    request: HttpRequest, order: Any, row_error: Any = "", *, completion_form: Any = None, completion_error: Any = ""
) -> dict[str, Any]:
    children = list(order.children.all())
    trades = list(selectors.trade_list(user=request.user, order_id=order.pk))
    ui.with_contract_facts([order, *children, *trades])
    return {
        "order": order,
        "events": selectors.order_history(user=request.user, order_id=order.pk),
        "trades": trades,
        "children": children,
        "open_statuses": OPEN_STATUSES,
        "row_error": row_error,
        "completion": completion_views.order_completion_panel(order, form=completion_form),
        "completion_error": completion_error,
    }


def _render_detail_body(request: HttpRequest, order: Any, row_error: Any = "") -> HttpResponse:
    return render(request, "orders/partials/_detail_body.html", _detail_context(request, order, row_error))


# --- positions ----------------------------------------------------------------------------------
@login_required
@require_GET
def positions(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    rows = list(selectors.position_list(user=request.user, account_id=account.pk)) if account else []
    _mark(rows)
    chart = portfolio_selectors.settlement_chart(account=account, days=30) if account else {"labels": []}
    return render(request, "orders/positions.html", {"positions": rows, "chart": chart, **ui.split_positions(rows)})


def _mark(rows: list[Any]) -> None:
    """Current LTP, P&L and day change on each row (the page then follows /ws/market/ ticks)."""
    ui.mark_positions(rows, selectors.position_marks(rows))


@login_required
@require_GET
def position_row(request: HttpRequest, position_id: int) -> HttpResponse:
    position = _position_or_404(request, position_id)
    account = _account(request)
    if account is None or position.account_id != account.pk:
        return HttpResponse(status=204)
    _mark([position])
    return render(request, "orders/partials/_position_row.html", {"position": position})


@login_required
@require_POST
def position_exit(request: HttpRequest, position_id: int) -> HttpResponse:
    position = _position_or_404(request, position_id)
    context: dict[str, Any] = {"position": position}
    try:
        exit_order = services.position_exit(user=request.user, position_id=position.pk, actor=_actor(request))
    except DomainError as exc:
        context["row_error"] = _error(exc)
    else:
        context["position"] = _position_or_404(request, position_id)
        _mark([context["position"]])
        context["row_notice"] = f"Exit order #{exit_order.pk} {exit_order.status.replace('_', ' ')}"
        context["row_notice_order"] = exit_order
    if not request.htmx:
        return redirect("positions")
    return render(request, "orders/partials/_position_row.html", context)
