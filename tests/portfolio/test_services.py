"""Portfolio services: fills booked once, realised P&L posted to the ledger once per trade, funds, events
after commit only, the pre-trade context loaders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import transaction

from accounts.models import TradingAccount
from oms_project.lib import events, pretrade
from portfolio import errors, selectors, services
from portfolio.events import FundsChanged, PositionChanged, PositionClosed, PositionOpened
from portfolio.models import LedgerEntry, Position, Trade

pytestmark = pytest.mark.django_db

EVENT_NAMES = [PositionOpened.name, PositionChanged.name, PositionClosed.name, FundsChanged.name]


@pytest.fixture
def delivered() -> Any:
    """Every portfolio event delivered (after commit) during the test, in order."""
    seen: list[Any] = []
    for name in EVENT_NAMES:
        events.subscribe(name, seen.append)
    yield seen
    for name in EVENT_NAMES:
        events.unsubscribe(name, seen.append)


@dataclass
class Fill:
    trade_id: str
    transaction_type: str
    quantity: int
    price: D
    broker_order_id: str = "B1"
    exchange: str = "NFO"
    tradingsymbol: str = "NIFTY26DECFUT"
    instrument_token: int = 1001
    product: str = "NRML"
    fill_timestamp: datetime = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
def order(fut: Any, place: Any) -> Any:
    """An order row to hang direct fills on (its own fills come from the paper venue)."""
    return place(order_type="LIMIT", price=D("23000"))  # rests: no fill


def book(account: Any, order: Any, trade_id: str, side: str, qty: int, price: str) -> Any:
    return services.fill_record(account=account, order=order, fill=Fill(trade_id, side, qty, D(price)))


def test_a_fill_is_stored_once_and_booked_into_its_position(account, order):
    first = book(account, order, "T1", "BUY", 75, "100")
    assert first is not None and first.position.quantity == 75 and first.position.average_price == D("100")
    assert book(account, order, "T1", "BUY", 75, "100") is None  # a replay changes nothing
    assert Trade.objects.filter(account=account, trade_id="T1").count() == 1
    assert Position.objects.get(pk=first.position.pk).quantity == 75


def test_realised_pnl_is_posted_once_per_reducing_trade(account, order):
    book(account, order, "T1", "BUY", 150, "100")
    assert not LedgerEntry.objects.filter(kind="REALISED_PNL").exists()  # opening a position realises nothing
    book(account, order, "T2", "SELL", 75, "110")  # reduces: +750
    book(account, order, "T2", "SELL", 75, "110")  # the same trade again: nothing
    b = book(account, order, "T3", "SELL", 75, "96")  # closes: -300
    entries = list(LedgerEntry.objects.filter(kind="REALISED_PNL").order_by("id"))
    assert [(e.trade.trade_id, e.amount) for e in entries] == [("T2", D("750.00")), ("T3", D("-300.00"))]
    assert all(e.position_id == b.position.pk and e.order_id == order.pk for e in entries)
    assert sum(e.amount for e in entries) == b.position.realized_pnl == D("450.00")
    funds = selectors.funds_for(account)
    assert funds.realised_pnl == D("450.00")
    assert funds.cash == D(account.paper_capital) + D("450.00")


def test_posting_the_same_trade_twice_is_refused_by_the_ledger(account, order):
    book(account, order, "T1", "BUY", 75, "100")
    booking = book(account, order, "T2", "SELL", 75, "101")
    services._realised_pnl_post(booking.trade, booking)  # a second attempt: absorbed by the unique constraint
    assert LedgerEntry.objects.filter(trade=booking.trade, kind="REALISED_PNL").count() == 1


def test_position_events_open_change_close_and_reverse(account, order, delivered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(account, order, "T1", "BUY", 75, "100")
        book(account, order, "T2", "BUY", 75, "102")
        book(account, order, "T3", "SELL", 75, "104")
        book(account, order, "T4", "SELL", 75, "99")
        book(account, order, "T5", "SELL", 75, "98")  # opens short from flat
        book(account, order, "T6", "BUY", 150, "97")  # reverses: short closed, long opened
    kinds = [(type(e).__name__, getattr(e, "quantity", None)) for e in delivered if not isinstance(e, FundsChanged)]
    assert kinds == [
        ("PositionOpened", 75),
        ("PositionChanged", 150),
        ("PositionChanged", 75),
        ("PositionClosed", 0),
        ("PositionOpened", -75),
        ("PositionClosed", 75),
        ("PositionOpened", 75),
    ]
    closed = [e for e in delivered if isinstance(e, PositionClosed)]
    assert closed[0].quantity_before == 75 and closed[0].realised_pnl == D("-150.00")  # 75 x (99 - 101)
    assert closed[1].quantity_before == -75 and closed[1].realised_pnl == D("75.00")  # 75 x (98 - 97)
    funds_events = [e for e in delivered if isinstance(e, FundsChanged)]
    assert [e.amount for e in funds_events] == [D("225.00"), D("-150.00"), D("75.00")]


def test_events_wait_for_the_commit_and_a_rollback_publishes_nothing(
    account, order, delivered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            services.funds_pay_in(account=account, amount="50000")
            assert delivered == []  # inside the transaction nothing is delivered
    assert len(callbacks) == 1 and [type(e) for e in delivered] == [FundsChanged]
    assert delivered[0].amount == D("50000.00") and delivered[0].kind == "PAY_IN"

    delivered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                book(account, order, "T9", "BUY", 75, "100")
                services.funds_pay_in(account=account, amount="1000")
                raise RuntimeError("rolled back")
    assert delivered == []
    assert not Trade.objects.filter(trade_id="T9").exists()
    assert not LedgerEntry.objects.filter(amount=D("1000")).exists()


def test_pay_in_and_pay_out_move_the_cash(account):
    opening = D(account.paper_capital)
    services.funds_pay_in(account=account, amount=D("50000"))
    services.funds_pay_out(account=account, amount="20000.50")
    funds = selectors.funds_for(account)
    assert (funds.opening_balance, funds.pay_ins, funds.pay_outs) == (opening, D("50000.00"), D("20000.50"))
    assert funds.cash == opening + D("29999.50") == funds.opening_balance + funds.ledger_total
    assert funds.net_deposits == funds.cash  # no trading yet
    with pytest.raises(errors.InsufficientCash):
        services.funds_pay_out(account=account, amount=funds.cash + D("0.01"))


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "abc", "NaN", "1e13"])
def test_pay_in_refuses_a_bad_amount(account, amount):
    with pytest.raises(errors.FundsAmountInvalid):
        services.funds_pay_in(account=account, amount=amount)
    assert not LedgerEntry.objects.exists()


def test_funds_on_a_kite_account_are_refused_with_a_code(user):
    kite = TradingAccount.objects.create(user=user, kind="kite", name="Kite")
    with pytest.raises(errors.FundsPaperOnly) as exc:
        services.funds_pay_in(account=kite, amount="1000")
    assert exc.value.code == "FUNDS_PAPER_ONLY"
    with pytest.raises(errors.FundsPaperOnly):
        services.funds_pay_out(account=kite, amount="1000")
    assert selectors.funds_for(kite).cash == D("0.00")


def test_ledger_entries_are_append_only(account):
    entry = services.funds_pay_in(account=account, amount="10")
    entry.amount = D("1000000")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("5"))
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("10.00")


def test_realised_today_counts_only_today(account, order, travel_to):
    clock = travel_to("2026-12-01 10:00 IST")
    book(account, order, "T1", "BUY", 75, "100")
    book(account, order, "T2", "SELL", 25, "104")  # +100 on 1 Dec
    clock.move_to("2026-12-02 10:00 IST")
    book(account, order, "T3", "SELL", 25, "101")  # +25 on 2 Dec
    funds = selectors.funds_for(account)
    assert (funds.realised_pnl, funds.realised_pnl_today) == (D("125.00"), D("25.00"))


def test_reads_are_scoped_to_the_owner(account, other_account, order, other_user):
    b = book(account, order, "T1", "BUY", 75, "100")
    assert list(selectors.positions_for(user=other_user)) == []
    assert list(selectors.trades_for(user=other_user)) == []
    assert list(selectors.positions_for(account=other_account)) == []
    with pytest.raises(errors.PositionNotFound):
        selectors.position_get(user=other_user, position_id=b.position.pk)
    assert [p.pk for p in selectors.positions_for(account=account, open_only=True)] == [b.position.pk]
    with pytest.raises(TypeError):
        selectors.positions_for()  # never unscoped


def test_pretrade_context_loads_positions_and_funds_from_the_portfolio(user, account, order):
    book(account, order, "T1", "BUY", 75, "100")
    services.funds_pay_in(account=account, amount="500")
    ctx = pretrade.PretradeContext(
        intent=None,
        user=user,
        account=account,
        instrument=None,
        now=None,
        dry_run=True,  # type: ignore[arg-type]
    )
    positions = ctx.load("positions")
    assert [(p.instrument_token, p.quantity) for p in positions] == [(1001, 75)]
    assert ctx.load("funds").pay_ins == D("500.00")


def test_strategy_services_live_in_the_portfolio(user, account):
    s = services.strategy_create(user=user, name="calm", preset="conservative", margin_buffer_pct="25")
    assert s.margin_buffer_pct == D("25") and s._meta.app_label == "portfolio"
    with pytest.raises(errors.StrategyNameTaken):
        services.strategy_create(user=user, name="calm")
    with pytest.raises(errors.StrategyPresetUnknown):
        services.strategy_create(user=user, name="x", preset="yolo")
    s = services.strategy_update(user=user, strategy_id=s.pk, is_active=False)
    assert not s.is_active


def test_the_paper_venue_capital_counts_deposits_not_realised_pnl(account, order):
    opening = D(account.paper_capital)
    assert selectors.paper_venue_capital(account) == opening
    services.funds_pay_in(account=account, amount="50000")
    services.funds_pay_out(account=account, amount="10000")
    book(account, order, "T1", "BUY", 75, "100")
    book(account, order, "T2", "SELL", 75, "110")  # +750 realised: the venue books that itself
    assert selectors.paper_venue_capital(account) == opening + D("40000.00")
    assert selectors.funds_for(account).cash == opening + D("40750.00")
