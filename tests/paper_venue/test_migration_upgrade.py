"""The upgrade path of the venue's move out of `orders` (issue #8 item 6): a database migrated with the old main
(the venue's models in the orders state: orders 0005, no paper_venue migration) keeps every row of the venue's
tables when migrated forward. The move is state only (paper_venue 0001 + orders 0006), so the same tables now
answer to paper_venue's models, and their content types follow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

PRE_MOVE = ("orders", "0005_move_portfolio_models")  # the venue's models still in the orders state
BEFORE_MOVE = [PRE_MOVE, ("paper_venue", None)]


def _migrate(targets, state_at):  # noqa: ANN001, ANN202
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(state_at).apps


def test_venue_rows_survive_the_move_to_paper_venue():
    old = _migrate(BEFORE_MOVE, state_at=[PRE_MOVE, ("contenttypes", "0002_remove_content_type_name")])
    applied = MigrationExecutor(connection).recorder.applied_migrations()
    assert ("paper_venue", "0001_initial") not in applied
    VenueOrder = old.get_model("orders", "PaperVenueOrder")
    VenueTrade = old.get_model("orders", "PaperVenueTrade")
    VenuePosition = old.get_model("orders", "PaperVenuePosition")
    ContentType = old.get_model("contenttypes", "ContentType")
    for model in ("papervenueorder", "papervenuetrade", "papervenueposition"):
        ContentType.objects.get_or_create(app_label="orders", model=model)  # as a live install has them
    ContentType.objects.filter(app_label="paper_venue").delete()

    at = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    vo = VenueOrder.objects.create(
        account_ref="paper:7",
        venue_order_id="1234567890123456789",
        tag="T-upgrade-2",
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        transaction_type="BUY",
        order_type="LIMIT",
        product="NRML",
        quantity=130,
        price=D("26078.15"),
        status="OPEN",
        filled_quantity=65,
        blocked_margin=D("254262.00"),
        created_at=at,
        updated_at=at,
    )
    vt = VenueTrade.objects.create(
        account_ref="paper:7",
        trade_id="987654321012",
        venue_order=vo,
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        transaction_type="BUY",
        product="NRML",
        quantity=65,
        price=D("26078.15"),
        fill_timestamp=at,
    )
    vp = VenuePosition.objects.create(
        account_ref="paper:7",
        instrument_token=1001,
        product="NRML",
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_type="FUT",
        quantity=65,
        average_price=D("26078.15"),
        realized=D("-12.5"),
        last_fill_day=date(2026, 11, 30),
        day_start_quantity=0,
    )

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(leaves, state_at=leaves)

    from django.contrib.contenttypes.models import ContentType as LiveContentType

    from paper_venue.models import PaperVenueOrder, PaperVenuePosition, PaperVenueTrade
    from paper_venue.venue import PaperVenue

    o = PaperVenueOrder.objects.get(pk=vo.pk)
    assert (o.venue_order_id, o.status, o.filled_quantity) == ("1234567890123456789", "OPEN", 65)
    assert o.price == D("26078.15")
    t = PaperVenueTrade.objects.get(pk=vt.pk)
    assert (t.venue_order_id, t.quantity) == (o.pk, 65)
    assert list(o.trades.values_list("pk", flat=True)) == [t.pk]  # the foreign key still joins
    p = PaperVenuePosition.objects.get(pk=vp.pk)
    assert (p.quantity, p.average_price, p.realized) == (65, D("26078.15"), D("-12.5"))
    # The live venue reads the carried-over rows: its order book, fills and funds state.
    venue = PaperVenue("paper:7", capital=D("1000000"))
    assert [b.broker_order_id for b in venue.orders()] == ["1234567890123456789"]
    assert [b.trade_id for b in venue.trades()] == ["987654321012"]
    assert venue.funds().available_cash == D("1000000") + D("-12.5")  # capital + the carried realised P&L
    # Permissions and admin history follow the models: content types relabelled, not duplicated.
    for model in ("papervenueorder", "papervenuetrade", "papervenueposition"):
        assert LiveContentType.objects.filter(app_label="paper_venue", model=model).count() == 1
        assert not LiveContentType.objects.filter(app_label="orders", model=model).exists()
