"""The paper venue: a broker on the simulated market, with its own tables (it behaves like an external broker).

Behaviour (documented choices):
- MARKET orders carry market protection (kite-api.md §6): -1 = automatic = PAPER_AUTO_PROTECTION_PCT (3 %).
  The protection caps the worst price: protection price = LTP × (1 ± pct), on the tick grid. The order walks
  the opposite 5-level depth up to that price and may fill in part. Like Kite (a protected MARKET order becomes
  a LIMIT at the protection price), the remainder rests OPEN as a limit at the protection price — unless the
  validity is IOC, when the remainder is cancelled.
- LIMIT: the marketable part fills at once through the depth (at the level prices, never worse than the limit);
  the rest rests in the queue at its price and fills at its own price (never better because of a stale touch)
  once the opposite quantity reaching that price has traded the queue ahead of it (`book.resting_fill`).
- SL / SL-M: TRIGGER PENDING until the LTP reaches the trigger (BUY: LTP ≥ trigger; SELL: LTP ≤ trigger); then an
  SL works as a LIMIT at its price, an SL-M as a protected MARKET.
- DAY orders lapse at the first session close after placement (marketdata.calendar: 15:30 IST) → EXPIRED; TTL
  orders after `validity_ttl` minutes.
- The book is one market for everyone: what a fill takes (a taker's levels, or what trades with a resting
  order and the queue ahead of it) is used up for the next order (`PaperVenueBook`, per instrument and side) and
  comes back over `book.BOOK_REFILL_SECONDS` (docs/market-model.md, "The paper venue's book").
- Funds: the venue does not judge margin. The gate for every venue is the OMS's pre-trade stage margin.funds
  (margin/stages.py): the margin engine, against the account's positions and working orders, with hedges and
  the closing part of a reversal netted (a SELL of 3 lots against a long of 2 needs margin for 1 lot). A second,
  cruder check here refused what the engine allowed (a call spread's short leg at 15 % of the strike) and
  counted the order's own OMS row twice, so it was removed (docs/market-model.md "Funds"). `funds()` reports the
  cash: account capital (paper capital + the portfolio ledger's pay-ins/outs) + the realised P&L of the venue's
  running ledger (`PaperVenuePosition`, updated with every fill in the fill's transaction), summed in one
  statement; no margin is held at the venue (used_margin 0; the margin engine holds it in the OMS).
Changes are reported to listeners as (BrokerOrder, [new BrokerTrade]) after the venue's transaction.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from marketdata import lookup as market
from oms_project.lib.brokers import (
    BrokerFunds,
    BrokerOrder,
    BrokerOrderRequest,
    BrokerPosition,
    BrokerRejected,
    BrokerTrade,
)
from portfolio.positions_math import PositionState, apply_fill, signed

from . import book
from .models import PaperVenueBook, PaperVenueOrder, PaperVenuePosition, PaperVenueTrade

ZERO = Decimal("0")
# Automatic market protection for the paper venue (Kite's automatic value varies by price band; 3 % is our choice).
PAPER_AUTO_PROTECTION_PCT = Decimal("3")
WORKING = ("OPEN", "TRIGGER PENDING")
Listener = Callable[[BrokerOrder, list[BrokerTrade]], None]
_id_lock = threading.Lock()
_last_id = 0


def _new_id() -> str:
    """19-digit numeric ids like Kite's 2025+ order ids, increasing."""
    global _last_id
    with _id_lock:
        candidate = time.time_ns() // 1000 * 1000 + secrets.randbelow(1000)
        _last_id = max(_last_id + 1, candidate)
        return str(_last_id)[-19:].rjust(19, "1")


def _round_tick(value: Decimal, tick: Decimal, rounding: str) -> Decimal:
    return ((value / tick).to_integral_value(rounding=rounding) * tick).quantize(Decimal("0.01"))


def _dec(value: object) -> Decimal:
    # PostgreSQL answers numeric as Decimal; SQLite answers int/float (its decimal columns have NUMERIC affinity).
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


class PaperVenue:
    def __init__(
        self,
        account_ref: str,
        *,
        capital: Decimal | Callable[[], Decimal] = ZERO,
        on_update: Listener | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.account_ref = account_ref
        # A figure, or a function read once when funds are first reported (placement never needs it).
        self._capital: Decimal | Callable[[], Decimal] = capital if callable(capital) else Decimal(capital)
        self._listeners: list[Listener] = [on_update] if on_update else []
        self._clock = clock or timezone.now

    @property
    def capital(self) -> Decimal:
        if callable(self._capital):
            self._capital = Decimal(self._capital())
        return self._capital

    # --- listeners --------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[BrokerOrder], None]) -> None:
        """Venue protocol of the Kite sandbox: listener(order)."""
        self._listeners.append(lambda order, trades: listener(order))

    def add_update_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, changes: list[tuple[PaperVenueOrder, list[PaperVenueTrade]]]) -> None:
        for vo, trades in changes:
            snapshot = self._to_broker_order(vo)
            fills = [self._to_broker_trade(t) for t in trades]
            for listener in self._listeners:
                listener(snapshot, fills)

    # --- Broker protocol --------------------------------------------------------------------
    def place_order(self, request: BrokerOrderRequest) -> str:
        at = self._clock()
        if request.tag and len(request.tag) > 20:
            raise BrokerRejected("Tag length should be less than or equal to 20 characters.")
        if request.order_type in ("MARKET", "SL-M") and request.market_protection in (None, 0):
            raise BrokerRejected(
                "Market orders without market protection are not allowed via API. "
                "Please set market protection or use a Limit order."
            )
        try:
            instrument = market.instrument_by_token(request.instrument_token)
        except Exception:
            raise BrokerRejected("Invalid instrument.") from None
        changes: list[tuple[PaperVenueOrder, list[PaperVenueTrade]]] = []
        with transaction.atomic():
            vo = PaperVenueOrder(
                account_ref=self.account_ref,
                venue_order_id=_new_id(),
                tag=request.tag or "",
                exchange=request.exchange,
                tradingsymbol=request.tradingsymbol,
                instrument_token=request.instrument_token,
                transaction_type=request.transaction_type,
                order_type=request.order_type,
                product=request.product,
                validity=request.validity,
                validity_ttl=request.validity_ttl,
                variety=request.variety,
                quantity=request.quantity,
                disclosed_quantity=request.disclosed_quantity or 0,
                price=request.price or ZERO,
                trigger_price=request.trigger_price or ZERO,
                market_protection=request.market_protection,
                status="OPEN",
                created_at=at,
                updated_at=at,
            )
            vo.expires_at = self._expiry_for(vo, instrument, at)
            q = market.quote(instrument, at)
            # No funds check here: the pre-trade stage margin.funds judged the order with the margin engine.
            if vo.order_type in ("SL", "SL-M"):
                vo.status = "TRIGGER PENDING"
            elif vo.order_type == "LIMIT" and q is not None:  # where it will rest (stored with the insert)
                own = book.as_levels(q.buy_depth if vo.transaction_type == "BUY" else q.sell_depth)
                vo.queue_ahead = book.queue_ahead_at(own, vo.price, buy=vo.transaction_type == "BUY")
            vo.save()
            trades = self._work(vo, instrument, q, at, taker=True) if q is not None else []
            changes.append((vo, trades))
        self._notify(changes)
        return vo.venue_order_id

    def modify_order(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        order_type: str | None = None,
        validity: str | None = None,
        variety: str = "regular",
        **_: object,
    ) -> str:
        at = self._clock()
        with transaction.atomic():
            vo = self._get_for_update(broker_order_id)
            if vo.status not in WORKING:
                raise BrokerRejected(f"Order cannot be modified as it is being processed or is {vo.status.lower()}.")
            if vo.modified_count >= 25:
                raise BrokerRejected("Maximum allowed order modifications exceeded.")
            # A new price, a larger quantity or another type loses the order's time priority (it joins anew).
            rejoin = (
                (price is not None and Decimal(price) != vo.price)
                or (quantity is not None and quantity > vo.quantity)
                or (order_type is not None and order_type != vo.order_type)
            )
            if quantity is not None:
                if quantity <= vo.filled_quantity:
                    raise BrokerRejected("Quantity cannot be less than or equal to the filled quantity.")
                vo.quantity = quantity
            if price is not None:
                vo.price = price
            if trigger_price is not None:
                vo.trigger_price = trigger_price
            if order_type is not None:
                vo.order_type = order_type
                vo.triggered = False if order_type in ("SL", "SL-M") else vo.triggered
                vo.status = "TRIGGER PENDING" if order_type in ("SL", "SL-M") and not vo.triggered else "OPEN"
            if validity is not None:
                vo.validity = validity
            vo.modified_count += 1
            vo.updated_at = at
            vo.save()
            instrument = market.instrument_by_token(vo.instrument_token)
            q = market.quote(instrument, at)
            if rejoin:
                vo.queue_ahead = None
            trades = self._work(vo, instrument, q, at, taker=rejoin) if q is not None else []
        self._notify([(vo, trades)])
        return vo.venue_order_id

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> str:
        at = self._clock()
        with transaction.atomic():
            vo = self._get_for_update(broker_order_id)
            if vo.status not in WORKING:
                raise BrokerRejected(f"Order cannot be cancelled as it is {vo.status.lower()}.")
            vo.cancelled_quantity = vo.quantity - vo.filled_quantity
            vo.status = "CANCELLED"
            vo.updated_at = at
            vo.save()
        self._notify([(vo, [])])
        return vo.venue_order_id

    def orders(self) -> list[BrokerOrder]:
        return [self._to_broker_order(vo) for vo in PaperVenueOrder.objects.filter(account_ref=self.account_ref)]

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        return [self._to_broker_order(self._get(broker_order_id))]

    def trades(self) -> list[BrokerTrade]:
        return [self._to_broker_trade(t) for t in PaperVenueTrade.objects.filter(account_ref=self.account_ref)]

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]:
        vo = self._get(broker_order_id)
        return [self._to_broker_trade(t) for t in vo.trades.all()]

    def positions(self) -> list[BrokerPosition]:
        out = []
        today = timezone.localdate(self._clock())
        for (token, product), p in self._positions().items():
            instrument = market.instrument_by_token(token)
            average = Decimal(p.average_price)
            ltp = market.last_price(instrument) or average
            pnl = Decimal(p.realized) + (ltp - average) * p.quantity
            out.append(
                BrokerPosition(
                    exchange=p.exchange,
                    tradingsymbol=p.tradingsymbol,
                    instrument_token=token,
                    product=product,
                    quantity=p.quantity,
                    overnight_quantity=_overnight(p, today),
                    average_price=average.quantize(Decimal("0.01")),
                    last_price=ltp,
                    pnl=pnl.quantize(Decimal("0.01")),
                )
            )
        return out

    def funds(self) -> BrokerFunds:
        """Cash (capital + the realised P&L of the venue's fills); no margin is held here (margin.funds gates)."""
        cash = (self.capital + self._realised()).quantize(Decimal("0.01"))
        return BrokerFunds(available_cash=cash, used_margin=ZERO.quantize(Decimal("0.01")), net=cash)

    # --- the matcher step -------------------------------------------------------------------
    def match(self, at: datetime | None = None) -> int:
        """Work every open order of this account against the market at `at`; returns how many changed."""
        return match_orders(
            PaperVenueOrder.objects.filter(account_ref=self.account_ref, status__in=WORKING), at or self._clock(), self
        )

    # --- internals --------------------------------------------------------------------------
    def _get(self, broker_order_id: str) -> PaperVenueOrder:
        try:
            return PaperVenueOrder.objects.get(account_ref=self.account_ref, venue_order_id=broker_order_id)
        except PaperVenueOrder.DoesNotExist:
            raise BrokerRejected("Order not found.") from None

    def _get_for_update(self, broker_order_id: str) -> PaperVenueOrder:
        try:
            return PaperVenueOrder.objects.select_for_update().get(
                account_ref=self.account_ref, venue_order_id=broker_order_id
            )
        except PaperVenueOrder.DoesNotExist:
            raise BrokerRejected("Order not found.") from None

    def _expiry_for(self, vo: PaperVenueOrder, instrument, at: datetime) -> datetime | None:  # noqa: ANN001
        if vo.validity == "TTL" and vo.validity_ttl:
            return at + timedelta(minutes=vo.validity_ttl)
        if vo.validity == "DAY":
            return market.session_close_after(instrument, at)
        return None

    def _positions(self) -> dict[tuple[int, str], PaperVenuePosition]:
        """The running ledger of this account: one row per (instrument, product) ever traded."""
        return {
            (p.instrument_token, p.product): p for p in PaperVenuePosition.objects.filter(account_ref=self.account_ref)
        }

    def _realised(self) -> Decimal:
        """The realised P&L of every position the account ever held, summed in SQL (one statement; no row is
        read into Python, whatever the history)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(SUM(realized), 0) FROM {PaperVenuePosition._meta.db_table} WHERE account_ref = %s",
                [self.account_ref],
            )
            (realised,) = cursor.fetchone()
        return _dec(realised)

    def _ledger_apply(self, t: PaperVenueTrade, instrument) -> None:  # noqa: ANN001
        """Book one fill into the running position (row-locked: concurrent fills apply one after the other)."""
        lookup = {"account_ref": t.account_ref, "instrument_token": t.instrument_token, "product": t.product}
        p = PaperVenuePosition.objects.select_for_update().filter(**lookup).first()
        if p is None:
            try:
                with transaction.atomic():
                    p = PaperVenuePosition.objects.create(
                        **lookup,
                        exchange=t.exchange,
                        tradingsymbol=t.tradingsymbol,
                        instrument_type=instrument.instrument_type or "",
                        strike=instrument.strike,
                    )
            except IntegrityError:
                p = PaperVenuePosition.objects.select_for_update().get(**lookup)
        day = timezone.localdate(t.fill_timestamp)
        if p.last_fill_day is None or p.last_fill_day < day:
            p.day_start_quantity = p.quantity  # what was open before this day's first fill: carried overnight
            p.last_fill_day = day
        state = apply_fill(
            PositionState(p.quantity, Decimal(p.average_price), Decimal(p.realized)),
            signed(t.transaction_type, t.quantity),
            Decimal(t.price),
        )
        p.quantity, p.average_price, p.realized = state.quantity, state.average_price, state.realized
        p.save()

    def _book(self, token: int, side: str, levels: list[book.Level], lot: int, at: datetime) -> PaperVenueBook:
        """The side's used-up depth, row-locked and replenished to `at` (created at 0 the first time)."""
        row = PaperVenueBook.objects.select_for_update().filter(instrument_token=token, side=side).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = PaperVenueBook.objects.create(instrument_token=token, side=side, consumed=0, as_of=at)
            except IntegrityError:
                row = PaperVenueBook.objects.select_for_update().get(instrument_token=token, side=side)
        elapsed = (at - row.as_of).total_seconds()
        row.consumed = book.replenished(
            row.consumed, elapsed_seconds=elapsed, displayed_quantity=book.displayed(levels), lot=lot
        )
        row.as_of = max(row.as_of, at)
        return row

    @staticmethod
    def _queue_traded(vo: PaperVenueOrder, limit: Decimal, traded: int) -> None:
        """The market's queue at `limit` traded `traded`: every other order of the venue resting behind it at
        that price (same instrument and side) moves up too (one queue, traded once)."""
        at_price = Q(order_type__in=("LIMIT", "SL"), price=limit) | Q(
            order_type__in=("MARKET", "SL-M"), protection_price=limit
        )
        PaperVenueOrder.objects.filter(
            at_price,
            instrument_token=vo.instrument_token,
            transaction_type=vo.transaction_type,
            status__in=WORKING,
            queue_ahead__gt=0,
        ).exclude(pk=vo.pk).update(queue_ahead=Greatest(F("queue_ahead") - traded, 0))

    def _work(  # noqa: ANN001
        self, vo: PaperVenueOrder, instrument, q, at: datetime, *, taker: bool = False
    ) -> list[PaperVenueTrade]:
        """Trigger, fill, apply IOC/expiry. Saves `vo`; returns the new trades.

        `taker`: the order has just arrived (placed, re-priced, or an SL that triggers now): its marketable part
        walks the opposite side's depth that is still there (after what earlier fills used up) at the levels'
        prices. Otherwise the order rests at its price: the opposite quantity reaching that price trades with
        the queue ahead of it first, then with it, at its own price. Both use up the book they take."""
        trades: list[PaperVenueTrade] = []
        tick = Decimal(instrument.tick_size)
        if vo.status not in WORKING:
            return trades
        start_status = vo.status
        start = (vo.status, vo.triggered, vo.protection_price, vo.queue_ahead)
        if vo.expires_at is not None and at >= vo.expires_at:
            self._close(vo, "EXPIRED" if vo.validity == "DAY" else "EXPIRED", at)
            return trades
        buy = vo.transaction_type == "BUY"
        ltp = q.last_price
        if vo.order_type in ("SL", "SL-M") and not vo.triggered:
            hit = ltp >= vo.trigger_price if buy else ltp <= vo.trigger_price
            if not hit:
                return trades
            vo.triggered = True
            vo.status = "OPEN"
            taker = True  # a triggered stop arrives at the market now
        if vo.order_type in ("MARKET", "SL-M") and vo.protection_price is None:
            pct = PAPER_AUTO_PROTECTION_PCT if vo.market_protection in (None, -1) else Decimal(vo.market_protection)
            base = ltp
            cap = base * (1 + pct / 100) if buy else base * (1 - pct / 100)
            vo.protection_price = _round_tick(cap, tick, ROUND_FLOOR if buy else ROUND_CEILING)
        limit = vo.protection_price if vo.order_type in ("MARKET", "SL-M") else vo.price
        if vo.order_type in ("MARKET", "SL-M"):
            # A market order's remainder waits for liquidity, not for a queue: it takes what the book gives back
            # at the levels' prices (capped by the protection price), not the protection price itself.
            taker = True
        remaining = vo.quantity - vo.filled_quantity - vo.cancelled_quantity
        opposite = book.as_levels(q.sell_depth if buy else q.buy_depth)
        fills: list[tuple[int, Decimal]] = []
        if opposite and remaining > 0 and book.within(opposite[0][0], limit, buy=buy):
            side = PaperVenueBook.Side.ASK if buy else PaperVenueBook.Side.BID
            row = self._book(vo.instrument_token, side, opposite, int(instrument.lot_size or 1), at)
            left = book.after_consumption(opposite, row.consumed)
            if taker:
                fills = book.take(left, remaining, limit, buy=buy)
                row.consumed += sum(n for n, _ in fills)
            else:
                ahead = vo.queue_ahead or 0
                traded, mine = book.resting_fill(ahead, book.crossing(left, limit, buy=buy), remaining)
                vo.queue_ahead = ahead - traded
                if traded:
                    self._queue_traded(vo, limit, traded)
                if mine:
                    fills = [(mine, limit)]  # a resting order trades at its own price
                row.consumed += traded + mine
            row.save()
        elif not opposite and remaining > 0 and book.within(ltp, limit, buy=buy):
            fills.append((remaining, ltp if taker else limit))  # no book to walk (an unpriced depth): the LTP
        for qty, price in fills:
            remaining -= qty
            t = PaperVenueTrade.objects.create(
                account_ref=vo.account_ref,
                trade_id=_new_id()[-12:],
                venue_order=vo,
                exchange=vo.exchange,
                tradingsymbol=vo.tradingsymbol,
                instrument_token=vo.instrument_token,
                transaction_type=vo.transaction_type,
                product=vo.product,
                quantity=qty,
                price=price,
                fill_timestamp=at,
            )
            trades.append(t)
            self._ledger_apply(t, instrument)
            total = vo.filled_quantity + qty
            vo.average_price = (vo.average_price * vo.filled_quantity + price * qty) / total
            vo.filled_quantity = total
        if vo.filled_quantity >= vo.quantity:
            vo.status = "COMPLETE"
        elif vo.validity == "IOC":
            vo.cancelled_quantity = vo.quantity - vo.filled_quantity
            vo.status = "CANCELLED"
        else:
            if vo.queue_ahead is None and vo.status == "OPEN":  # it rests now: behind what is shown at its price
                own = book.as_levels(q.buy_depth if buy else q.sell_depth)
                vo.queue_ahead = book.queue_ahead_at(own, limit, buy=buy)
        if fills or vo.status != start_status:
            vo.updated_at = at
        if fills or vo.pk is None or (vo.status, vo.triggered, vo.protection_price, vo.queue_ahead) != start:
            vo.save()  # a resting order that nothing touched needs no write
        return trades

    def _close(self, vo: PaperVenueOrder, status: str, at: datetime) -> None:
        vo.cancelled_quantity = vo.quantity - vo.filled_quantity
        vo.status = status
        vo.updated_at = at
        vo.save()

    def _to_broker_order(self, vo: PaperVenueOrder) -> BrokerOrder:
        shown_type = vo.order_type
        if vo.order_type == "MARKET" and vo.protection_price is not None:
            shown_type = "LIMIT"  # Kite shows a protected MARKET order as a LIMIT at the protection price
        return BrokerOrder(
            broker_order_id=vo.venue_order_id,
            status=vo.status,
            tag=vo.tag or None,
            exchange=vo.exchange,
            tradingsymbol=vo.tradingsymbol,
            instrument_token=vo.instrument_token,
            transaction_type=vo.transaction_type,
            order_type=shown_type,
            product=vo.product,
            validity=vo.validity,
            quantity=vo.quantity,
            filled_quantity=vo.filled_quantity,
            pending_quantity=vo.pending_quantity,
            cancelled_quantity=vo.cancelled_quantity,
            price=vo.protection_price if shown_type != vo.order_type else vo.price,
            trigger_price=vo.trigger_price,
            average_price=Decimal(vo.average_price).quantize(Decimal("0.01")),
            status_message=vo.status_message or None,
            exchange_order_id=vo.venue_order_id,
            order_timestamp=vo.created_at,
            exchange_timestamp=vo.updated_at,
            raw={
                "variety": vo.variety,
                "market_protection": vo.market_protection,
                "modified": vo.modified_count > 0,
                "tags": ["mktp"] if shown_type != vo.order_type else [],
            },
        )

    @staticmethod
    def _to_broker_trade(t: PaperVenueTrade) -> BrokerTrade:
        return BrokerTrade(
            trade_id=t.trade_id,
            broker_order_id=t.venue_order.venue_order_id,
            exchange=t.exchange,
            tradingsymbol=t.tradingsymbol,
            instrument_token=t.instrument_token,
            transaction_type=t.transaction_type,
            product=t.product,
            quantity=t.quantity,
            price=t.price,
            fill_timestamp=t.fill_timestamp,
        )


def _overnight(p: PaperVenuePosition, today) -> int:  # noqa: ANN001
    """Quantity carried into `today`: all of it if nothing traded today, else what was open before today's fills."""
    if p.last_fill_day is None or p.last_fill_day < today:
        return p.quantity
    return p.day_start_quantity


def _may_change(vo: PaperVenueOrder, q, at: datetime) -> bool:  # noqa: ANN001
    """False only when `_work` (or the expiry of an unpriced order) would provably leave `vo` as it is: not
    expired, not triggered, no protection price to set, not IOC, and the best opposite level (or the LTP
    without depth) does not reach its limit. Anything else is worked under the row lock."""
    if vo.expires_at is not None and at >= vo.expires_at:
        return True
    if q is None:
        return False  # unpriced: only expiry changes it
    if vo.validity == "IOC" or vo.quantity - vo.filled_quantity - vo.cancelled_quantity <= 0:
        return True
    buy = vo.transaction_type == "BUY"
    ltp = q.last_price
    if vo.order_type in ("SL", "SL-M") and not vo.triggered:
        return ltp >= vo.trigger_price if buy else ltp <= vo.trigger_price
    if vo.order_type in ("MARKET", "SL-M"):
        if vo.protection_price is None:
            return True
        limit = vo.protection_price
    else:
        limit = vo.price
    levels = q.sell_depth if buy else q.buy_depth
    if levels:
        best = levels[0].price
        return best <= limit if buy else best >= limit
    return ltp <= limit if buy else ltp >= limit


def match_orders(
    queryset,
    at: datetime,
    venue: PaperVenue | None = None,  # noqa: ANN001
    venue_for: Callable[[str], PaperVenue] | None = None,
    after_each: Callable[[str], None] | None = None,
) -> int:
    """Work the given open venue orders at `at`; each order in its own short transaction. `after_each(ref)`
    runs once an order's change has been reported, before the next order is worked (the caller books it, so
    an OCO sibling cancelled because of it is never worked)."""
    changed = 0
    quotes: dict[int, object] = {}
    instruments: dict[int, object] = {}
    # One unlocked read of the working orders; only those the market would change are worked, each under its
    # row lock in its own transaction (re-read there). A resting order the market does not reach costs no
    # transaction: on SQLite (IMMEDIATE transactions) each one took the database's write lock every second.
    candidates = []
    for seen in queryset:
        if seen.instrument_token not in instruments:
            instruments[seen.instrument_token] = market.instrument_by_token(seen.instrument_token)
            quotes[seen.instrument_token] = market.quote(instruments[seen.instrument_token], at)
        if _may_change(seen, quotes[seen.instrument_token], at):
            candidates.append(seen.pk)
    for pk in candidates:
        with transaction.atomic():
            vo = PaperVenueOrder.objects.select_for_update().filter(pk=pk, status__in=WORKING).first()
            if vo is None:
                continue
            v = venue or (venue_for(vo.account_ref) if venue_for else PaperVenue(vo.account_ref))
            before = (vo.status, vo.filled_quantity, vo.triggered, vo.updated_at)
            instrument = instruments[vo.instrument_token]
            q = quotes[vo.instrument_token]
            if q is None:
                if vo.expires_at is not None and at >= vo.expires_at:
                    v._close(vo, "EXPIRED", at)
                    trades = []
                else:
                    continue
            else:
                trades = v._work(vo, instrument, q, at)
        if (vo.status, vo.filled_quantity, vo.triggered, vo.updated_at) != before:
            changed += 1
            v._notify([(vo, trades)])
            if after_each is not None:
                after_each(vo.account_ref)
    return changed
