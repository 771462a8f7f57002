"""Order pages through Django's test client: ticket, order book, detail, cancel/modify, positions."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pytest
from django.urls import reverse

from marketdata import selectors as md
from orders.models import Order, OrderEvent
from portfolio.models import Position

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def _far_limit_price(instrument: Any) -> str:
    """Well below the market but inside today's price band: a BUY that rests (whole rupees are on the tick grid)."""
    quote = md.quote_for(instrument)
    return str((quote.lower_circuit_limit * Decimal("1.01")).quantize(Decimal("1"), rounding=ROUND_CEILING))


def _far_sell_price(instrument: Any) -> str:
    quote = md.quote_for(instrument)
    return str((quote.upper_circuit_limit * Decimal("0.99")).quantize(Decimal("1"), rounding=ROUND_FLOOR))


def _place(client: Any, instrument: Any, **overrides: Any) -> Any:
    data = {
        "instrument_token": instrument.instrument_token,
        "side": "BUY",
        "lots": "2",
        "product": "NRML",
        "order_type": "LIMIT",
        "price": _far_limit_price(instrument),
        "validity": "DAY",
        "exit_mode": "price",
    }
    data.update(overrides)
    return client.post(reverse("order-ticket"), data, **HTMX)


def test_urls_resolve_to_the_agreed_paths() -> None:
    assert reverse("order-ticket") == "/orders/new/"
    assert reverse("order-book") == "/orders/"
    assert reverse("positions") == "/positions/"
    assert reverse("order-detail", args=[5]) == "/orders/5/"


def test_pages_need_login(client: Any) -> None:
    for name in ("order-ticket", "order-book", "positions"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_ticket_renders_with_form_and_preview_slot(logged_in: Any, nifty_fut: Any) -> None:
    response = logged_in.get(reverse("order-ticket"))
    html = response.content.decode()
    assert response.status_code == 200
    for testid in (
        "order-ticket-form",
        "instrument-search",
        "side-buy",
        "side-sell",
        "lots",
        "order-type",
        "price",
        "trigger-price",
        "validity",
        "stop-loss",
        "target",
        "trailing-sl",
        "place-order",
        "ticket-costs",
    ):
        assert f'data-testid="{testid}"' in html, testid
    # The nav shows the order links once the URL names resolve.
    assert 'href="/orders/new/"' in html and 'href="/positions/"' in html


def test_instrument_search_partial(logged_in: Any, nifty_fut: Any) -> None:
    response = logged_in.get(reverse("order-instrument-search"), {"q": "nifty fut"}, **HTMX)
    html = response.content.decode()
    assert nifty_fut.tradingsymbol in html
    assert f'data-token="{nifty_fut.instrument_token}"' in html
    assert 'data-lot-size="65"' in html
    empty = logged_in.get(reverse("order-instrument-search"), {"q": "zzzznothing"}, **HTMX).content.decode()
    assert "No instrument matches" in empty


def test_preview_shows_market_facts_and_leaves_costs_to_their_card(logged_in: Any, nifty_fut: Any) -> None:
    response = logged_in.get(
        reverse("order-ticket-preview"), {"instrument_token": nifty_fut.instrument_token, "lots": "3"}, **HTMX
    )
    html = response.content.decode()
    assert 'data-testid="preview-ltp"' in html
    assert "195 (3 × 65)" in html  # quantity = lots x lot size
    # Costs and margin are the costs card's (tests/orders/ui/test_ticket_costs.py), computed for real.
    assert "Brokerage" not in html


def test_placing_through_the_ticket_creates_an_order_via_the_service(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    response = _place(logged_in, nifty_fut, lots="2")
    html = response.content.decode()
    assert response.status_code == 200, html
    order = Order.objects.get(user=user)
    assert order.quantity == 130  # 2 lots x 65
    assert order.order_type == "LIMIT" and order.transaction_type == "BUY"
    assert order.price == Decimal(_far_limit_price(nifty_fut))
    assert 'data-testid="order-placed"' in html and f'data-order-id="{order.pk}"' in html
    assert order.status in html
    assert OrderEvent.objects.filter(order=order).exists()  # the service wrote the audit trail


def test_sell_with_stop_loss_and_target_in_points(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    price = _far_sell_price(nifty_fut)
    response = _place(
        logged_in, nifty_fut, side="SELL", lots="1", price=price, exit_mode="points", stop_loss="50", target="100"
    )
    assert 'data-testid="order-placed"' in response.content.decode(), response.content.decode()
    order = Order.objects.get(user=user, role="ENTRY")
    assert order.transaction_type == "SELL"
    assert order.stop_loss_points == Decimal("50") and order.target_points == Decimal("100")


def test_service_validation_error_is_rendered_next_to_the_form(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    response = _place(logged_in, nifty_fut, price=_far_limit_price(nifty_fut) + ".05")  # off the 0.10 tick grid
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in next to the form
    assert 'data-testid="order-error"' in html
    assert 'data-error-code="TICK_SIZE_MISMATCH"' in html
    assert "tick" in html.lower()
    assert not Order.objects.filter(user=user).exists()


def test_missing_price_for_limit_is_refused(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    html = _place(logged_in, nifty_fut, price="").content.decode()
    assert 'data-error-code="PRICE_REQUIRED"' in html
    assert not Order.objects.filter(user=user).exists()


def test_form_error_without_instrument(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    html = _place(logged_in, nifty_fut, instrument_token="").content.decode()
    assert 'data-testid="order-error"' in html and "Choose an instrument" in html
    non_htmx = logged_in.post(reverse("order-ticket"), {"side": "BUY", "lots": "0", "order_type": "LIMIT"})
    assert non_htmx.status_code == 400
    assert "At least one lot" in non_htmx.content.decode()


def test_order_book_lists_current_account_orders_and_filters(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _place(logged_in, nifty_fut)
    order = Order.objects.get(user=user)
    html = logged_in.get(reverse("order-book")).content.decode()
    assert f'id="order-row-{order.pk}"' in html and 'data-testid="cancel-order"' in html
    filtered = logged_in.get(reverse("order-book"), {"status": "COMPLETE"}).content.decode()
    assert f'id="order-row-{order.pk}"' not in filtered
    row = logged_in.get(reverse("order-book-row", args=[order.pk]), **HTMX)
    assert row.status_code == 200 and f'id="order-row-{order.pk}"' in row.content.decode()
    assert logged_in.get(reverse("order-book-row", args=[order.pk]), {"status": "COMPLETE"}, **HTMX).status_code == 204


def test_cancel_button_cancels_and_returns_the_row(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _place(logged_in, nifty_fut)
    order = Order.objects.get(user=user)
    response = logged_in.post(reverse("order-cancel", args=[order.pk]), **HTMX)
    html = response.content.decode()
    order.refresh_from_db()
    assert order.status in ("CANCELLED", "CANCEL PENDING")
    assert f'id="order-row-{order.pk}"' in html and order.status in html
    assert 'data-testid="cancel-order"' not in html or order.status == "CANCEL PENDING"
    # Cancelling again is refused with the service's message, shown in the row.
    again = logged_in.post(reverse("order-cancel", args=[order.pk]), **HTMX).content.decode()
    assert 'data-testid="row-error"' in again


def test_modify_changes_the_price(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _place(logged_in, nifty_fut)
    order = Order.objects.get(user=user)
    modal = logged_in.get(reverse("order-modify", args=[order.pk]), **HTMX).content.decode()
    assert 'data-testid="modify-modal"' in modal
    new_price = str(order.price - 10)
    response = logged_in.post(reverse("order-modify", args=[order.pk]), {"lots": "2", "price": new_price}, **HTMX)
    order.refresh_from_db()
    assert order.price == Decimal(new_price)
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_order_detail_shows_fields_and_audit_history(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    _place(logged_in, nifty_fut)
    order = Order.objects.get(user=user)
    html = logged_in.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-fields"' in html and 'data-testid="order-events"' in html
    assert html.count('data-testid="order-event"') == OrderEvent.objects.filter(order=order).count() >= 1
    assert "IST" in html
    partial = logged_in.get(reverse("order-detail", args=[order.pk]), **HTMX).content.decode()
    assert "<html" not in partial and 'data-testid="order-events"' in partial


def test_someone_elses_order_is_not_found(client: Any, user: Any, other_user: Any, nifty_fut: Any) -> None:
    client.force_login(user)
    _place(client, nifty_fut)
    order = Order.objects.get(user=user)
    client.force_login(other_user)
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("order-book-row", args=[order.pk]), **HTMX).status_code == 404
    assert client.post(reverse("order-cancel", args=[order.pk]), **HTMX).status_code == 404
    assert client.get(reverse("order-modify", args=[order.pk]), **HTMX).status_code == 404
    assert f"order-row-{order.pk}" not in client.get(reverse("order-book")).content.decode()
    order.refresh_from_db()
    assert order.status != "CANCELLED"


def test_market_order_creates_a_position_and_exit_flattens_it(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    html = _place(logged_in, nifty_fut, order_type="MARKET", price="", lots="1").content.decode()
    assert 'data-testid="order-placed"' in html, html
    position = Position.objects.get(user=user, instrument_token=nifty_fut.instrument_token)
    assert position.quantity == 65
    page = logged_in.get(reverse("positions")).content.decode()
    assert f'id="position-row-{position.pk}"' in page and 'data-testid="exit-position"' in page
    row = logged_in.post(reverse("position-exit", args=[position.pk]), **HTMX).content.decode()
    assert 'data-testid="row-notice"' in row or 'data-testid="row-error"' in row
    assert Order.objects.filter(user=user, transaction_type="SELL").exists()


def test_someone_elses_position_is_not_found(client: Any, user: Any, other_user: Any, nifty_fut: Any) -> None:
    client.force_login(user)
    _place(client, nifty_fut, order_type="MARKET", price="", lots="1")
    position = Position.objects.get(user=user)
    client.force_login(other_user)
    assert client.post(reverse("position-exit", args=[position.pk]), **HTMX).status_code == 404
    assert client.get(reverse("position-row", args=[position.pk]), **HTMX).status_code == 404


def test_near_duplicate_needs_approval_and_the_modal_approves_it(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    from orders.models import OrderPreferences

    OrderPreferences.objects.update_or_create(
        user=user,
        defaults={"duplicate_action": OrderPreferences.DuplicateAction.CONFIRM, "duplicate_window_seconds": 60},
    )
    _place(logged_in, nifty_fut)
    html = _place(logged_in, nifty_fut).content.decode()
    pending = Order.objects.filter(user=user).order_by("-id").first()
    assert pending.status == "PENDING_APPROVAL"
    assert 'data-testid="approval-modal"' in html and 'hx-swap-oob="innerHTML:#modal-root"' in html
    answered = logged_in.post(reverse("order-approve", args=[pending.pk]) + "?view=ticket", **HTMX).content.decode()
    pending.refresh_from_db()
    assert pending.status not in ("PENDING_APPROVAL", "REJECTED")
    assert 'data-testid="order-placed"' in answered and '<div hx-swap-oob="innerHTML:#modal-root"></div>' in answered


def test_a_refused_duplicate_is_placed_again_when_the_trader_says_so(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    from orders.models import OrderPreferences

    OrderPreferences.objects.update_or_create(
        user=user,
        defaults={"duplicate_action": OrderPreferences.DuplicateAction.REFUSE, "duplicate_window_seconds": 60},
    )
    _place(logged_in, nifty_fut)
    refused = _place(logged_in, nifty_fut).content.decode()
    assert 'data-error-code="DUPLICATE_ORDER"' in refused and 'data-testid="confirm-duplicate"' in refused
    assert "confirm_duplicate" not in refused.split('data-testid="order-error"')[1].split("</div>")[0]
    assert Order.objects.filter(user=user).count() == 1
    again = _place(logged_in, nifty_fut, confirm_duplicate="on").content.decode()
    assert 'data-testid="order-placed"' in again and Order.objects.filter(user=user).count() == 2


def test_rejecting_a_pending_order_from_the_modal(logged_in: Any, user: Any, nifty_fut: Any) -> None:
    from orders.models import OrderPreferences

    OrderPreferences.objects.update_or_create(
        user=user,
        defaults={"duplicate_action": OrderPreferences.DuplicateAction.CONFIRM, "duplicate_window_seconds": 60},
    )
    _place(logged_in, nifty_fut)
    _place(logged_in, nifty_fut)
    pending = Order.objects.filter(user=user, status="PENDING_APPROVAL").get()
    logged_in.post(reverse("order-reject", args=[pending.pk]) + "?view=ticket", **HTMX)
    pending.refresh_from_db()
    assert pending.status in ("REJECTED", "CANCELLED")
