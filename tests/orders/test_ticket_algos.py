"""TWAP / iceberg from the order ticket (issue #11): the ticket's Execution choice starts a parent execution through
orders.services.algos (the API's service), the result card links to its progress on /algos/; the algorithm's
fields are checked with trader-language errors; the preview keeps judging the order while they are filled in;
the execution panel offers one click to the advised algorithm."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string

from orders.execution_models import AdvancedOrderExecution
from orders.models import Order
from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"  # a Wednesday in the session
HTMX = {"HTTP_HX_REQUEST": "true"}


def _ticket(fut: Any, **kw: Any) -> dict[str, Any]:
    base = {"instrument_token": fut.instrument_token, "side": "BUY", "lots": 4, "product": "NRML",
            "order_type": "MARKET", "market_protection": -1, "validity": "DAY", "exit_mode": "price"}  # fmt: skip
    return {**base, **kw}


def test_a_twap_from_the_ticket_is_a_parent_execution_worked_by_the_runner(
    client, user, account, fut, travel_to
) -> None:  # noqa: ANN001, E501
    clock = travel_to(T0)
    client.force_login(user)
    r = client.post("/orders/new/", _ticket(fut, execution="TWAP", twap_duration="4m", twap_slices=2), **HTMX)
    html = r.content.decode()
    assert r.status_code == 200 and "X-Order-Error" not in r, html
    ex = AdvancedOrderExecution.objects.get(user=user)
    assert (ex.algorithm, ex.total_quantity, ex.slices_total, ex.account_id) == ("TWAP", 300, 2, account.pk)
    assert ex.params["duration_seconds"] == 240 and ex.params["size_jitter_pct"] == "0"  # randomise unticked
    assert ex.limit_price is None  # MARKET slices: no price guard
    assert not Order.objects.filter(user=user).exists()  # nothing sent yet: the runner sends the slices
    assert f'data-execution-id="{ex.pk}"' in html and 'data-testid="ticket-execution-progress"' in html
    assert f'href="/algos/#algo-row-{ex.pk}"' in html and "as a TWAP over 240 s in 2 slices" in html
    clock.shift(240)
    algos.algos_tick()
    clock.shift(1)
    algos.algos_tick()
    ex.refresh_from_db()
    assert ex.status == "COMPLETED" and ex.filled_quantity == 300


def test_a_limit_twap_guards_its_price_and_randomises_when_asked(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    form = _ticket(fut, order_type="LIMIT", price="24010", execution="TWAP", twap_duration="90s",
                   twap_interval=30, twap_randomise="true")  # fmt: skip
    assert client.post("/orders/new/", form, **HTMX).status_code == 200
    ex = AdvancedOrderExecution.objects.get(user=user)
    assert str(ex.limit_price) == "24010.00" and ex.slices_total == 3
    jitter = (ex.params["interval_seconds"], ex.params["size_jitter_pct"], ex.params["time_jitter_pct"])
    assert jitter == (30, "20", "30")


def test_an_iceberg_from_the_ticket_rests_limit_legs_of_the_visible_lots(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    form = _ticket(fut, order_type="LIMIT", price="23990", execution="ICEBERG", iceberg_visible_lots=1)
    html = client.post("/orders/new/", form, **HTMX).content.decode()
    ex = AdvancedOrderExecution.objects.get(user=user)
    assert (ex.algorithm, ex.total_quantity, ex.params["visible_quantity"]) == ("ICEBERG", 300, 75)
    assert "kite_iceberg" not in ex.params  # a paper account: our own slicing, nothing to say
    assert "an iceberg at 23990" in html and "75 showing" in html


@pytest.mark.parametrize(
    "fields,text",
    [
        (dict(execution="ICEBERG", iceberg_visible_lots=1), "An iceberg works LIMIT legs: choose LIMIT"),
        (dict(execution="ICEBERG", order_type="LIMIT", price="23990"), "How many lots should show at a time?"),
        (dict(execution="ICEBERG", order_type="LIMIT", price="23990", iceberg_visible_lots=4),
         "Showing 4 of 4 lots shows the whole order"),
        (dict(execution="ICEBERG", order_type="LIMIT", iceberg_visible_lots=1), "Enter the LIMIT price"),
        (dict(execution="TWAP", twap_slices=2), "How long should the TWAP run?"),
        (dict(execution="TWAP", twap_duration="soon", twap_slices=2), "is not a duration"),
        (dict(execution="TWAP", twap_duration="7h", twap_slices=2), "within one session"),
        (dict(execution="TWAP", twap_duration="10"), "Give the number of slices, or the seconds between them"),
        (dict(execution="TWAP", twap_duration="10", twap_slices=2, twap_interval=60), "not both"),
        (dict(execution="TWAP", twap_duration="20s", twap_slices=10), "use at most 4 slices"),
        (dict(execution="TWAP", twap_duration="10", twap_interval=2), "at least 5 seconds between them"),
        (dict(execution="TWAP", twap_duration="1m", twap_interval=120), "longer than the whole TWAP"),
        (dict(execution="TWAP", twap_duration="10", twap_slices=2, order_type="SL", price="24100",
              trigger_price="24090"), "choose MARKET or LIMIT"),
        (dict(execution="TWAP", twap_duration="10", twap_slices=2, validity="IOC"), "leave validity at DAY"),
        (dict(execution="TWAP", twap_duration="10", twap_slices=2, stop_loss="23900"), "cannot carry a stop-loss"),
        (dict(execution="VWAP"), "Select a valid choice"),
    ],
)  # fmt: skip
def test_the_algorithms_fields_are_checked_in_trader_words(client, user, account, fut, fields, text) -> None:  # noqa: ANN001
    client.force_login(user)
    r = client.post("/orders/new/", _ticket(fut, **fields), **HTMX)
    assert r["X-Order-Error"] == "VALIDATION_ERROR"
    assert text in r.content.decode()
    assert not AdvancedOrderExecution.objects.exists() and not Order.objects.exists()


def test_the_full_page_shows_the_field_error_next_to_the_field(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    r = client.post("/orders/new/", _ticket(fut, execution="TWAP", twap_duration="10", twap_slices=2,
                                            twap_interval=60))  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 400 and 'data-testid="error-twap_slices"' in html
    assert '<option value="TWAP" selected>' in html  # the trader's choice is kept


def test_a_refusal_by_the_service_is_shown_with_its_code(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    form = _ticket(fut, order_type="LIMIT", price="24000.03", execution="ICEBERG", iceberg_visible_lots=1)
    r = client.post("/orders/new/", form, **HTMX)
    assert r["X-Order-Error"] == "TICK_SIZE_MISMATCH" and "tick" in r.content.decode().lower()
    assert not AdvancedOrderExecution.objects.exists()


def test_the_preview_judges_the_order_while_the_twap_fields_are_being_filled(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    html = client.get("/orders/new/preview/", _ticket(fut, execution="TWAP"), **HTMX).content.decode()
    assert 'data-testid="execution-panel"' in html  # the dry run ran: the panel that may advise a TWAP is there


@pytest.mark.parametrize("advice,label", [("TWAP", "Work it as a TWAP"), ("ICEBERG", "Work it as an iceberg"),
                                          ("EXECUTE_LIMIT", None)])  # fmt: skip
def test_the_panel_offers_one_click_to_the_advised_algorithm(advice: str, label: str | None) -> None:
    execution = {"spread_category": "NORMAL", "recommendation": advice, "recommendation_label": advice,
                 "recommended_slice_quantity": 150, "liquidity_score": 40, "thresholds": {}}  # fmt: skip
    html = render_to_string("orders/partials/_execution_panel.html", {"execution": execution, "tick_size": "0.05"})
    if label is None:
        assert "data-execution-use-algo" not in html
    else:
        assert f'data-execution-use-algo="{advice}"' in html and 'data-slice-quantity="150"' in html and label in html
