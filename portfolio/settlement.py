"""Settlement services: the daily futures M2M and the final settlement of expired contracts (issues #9, #10).

The arithmetic is the pure `portfolio.settlement_math`; this module finds the positions, reads prices, and
writes: one row per position and day in `futures_settlement_history` / per position and expiry in
`ExpirySettlement`, the ledger entries (M2M_SETTLEMENT, REALISED_PNL, CHARGES through `ledger_post`, which
publishes `portfolio.funds_changed` so margin recomputes), and the position carried or closed. Each position
is settled in its own transaction with its row locked, and the unique rows make a rerun post nothing.

- `futures_m2m_settle(day=..., settlement_price=?) -> SettlementRun`: every open futures position not expiring
  that day: M2M = (settlement - carried) x quantity, carried at the settlement price afterwards (the
  trader's own average kept in `entry_average_price`).
- `expiry_settle(day=..., exercise_stt=?, underlying_close=?) -> SettlementRun`: every open position in a
  contract expiring that day: index F&O cash-settled at the final settlement price (options at intrinsic
  value, OTM worthless; exercise STT on long ITM options through `exercise_stt`, which the caller takes from
  margin's charge schedule: portfolio sits below margin), stock F&O physically settled into the stock.
- `physical_settlement_notify(day=...) -> int`: alert the holders of stock F&O expiring within
  `PHYSICAL_NOTICE_TRADING_DAYS` trading days, once per position and expiry.

The end-of-day run that calls these in order (after cancelling open orders on the expired contracts) is the
order core's `orders.services.settlement_day.end_of_day_settle` (beat: `orders.end_of_day_settlement`, 15:35 IST).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from marketdata import calendar as mcal
from marketdata import contract_specs as specs
from marketdata import selectors as md

from . import settlement_math as sm
from .domain import LedgerKind
from .models import ExpirySettlement, FuturesSettlement, LedgerEntry, Position
from .positions_math import PositionState, apply_fill
from .services import CENT, ledger_post

logger = logging.getLogger(__name__)

ACTOR = "system:settlement"
DERIVATIVE_TYPES = ("FUT", "CE", "PE")
# Zerodha asks for delivery margin on long ITM stock options from E-4 and raises stock futures / short option
# margins towards expiry (reference-data.md §5.3, Zerodha "policy on physical settlement"): the trader is told
# this many trading days ahead, and again on each run until the expiry if the alert was missed.
PHYSICAL_NOTICE_TRADING_DAYS = 4

# (account, instrument, day) -> the day's settlement price, or None when the source cannot price it.
SettlementPriceSource = Callable[[Any, Any, date], Decimal | None]
# (instrument, day) -> the underlying's closing level on the expiry day (the final settlement price).
UnderlyingCloseSource = Callable[[Any, date], Decimal]
# (instrument, settlement price, quantity, day) -> exercise STT in rupees (unrounded is fine).
ExerciseSttSource = Callable[[Any, Decimal, int, date], Decimal]


@dataclass
class SettlementRun:
    day: date
    settled: list[int] = field(default_factory=list)  # settlement row ids written by this run
    already: int = 0  # positions settled by an earlier run (nothing posted again)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (position id, why)

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "settled": len(self.settled),
            "already": self.already,
            "skipped": [{"position_id": p, "reason": r} for p, r in self.skipped],
        }


# --- prices ---------------------------------------------------------------------------------------
def session_close(day: date) -> Any:
    """15:30 IST on `day` (aware)."""
    return mcal.session_bounds(day)[1]


def simulated_settlement_price(account: Any, instrument: Any, day: date) -> Decimal | None:
    """The simulated market's closing settlement: the contract's price at the day's 15:30 IST close
    (docs/settlement.md; NSE uses the last half-hour VWAP, which the simulated market does not trade)."""
    try:
        quote = md.quote_for(instrument, at=session_close(day))
    except Exception:  # a pricing gap: the position waits for a rerun
        logger.exception("no settlement price for %s on %s", instrument.tradingsymbol, day)
        return None
    return Decimal(quote.last_price) if quote.last_price else None


def simulated_underlying_close(instrument: Any, day: date) -> Decimal:
    """The underlying's closing level on the expiry day: the final settlement price of its F&O (§5.3)."""
    return md.spot_for(instrument.name, at=session_close(day))


def is_index_derivative(instrument: Any) -> bool:
    """Index F&O settle in cash; every other F&O (stocks) is physically settled. Every index the product
    lists has its contract spec, so an underlying without one is a stock."""
    spec = specs.spec_for(instrument.name)
    return spec is not None and spec.is_index


# --- helpers --------------------------------------------------------------------------------------
def _instruments_of(positions: list[Position]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for token in {p.instrument_token for p in positions}:
        try:
            found[token] = md.instrument_get(token)
        except Exception:  # an instrument that left the master cannot be settled here: reported, not guessed
            continue
    return found


def _open_positions(**filters: Any) -> list[Position]:
    return list(Position.objects.exclude(quantity=0).filter(**filters).select_related("account").order_by("id"))


def _lock(position_id: int) -> Position | None:
    return Position.objects.select_for_update().select_related("account").filter(pk=position_id).first()


def _new_day(position: Position, day: date) -> None:
    """Settlement books on `day` like a fill does: a new trading day starts the day counters afresh."""
    if position.trading_day is None or position.trading_day < day:
        position.overnight_quantity = position.quantity
        position.day_buy_quantity = position.day_sell_quantity = 0
        position.trading_day = day


# --- daily futures M2M ----------------------------------------------------------------------------
def futures_m2m_settle(*, day: date, settlement_price: SettlementPriceSource | None = None) -> SettlementRun:
    """Mark every open futures position to the day's settlement price (see the module docstring). A position
    whose exchange did not trade on `day` (holiday, weekend) is left alone; so is a contract expiring on `day`
    (`expiry_settle` closes it) or one the source cannot price (a rerun picks it up)."""
    price_of = settlement_price or simulated_settlement_price
    run = SettlementRun(day)
    positions = _open_positions()
    instruments = _instruments_of(positions)
    prices: dict[tuple[int | None, int], Decimal | None] = {}
    for p in positions:
        inst = instruments.get(p.instrument_token)
        if inst is None or inst.instrument_type != "FUT":
            continue
        if inst.expiry is not None and inst.expiry <= day:
            continue  # expiring today (or already expired): final settlement, not M2M
        if not mcal.is_trading_day(p.exchange, day):
            run.skipped.append((p.pk, "not a trading day"))
            continue
        if FuturesSettlement.objects.filter(position_id=p.pk, trading_day=day).exists():
            run.already += 1
            continue
        key = (None if p.account.is_paper else p.account_id, inst.instrument_token)  # paper: one market price
        if key not in prices:
            prices[key] = price_of(p.account, inst, day)
        price = prices[key]
        if price is None or price <= 0:
            run.skipped.append((p.pk, "no settlement price"))
            continue
        row = _settle_one_future(p.pk, day, Decimal(price), source=_source_of(p.account))
        if row is None:
            run.already += 1
        else:
            run.settled.append(row.pk)
    return run


def _source_of(account: Any) -> str:
    return FuturesSettlement.Source.SIMULATED if account.is_paper else FuturesSettlement.Source.BROKER


def _settle_one_future(position_id: int, day: date, price: Decimal, *, source: str) -> FuturesSettlement | None:
    try:
        with transaction.atomic():
            p = _lock(position_id)
            if p is None or p.quantity == 0:
                return None
            carried = Decimal(p.average_price)
            entry = p.entry_price
            amount = sm.paise(sm.m2m(p.quantity, carried, price))
            row = FuturesSettlement.objects.create(
                account_id=p.account_id,
                user_id=p.user_id,
                position_id=p.pk,
                strategy_id=p.strategy_id,
                exchange=p.exchange,
                tradingsymbol=p.tradingsymbol,
                instrument_token=p.instrument_token,
                product=p.product,
                trading_day=day,
                quantity=p.quantity,
                previous_price=carried,
                settlement_price=price,
                entry_average_price=entry,
                m2m_amount=amount,
                source=source,
            )
            entry_row = ledger_post(
                account=p.account,
                kind=LedgerKind.M2M_SETTLEMENT,
                amount=amount,
                actor=ACTOR,
                position=p,
                description=f"M2M {day.isoformat()} {p.tradingsymbol} {p.quantity:+d} @ {price} (from {carried:.2f})",
            )
            FuturesSettlement.objects.filter(pk=row.pk).update(ledger_entry=entry_row)
            row.ledger_entry = entry_row
            p.entry_average_price = entry
            p.average_price = price
            p.last_price = price
            p.m2m_settled = Decimal(p.m2m_settled) + amount
            p.save(update_fields=["entry_average_price", "average_price", "last_price", "m2m_settled", "updated_at"])
            return row
    except IntegrityError:
        return None  # a concurrent run settled it first


# --- final settlement at expiry ---------------------------------------------------------------------
def expiry_settle(
    *,
    day: date,
    exercise_stt: ExerciseSttSource | None = None,
    underlying_close: UnderlyingCloseSource | None = None,
) -> SettlementRun:
    """Close every open position in a contract expiring on `day` at its final settlement (module docstring).
    Without `exercise_stt` a long ITM index option is left open (reported): its tax would otherwise be lost."""
    close_of = underlying_close or simulated_underlying_close
    run = SettlementRun(day)
    positions = _open_positions()
    instruments = _instruments_of(positions)
    closes: dict[str, Decimal] = {}
    for p in positions:
        inst = instruments.get(p.instrument_token)
        if inst is None or inst.instrument_type not in DERIVATIVE_TYPES or inst.expiry != day:
            continue
        if ExpirySettlement.objects.filter(position_id=p.pk, expiry=day).exists():
            run.already += 1
            continue
        if inst.name not in closes:
            closes[inst.name] = Decimal(close_of(inst, day))
        close = closes[inst.name]
        strike = Decimal(inst.strike) if inst.strike is not None else None
        physical = not is_index_derivative(inst)
        stock = _stock_instrument(inst) if physical else None
        if physical and stock is None:
            run.skipped.append((p.pk, f"no stock {inst.name} in the instrument master for physical settlement"))
            continue
        if (
            not physical
            and exercise_stt is None
            and p.quantity > 0
            and sm.final_value(inst.instrument_type, underlying_close=close, strike=strike) > 0
            and inst.instrument_type != "FUT"
        ):
            run.skipped.append((p.pk, "no exercise STT source"))
            continue
        row = _close_at_expiry(p.pk, inst, day, close, exercise_stt=None if physical else exercise_stt, stock=stock)
        if row is None:
            run.already += 1
        else:
            run.settled.append(row.pk)
    return run


def _stock_instrument(inst: Any) -> Any | None:
    spec = specs.spec_for(inst.name)
    exchange, symbol = (spec.spot_exchange, spec.spot_symbol) if spec else ("NSE", inst.name)
    try:
        return md.instrument_get_by_key(f"{exchange}:{symbol}")
    except Exception:
        return None


def _close_at_expiry(
    position_id: int,
    inst: Any,
    day: date,
    close: Decimal,
    *,
    exercise_stt: ExerciseSttSource | None,
    stock: Any | None,
) -> ExpirySettlement | None:
    try:
        with transaction.atomic():
            p = _lock(position_id)
            if p is None or p.quantity == 0:
                return None
            strike = Decimal(inst.strike) if inst.strike is not None else None
            qty, avg = p.quantity, Decimal(p.average_price)
            outcome = sm.settle_at_expiry(
                inst.instrument_type, quantity=qty, average_price=avg, underlying_close=close, strike=strike
            )
            stt = Decimal(0)
            if outcome.exercised_quantity and exercise_stt is not None:
                stt = Decimal(exercise_stt(inst, close, outcome.exercised_quantity, day))
            before = Decimal(p.realized_pnl)
            _new_day(p, day)
            state = apply_fill(PositionState(qty, avg, before), -qty, outcome.value)
            p.realized_pnl = state.realized.quantize(CENT)
            realised = p.realized_pnl - before  # the stored figure's change, as fills post it
            if qty > 0:
                p.sell_quantity += qty
                p.sell_value += outcome.value * qty
                p.day_sell_quantity += qty
            else:
                p.buy_quantity += -qty
                p.buy_value += outcome.value * -qty
                p.day_buy_quantity += -qty
            p.quantity, p.average_price, p.entry_average_price = 0, Decimal(0), None
            p.last_price = outcome.value
            p.save()
            delivery = (
                sm.physical_delivery(inst.instrument_type, quantity=qty, underlying_close=close, strike=strike)
                if stock is not None
                else None
            )
            row = ExpirySettlement.objects.create(
                account_id=p.account_id,
                user_id=p.user_id,
                position_id=p.pk,
                exchange=p.exchange,
                tradingsymbol=p.tradingsymbol,
                instrument_token=p.instrument_token,
                instrument_type=inst.instrument_type,
                expiry=day,
                quantity=qty,
                average_price=avg,
                underlying_close=close,
                settlement_value=outcome.value,
                realised_pnl=realised,
                exercise_stt=sm.paise(stt),
                method=ExpirySettlement.Method.PHYSICAL if stock is not None else ExpirySettlement.Method.CASH,
                delivery_quantity=delivery.stock_quantity if delivery else 0,
                delivery_price=delivery.price if delivery else None,
            )
            what = (
                "OTM, expired worthless"
                if inst.instrument_type != "FUT" and outcome.value == 0
                else (f"settled at {outcome.value}")
            )
            if realised:
                ledger_post(
                    account=p.account,
                    kind=LedgerKind.REALISED_PNL,
                    amount=realised,
                    actor=ACTOR,
                    position=p,
                    description=f"Expiry {day.isoformat()} {p.tradingsymbol} {qty:+d} {what}",
                )
            if row.exercise_stt:
                ledger_post(
                    account=p.account,
                    kind=LedgerKind.CHARGES,
                    amount=-row.exercise_stt,
                    actor=ACTOR,
                    position=p,
                    description=f"Exercise STT {p.tradingsymbol} {outcome.exercised_quantity} units",
                )
            if delivery is not None:
                stock_position = _deliver(p, stock, delivery, day)
                ExpirySettlement.objects.filter(pk=row.pk).update(delivery_position=stock_position)
                row.delivery_position = stock_position
            return row
    except IntegrityError:
        return None


def _deliver(p: Position, stock: Any, delivery: sm.Delivery, day: date) -> Position:
    """Book the delivered shares into the account's stock (CNC) position, at the final settlement price; a
    delivery that reduces shares already held realises P&L like a sale does."""
    lookup = dict(
        account_id=p.account_id, strategy_id=p.strategy_id, instrument_token=stock.instrument_token, product="CNC"
    )
    sp = Position.objects.select_for_update().filter(**lookup).first()
    if sp is None:
        sp = Position.objects.create(
            user_id=p.user_id, exchange=stock.exchange, tradingsymbol=stock.tradingsymbol, **lookup
        )
    _new_day(sp, day)
    before = Decimal(sp.realized_pnl)
    state = apply_fill(
        PositionState(sp.quantity, Decimal(sp.average_price), before), delivery.stock_quantity, delivery.price
    )
    sp.quantity = state.quantity
    sp.average_price = state.average_price.quantize(Decimal("0.0001"))
    sp.realized_pnl = state.realized.quantize(CENT)
    n = abs(delivery.stock_quantity)
    if delivery.stock_quantity > 0:
        sp.buy_quantity += n
        sp.buy_value += delivery.price * n
        sp.day_buy_quantity += n
    else:
        sp.sell_quantity += n
        sp.sell_value += delivery.price * n
        sp.day_sell_quantity += n
    sp.last_price = delivery.price
    sp.save()
    realised = sp.realized_pnl - before
    if realised:
        ledger_post(
            account=p.account,
            kind=LedgerKind.REALISED_PNL,
            amount=realised,
            actor=ACTOR,
            position=sp,
            description=f"Delivery {day.isoformat()} {sp.tradingsymbol} {delivery.stock_quantity:+d} "
            f"from {p.tradingsymbol}",
        )
    return sp


# --- physical settlement notice -----------------------------------------------------------------------
def trading_days_until(exchange: str, day: date, expiry: date) -> int:
    """Trading days after `day` up to and including `expiry` (0 on the expiry day)."""
    n, d = 0, day
    while d < expiry and n <= 60:
        d += timedelta(days=1)
        if mcal.is_trading_day(exchange, d):
            n += 1
    return n


def physical_settlement_notify(*, day: date | None = None, within: int = PHYSICAL_NOTICE_TRADING_DAYS) -> int:
    """Alert the holder of each open stock F&O position expiring within `within` trading days of `day` that it
    will be physically settled (once per position and expiry). Returns the number of alerts raised."""
    day = day or timezone.localdate()
    positions = _open_positions()
    instruments = _instruments_of(positions)
    raised = 0
    for p in positions:
        inst = instruments.get(p.instrument_token)
        if inst is None or inst.instrument_type not in DERIVATIVE_TYPES or inst.expiry is None:
            continue
        if is_index_derivative(inst) or inst.expiry < day or p.physical_notice_for == inst.expiry:
            continue
        left = trading_days_until(p.exchange, day, inst.expiry)
        if left > within:
            continue
        with transaction.atomic():
            locked = _lock(p.pk)
            if locked is None or locked.quantity == 0 or locked.physical_notice_for == inst.expiry:
                continue
            locked.physical_notice_for = inst.expiry
            locked.save(update_fields=["physical_notice_for", "updated_at"])
            when = "today" if left == 0 else f"in {left} trading day{'s' if left != 1 else ''}"
            alert_raise(
                user=locked.user,
                type=AlertType.SQUARE_OFF_WARNING,
                level=AlertLevel.WARNING,
                title=f"Physical settlement: {locked.tradingsymbol}",
                message=(
                    f"{locked.tradingsymbol} ({locked.quantity:+d}) expires {inst.expiry:%d %b %Y} ({when}). Stock "
                    f"F&O are physically settled: held to expiry, an ITM option or a future becomes a delivery of "
                    f"{inst.name} shares. Close or roll it before expiry if you do not want delivery."
                ),
                payload={
                    "position_id": locked.pk,
                    "tradingsymbol": locked.tradingsymbol,
                    "expiry": inst.expiry.isoformat(),
                    "trading_days_left": left,
                    "quantity": locked.quantity,
                },
                links={"positions": "/positions/"},
            )
            raised += 1
    return raised


def ledger_totals(account: Any) -> dict[str, Decimal]:
    """Sum of the ledger per kind for one account (tests and the ledger page's footer)."""
    out: dict[str, Decimal] = {}
    for kind, amount in LedgerEntry.objects.filter(account_id=account.pk).values_list("kind", "amount"):
        out[kind] = out.get(kind, Decimal(0)) + Decimal(amount)
    return out
