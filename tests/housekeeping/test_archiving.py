"""Archiving takes finished orders (a day old, or the day's after its end) and settled positions out of the
working views (order book, API lists) and keeps them queryable (include_archived, the archive page, the order's
detail and audit trail). Clock pinned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from orders.models import OrderEvent
from portfolio.models import Position

pytestmark = pytest.mark.dates


def _ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {r["id"] for r in rows}


def _page(user, url: str) -> str:
    c = Client()
    c.force_login(user)
    r = c.get(url)
    assert r.status_code == 200
    return r.content.decode()


def _in_book(html: str, order_id: int) -> bool:
    return f'data-order-id="{order_id}"' in html


def test_aged_orders_leave_the_book_and_the_api_list_and_stay_queryable(
    user, other_user, fut, place, run_job, travel_to, api, other_api
):
    clock = travel_to("2026-12-01 10:00 IST", tick=True)
    done = place()  # filled
    resting = place(order_type="LIMIT", price=D("23000"))  # still working tomorrow? cancelled below
    events = OrderEvent.objects.filter(order=done).count()
    book = _page(user, "/orders/")
    assert _in_book(book, done.pk), "the row marker the test reads is missing from the order book"
    clock.move_to("2026-12-02 10:30 IST")
    ev = run_job("order_aging")
    assert ev.did["archived"] == 1  # the filled one; the working one is never archived
    assert _ids(api.get("/api/v1/orders/")) == {resting.pk}
    assert _ids(api.get("/api/v1/orders/?include_archived=true")) == {done.pk, resting.pk}
    book = _page(user, "/orders/")
    assert not _in_book(book, done.pk) and _in_book(book, resting.pk)
    assert _in_book(_page(user, "/orders/?include_archived=1"), done.pk)
    # Still queryable: detail, history, the archive page; the audit trail is whole.
    assert api.get(f"/api/v1/orders/{done.pk}/").status_code == 200
    assert len(api.get(f"/api/v1/orders/{done.pk}/history/").json()) == events
    assert OrderEvent.objects.filter(order=done).count() == events
    assert f'data-order="{done.pk}"' in _page(user, "/housekeeping/archive/")
    assert f'data-order="{done.pk}"' not in _page(other_user, "/housekeeping/archive/")
    assert other_api.get(f"/api/v1/orders/{done.pk}/").status_code == 404
    csv_text = _page(user, f"/housekeeping/audit.csv?account={done.account_id}&from=2026-12-01&to=2026-12-01")
    assert f"{done.pk}," in csv_text and "ORDER_FILLED" in csv_text


def test_end_of_day_archives_the_days_finished_orders_from_midnight(user, fut, place, run_job, travel_to, api):
    clock = travel_to("2026-12-02 11:00 IST", tick=True)
    done = place()
    resting = place(order_type="LIMIT", price=D("23000"))
    clock.move_to("2026-12-02 15:30 IST")
    assert run_job("eod_reconciliation").status == "OK"
    clock.move_to("2026-12-02 23:50 IST")  # still today's book
    assert _ids(api.get("/api/v1/orders/")) == {done.pk, resting.pk}
    clock.move_to("2026-12-03 00:05 IST")
    assert _ids(api.get("/api/v1/orders/")) == {resting.pk}
    assert _ids(api.get("/api/v1/orders/?include_archived=true&status=COMPLETE")) == {done.pk}


def test_settled_positions_on_expired_contracts_leave_the_position_views(
    user, make_instrument, fake_market, place, run_job, travel_to, api
):
    clock = travel_to("2026-12-08 10:00 IST", tick=True)  # NIFTY weekly expiry
    make_instrument(2002, "NIFTY26D0824000CE", type_="CE", expiry=date(2026, 12, 8), strike="24000",
                    last_price="100", lot=65)  # fmt: skip
    fake_market.set(2002, "100")
    place(instrument_token=2002, quantity=65)
    place(instrument_token=2002, quantity=65, transaction_type="SELL")  # flat: settled
    position = Position.objects.get(instrument_token=2002)
    assert _ids(api.get("/api/v1/positions/")) == {position.pk}
    clock.move_to("2026-12-09 09:00 IST")
    assert run_job("expired_instruments").did["archived"] == [position.pk]
    assert _ids(api.get("/api/v1/positions/")) == set()
    assert _ids(api.get("/api/v1/positions/?include_archived=true")) == {position.pk}
    assert "NIFTY26D0824000CE" not in _page(user, "/positions/")
    assert f'data-position="{position.pk}"' in _page(user, "/housekeeping/archive/")


def test_an_archived_position_that_is_open_again_is_never_hidden(user, fut, place, travel_to, api):
    from django.utils import timezone

    from housekeeping.models import PositionArchive

    travel_to("2026-12-02 10:00 IST", tick=True)
    place()
    position = Position.objects.get(instrument_token=1001)
    PositionArchive.objects.create(position=position, archived_at=timezone.now(), reason="test")
    assert _ids(api.get("/api/v1/positions/")) == {position.pk}
