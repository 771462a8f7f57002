"""The upgrade path: a database migrated with the pre-portfolio main (orders 0004: strategies, trades and
positions in the orders state) keeps every row when migrated forward. The move is state-only
(portfolio 0001 + orders 0005), so the same tables now answer to portfolio's models; the ledger (portfolio
0002) carries over the positions' realised P&L."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock_free]  # a schema move

PRE_MOVE = ("orders", "0004_order_status_submitted_idx")  # the last orders migration of the old main
BEFORE_MOVE = [PRE_MOVE, ("portfolio", None)]  # and no portfolio migration applied


def _migrate(targets, state_at):  # noqa: ANN001, ANN202
    """Migrate the test database to `targets`; the historical models as they were at `state_at`."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(state_at).apps


def test_rows_survive_the_move_to_portfolio():
    old = _migrate(BEFORE_MOVE, state_at=[PRE_MOVE, ("contenttypes", "0002_remove_content_type_name")])
    recorder = MigrationExecutor(connection).recorder.applied_migrations()
    assert ("portfolio", "0001_initial") not in recorder and ("orders", "0005_move_portfolio_models") not in recorder
    User = old.get_model("auth", "User")
    Account = old.get_model("accounts", "TradingAccount")
    Strategy = old.get_model("orders", "Strategy")
    Order = old.get_model("orders", "Order")
    Trade = old.get_model("orders", "Trade")
    Position = old.get_model("orders", "Position")
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="orders", model="position")  # as a live install has it

    user = User.objects.create(username="upgrader")
    account = Account.objects.create(user=user, kind="paper", name="Paper", paper_capital=D("1000000"))
    strategy = Strategy.objects.create(user=user, account=account, name="carry", margin_buffer_pct=D("12.5"))
    order = Order.objects.create(
        user=user,
        account=account,
        strategy=strategy,
        tag="T-upgrade-1",
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        order_type="MARKET",
        status="COMPLETE",
    )
    trade = Trade.objects.create(
        user=user,
        account=account,
        order=order,
        strategy=strategy,
        trade_id="X1",
        broker_order_id="B1",
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        price=D("24000.05"),
        fill_timestamp=datetime(2026, 11, 30, 5, 0, tzinfo=UTC),
    )
    position = Position.objects.create(
        user=user,
        account=account,
        strategy=strategy,
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        product="NRML",
        quantity=75,
        average_price=D("24000.05"),
        realized_pnl=D("1234.50"),
    )

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(leaves, state_at=leaves)

    from django.contrib.contenttypes.models import ContentType as LiveContentType

    from orders.models import Order as LiveOrder
    from portfolio import selectors
    from portfolio.models import LedgerEntry
    from portfolio.models import Position as LivePosition
    from portfolio.models import Strategy as LiveStrategy
    from portfolio.models import Trade as LiveTrade

    s = LiveStrategy.objects.get(pk=strategy.pk)
    assert (s.name, s.margin_buffer_pct, s.user_id) == ("carry", D("12.50"), user.pk)
    t = LiveTrade.objects.get(pk=trade.pk)
    assert (t.trade_id, t.order_id, t.strategy_id, t.price) == ("X1", order.pk, s.pk, D("24000.05"))
    p = LivePosition.objects.get(pk=position.pk)
    assert (p.quantity, p.strategy_id, p.realized_pnl) == (75, s.pk, D("1234.50"))
    assert LiveOrder.objects.get(pk=order.pk).strategy == s  # the order's foreign key still joins
    assert list(s.orders.values_list("pk", flat=True)) == [order.pk]
    assert list(s.trades.values_list("pk", flat=True)) == [trade.pk]
    # The realised P&L booked before the ledger is carried over once, so cash agrees with the positions.
    carried = LedgerEntry.objects.get(account_id=account.pk)
    assert (carried.kind, carried.amount, carried.position_id, carried.trade_id) == (
        "REALISED_PNL",
        D("1234.50"),
        p.pk,
        None,
    )
    from accounts.models import TradingAccount

    assert selectors.funds_for(TradingAccount.objects.get(pk=account.pk)).cash == D("1001234.50")
    # Permissions and admin history follow the model: its content type was relabelled, not duplicated.
    assert LiveContentType.objects.filter(app_label="portfolio", model="position").count() == 1
    assert not LiveContentType.objects.filter(app_label="orders", model="position").exists()
