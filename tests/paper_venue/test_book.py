"""The paper venue's book (issue #9, "Fills and the order book"): a fill uses up the depth it takes and the book
replenishes at `book.BOOK_REFILL_SECONDS`; a resting LIMIT fills at its own price, after the queue ahead of it at
that price has traded. Each integration test below failed on the venue before: every order walked the same
five levels, and a resting order filled at the touch's price on the first touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from marketdata.types import DepthLevel
from oms_project.lib.brokers import BrokerOrderRequest
from paper_venue import book
from paper_venue.models import PaperVenueBook, PaperVenueOrder
from paper_venue.venue import PaperVenue

T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 10:30 IST
LOT = 75


# --- the arithmetic (pure) -----------------------------------------------------------------------------------
def test_after_consumption_takes_from_the_best_level_outwards():
    levels = [(D("10.0"), 300), (D("10.1"), 150), (D("10.2"), 75)]
    assert book.after_consumption(levels, 0) == levels
    assert book.after_consumption(levels, 375) == [(D("10.1"), 75), (D("10.2"), 75)]
    assert book.after_consumption(levels, 525) == []


def test_replenished_gives_the_side_back_linearly_in_whole_lots():
    shown = 17 * LOT
    assert book.replenished(15 * LOT, elapsed_seconds=0, displayed_quantity=shown, lot=LOT) == 15 * LOT
    per_second = shown / float(book.BOOK_REFILL_SECONDS)  # 3.4 lots a second
    one = book.replenished(15 * LOT, elapsed_seconds=1, displayed_quantity=shown, lot=LOT)
    assert one == 15 * LOT - int(per_second // LOT) * LOT and one % LOT == 0
    assert book.replenished(15 * LOT, elapsed_seconds=float(book.BOOK_REFILL_SECONDS), displayed_quantity=shown,
                            lot=LOT) == 0


def test_used_up_depth_never_hides_more_than_the_side_shows():
    # 20 lots taken; the side now shows 7: at most 7 are hidden, and two refill periods later none.
    assert book.replenished(20 * LOT, elapsed_seconds=0, displayed_quantity=7 * LOT, lot=LOT) == 7 * LOT
    assert book.replenished(20 * LOT, elapsed_seconds=10, displayed_quantity=7 * LOT, lot=LOT) == 0


def test_queue_position_at_join():
    bids = [(D("100.00"), 150), (D("99.95"), 300), (D("99.85"), 75)]
    assert book.queue_ahead_at(bids, D("99.95"), buy=True) == 300  # behind what is shown at its price
    assert book.queue_ahead_at(bids, D("100.05"), buy=True) == 0  # a new best bid: first
    assert book.queue_ahead_at(bids, D("99.90"), buy=True) == 0  # a gap between displayed levels
    assert book.queue_ahead_at(bids, D("99.00"), buy=True) == 175  # deeper than shown: an average level


def test_resting_fill_serves_the_queue_first():
    assert book.resting_fill(150, 100, 75) == (100, 0)
    assert book.resting_fill(150, 200, 75) == (150, 50)
    assert book.resting_fill(0, 500, 75) == (0, 75)


# --- the venue ----------------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _levels(start: str, step: str, lots: list[int]) -> tuple[DepthLevel, ...]:
    return tuple(DepthLevel(D(start) + i * D(step), n * LOT, n) for i, n in enumerate(lots))


def _request(side: str, lots: int, order_type: str = "MARKET", price: str | None = None) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag="",
        exchange="NFO",
        tradingsymbol="NIFTY26DECFUT",
        instrument_token=1001,
        transaction_type=side,
        quantity=lots * LOT,
        product="NRML",
        order_type=order_type,
        price=D(price) if price else None,
        market_protection=-1 if order_type == "MARKET" else None,
    )


@pytest.fixture
def venue(fut):  # noqa: ANN001, ANN201
    clock = Clock()
    v = PaperVenue("paper:book-test", capital=D("1000000000"), clock=clock)
    v.clock = clock
    return v


def _seventeen_lot_book(fake_market) -> None:  # noqa: ANN001
    fake_market.set(
        1001,
        "26080",
        buy_depth=_levels("26079.90", "-0.10", [4, 4, 3, 3, 3]),
        sell_depth=_levels("26080.10", "0.10", [4, 4, 3, 3, 3]),  # 17 lots offered in five levels
    )


@pytest.mark.django_db
def test_three_15_lot_market_orders_in_one_second_share_a_17_lot_book(venue, fake_market):
    _seventeen_lot_book(fake_market)
    ids = [venue.place_order(_request("BUY", 15)) for _ in range(3)]
    filled = [PaperVenueOrder.objects.get(venue_order_id=i).filled_quantity // LOT for i in ids]
    assert filled == [15, 2, 0]  # was [15, 15, 15]: 45 lots out of a 17-lot book
    assert sum(filled) <= 17
    first = PaperVenueOrder.objects.get(venue_order_id=ids[0])
    assert first.average_price < D("26080.40")  # it walked the levels, best first
    second_trades = PaperVenueOrder.objects.get(venue_order_id=ids[1]).trades.all()
    assert [t.price for t in second_trades] == [D("26080.50")]  # what the first left on the fifth level
    assert PaperVenueBook.objects.get(instrument_token=1001, side="ASK").consumed == 17 * LOT
    # The remainders wait for the book to give back, and then take it at the levels' prices (not at the 3 %
    # protection price they rest at): one second later 3 lots are back, for the second order (time priority).
    venue.clock.now = T0 + timedelta(seconds=1)
    assert venue.match() == 1
    second = PaperVenueOrder.objects.get(venue_order_id=ids[1])
    assert second.filled_quantity == 5 * LOT
    assert max(t.price for t in second.trades.all()) < D("26081")
    assert PaperVenueOrder.objects.get(venue_order_id=ids[2]).filled_quantity == 0


@pytest.mark.django_db
def test_the_book_replenishes_at_the_documented_rate(venue, fake_market):
    _seventeen_lot_book(fake_market)
    venue.place_order(_request("BUY", 17))  # takes the whole offer side
    venue.clock.now = T0 + timedelta(seconds=1)
    one_second = PaperVenueOrder.objects.get(venue_order_id=venue.place_order(_ioc("BUY", 15)))
    expected = (17 * LOT / float(book.BOOK_REFILL_SECONDS)) // LOT  # 3 whole lots back after one second
    assert one_second.filled_quantity // LOT == expected == 3
    venue.clock.now = T0 + timedelta(seconds=1) + timedelta(seconds=float(book.BOOK_REFILL_SECONDS))
    refilled = PaperVenueOrder.objects.get(venue_order_id=venue.place_order(_ioc("BUY", 15)))
    assert refilled.filled_quantity // LOT == 15  # the whole side is back


def _ioc(side: str, lots: int) -> BrokerOrderRequest:
    from dataclasses import replace

    return replace(_request(side, lots), validity="IOC")


@pytest.mark.django_db
def test_a_resting_buy_fills_at_its_own_price_when_the_market_trades_through_it(venue, fake_market):
    fake_market.set(1001, "26100")  # bid 26099.95, ask 26100.05: the buy at 26078.15 rests below the book
    vo_id = venue.place_order(_request("BUY", 1, "LIMIT", "26078.15"))
    vo = PaperVenueOrder.objects.get(venue_order_id=vo_id)
    assert vo.status == "OPEN" and vo.queue_ahead == 150  # deeper than shown: behind an average level
    venue.clock.now = T0 + timedelta(seconds=1)
    fake_market.set(1001, "26075.80")  # the market falls through: offers from 26075.85
    assert venue.match() == 1
    vo.refresh_from_db()
    assert vo.status == "COMPLETE"
    assert [t.price for t in vo.trades.all()] == [D("26078.15")]  # was 26075.85, the stale touch's price
    assert vo.average_price == D("26078.15")


@pytest.mark.django_db
def test_a_resting_limit_waits_for_the_queue_ahead_not_the_first_touch(venue, fake_market):
    bids = _levels("24000.00", "-0.05", [2, 2, 2, 2, 2])
    fake_market.set(1001, "24000.05", buy_depth=bids, sell_depth=_levels("24000.10", "0.05", [2, 2, 2, 2, 2]))
    vo_id = venue.place_order(_request("BUY", 1, "LIMIT", "24000.00"))  # joins the best bid behind 2 lots
    vo = PaperVenueOrder.objects.get(venue_order_id=vo_id)
    assert vo.status == "OPEN" and vo.queue_ahead == 2 * LOT
    # First touch: one lot offered at our price. It trades with the queue ahead, not with us.
    venue.clock.now = T0 + timedelta(seconds=1)
    fake_market.set(1001, "24000", buy_depth=bids[1:], sell_depth=_levels("24000.00", "0.05", [1, 2, 2, 2, 2]))
    assert venue.match() == 0
    vo.refresh_from_db()
    assert (vo.status, vo.filled_quantity, vo.queue_ahead) == ("OPEN", 0, LOT)
    # The book gives the lot back; two lots at our price: one for the last of the queue, one for us.
    venue.clock.now = T0 + timedelta(seconds=10)
    fake_market.set(1001, "24000", buy_depth=bids[1:], sell_depth=_levels("24000.00", "0.05", [2, 2, 2, 2, 2]))
    assert venue.match() == 1
    vo.refresh_from_db()
    assert (vo.status, vo.filled_quantity, vo.queue_ahead) == ("COMPLETE", LOT, 0)
    assert [t.price for t in vo.trades.all()] == [D("24000.00")]


@pytest.mark.django_db
def test_orders_resting_at_one_price_share_one_queue(venue, fake_market):
    fake_market.set(1001, "24000.05", buy_depth=_levels("24000.00", "-0.05", [2, 2, 2, 2, 2]))
    a = venue.place_order(_request("BUY", 1, "LIMIT", "24000.00"))
    b = venue.place_order(_request("BUY", 1, "LIMIT", "24000.00"))
    venue.clock.now = T0 + timedelta(seconds=1)
    fake_market.set(1001, "24000", sell_depth=_levels("24000.00", "0.05", [3, 2, 2, 2, 2]))
    assert venue.match() == 1  # 3 lots at our price: 2 for the market's queue (once), 1 for the first of ours
    got = {i: PaperVenueOrder.objects.get(venue_order_id=i) for i in (a, b)}
    assert (got[a].status, got[b].status) == ("COMPLETE", "OPEN")
    assert got[b].queue_ahead == 0  # the market's queue ahead of both traded once; b is next


@pytest.mark.django_db
def test_a_new_price_joins_the_queue_anew_a_smaller_quantity_keeps_its_place(venue, fake_market):
    bids = _levels("24000.00", "-0.05", [2, 3, 2, 2, 2])
    fake_market.set(1001, "24000.05", buy_depth=bids, sell_depth=_levels("24000.10", "0.05", [2, 2, 2, 2, 2]))
    vo_id = venue.place_order(_request("BUY", 2, "LIMIT", "24000.00"))
    vo = PaperVenueOrder.objects.get(venue_order_id=vo_id)
    assert vo.queue_ahead == 2 * LOT
    venue.modify_order(vo_id, quantity=LOT)  # smaller: keeps its place
    vo.refresh_from_db()
    assert (vo.quantity, vo.queue_ahead) == (LOT, 2 * LOT)
    venue.modify_order(vo_id, price=D("23999.95"))  # re-priced: behind the 3 lots shown there
    vo.refresh_from_db()
    assert (vo.price, vo.queue_ahead, vo.status) == (D("23999.95"), 3 * LOT, "OPEN")
