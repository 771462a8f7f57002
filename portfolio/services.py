"""Portfolio writes: the only code that writes fills, positions, strategies and the funds ledger.

Each service owns its transaction (nested in the caller's when there is one: the order core books a fill
inside the transaction that applies the broker's report) and publishes its events (`portfolio.events`)
through `oms_project.lib.events.publish`, so they are delivered after the outermost commit and dropped on
rollback.

- `fill_record(account=..., order=..., fill=...) -> FillBooking | None`: store one fill once (by the broker's
  trade id), book it into its position (pure `portfolio.positions_math`), post the realised P&L of a fill
  that reduced or closed the position to the ledger (once per trade), publish PositionOpened / Changed /
  Closed and FundsChanged. `None` when the fill was stored before (replays change nothing).
- `strategy_create(user=..., name=..., account_id=?, preset="conservative", **settings) -> Strategy`,
  `strategy_update(user=..., strategy_id=..., **fields) -> Strategy`
- `funds_pay_in(account=..., amount=..., actor=?)`, `funds_pay_out(...)` -> LedgerEntry (paper accounts only)
- `ledger_post(account=..., kind=..., amount=..., ...) -> LedgerEntry`: for higher apps (charges, M2M).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.selectors import account_resolve
from oms_project.lib import events

from . import errors
from .domain import STRATEGY_PRESETS, LedgerKind
from .events import FundsChanged, PositionChanged, PositionClosed, PositionOpened
from .models import LedgerEntry, Position, Strategy, Trade
from .positions_math import PositionState, apply_fill, signed

CENT = Decimal("0.01")
MAX_FUNDS_AMOUNT = Decimal("1000000000000")  # ₹1 lakh crore: far above any paper account, inside the column
STRATEGY_FIELDS = tuple(STRATEGY_PRESETS["conservative"].keys())
DECIMAL_SETTINGS = frozenset({"max_order_spread_pct", "margin_buffer_pct", "max_loss_per_strategy_pct"})


# --- fills and positions ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FillBooking:
    trade: Trade
    position: Position
    quantity_before: int
    realised_pnl: Decimal  # realised by this fill (0 when it only added)

    @property
    def closed(self) -> bool:
        """The open side was closed: the position went flat or through zero."""
        before, after = self.quantity_before, self.position.quantity
        return before != 0 and (after == 0 or (before > 0) != (after > 0))


def fill_record(*, account: Any, order: Any, fill: Any) -> FillBooking | None:
    """Store `fill` (any object with the broker trade's fields: trade_id, broker_order_id, exchange,
    tradingsymbol, instrument_token, transaction_type, product, quantity, price, fill_timestamp) for
    `order` (an order row: pk, user_id, strategy_id) once, and book it. Call it with the order row locked.
    Inside the caller's transaction it joins it (no extra savepoint on the fill path); alone it is atomic."""
    with transaction.atomic(savepoint=False):
        if Trade.objects.filter(account=account, trade_id=fill.trade_id).exists():
            return None
        try:
            with transaction.atomic():
                trade = Trade.objects.create(
                    user_id=order.user_id,
                    account=account,
                    order_id=order.pk,
                    strategy_id=order.strategy_id,
                    trade_id=fill.trade_id,
                    broker_order_id=fill.broker_order_id,
                    exchange=fill.exchange,
                    tradingsymbol=fill.tradingsymbol,
                    instrument_token=fill.instrument_token,
                    transaction_type=fill.transaction_type,
                    product=fill.product,
                    quantity=fill.quantity,
                    price=fill.price,
                    fill_timestamp=fill.fill_timestamp,
                )
        except IntegrityError:
            return None  # a concurrent writer stored it
        booking = _position_book(trade)
        if (
            booking.quantity_before != 0
            and signed(trade.transaction_type, trade.quantity) * booking.quantity_before < 0
        ):
            _realised_pnl_post(trade, booking)
        _publish_position(booking)
        return booking


def _position_book(trade: Trade) -> FillBooking:
    lookup = dict(
        account_id=trade.account_id,
        instrument_token=trade.instrument_token,
        product=trade.product,
        strategy_id=trade.strategy_id,
    )
    position = Position.objects.select_for_update().filter(**lookup).first()
    if position is None:
        try:
            with transaction.atomic():
                position = Position.objects.create(
                    user_id=trade.user_id, exchange=trade.exchange, tradingsymbol=trade.tradingsymbol, **lookup
                )
        except IntegrityError:
            position = Position.objects.select_for_update().get(**lookup)
    day = timezone.localdate(trade.fill_timestamp)
    if position.trading_day is None or position.trading_day < day:
        # A new trading day: what is open now was carried overnight.
        position.overnight_quantity = position.quantity
        position.day_buy_quantity = position.day_sell_quantity = 0
        position.trading_day = day
    before_qty, before_realised = position.quantity, Decimal(position.realized_pnl)
    state = apply_fill(
        PositionState(position.quantity, Decimal(position.average_price), before_realised),
        signed(trade.transaction_type, trade.quantity),
        Decimal(trade.price),
    )
    if position.entry_average_price is not None:
        # Carried at a settlement price (portfolio.settlement): the trader's own average follows the same fills.
        entry = apply_fill(
            PositionState(before_qty, Decimal(position.entry_average_price)),
            signed(trade.transaction_type, trade.quantity),
            Decimal(trade.price),
        )
        position.entry_average_price = entry.average_price.quantize(Decimal("0.0001")) if entry.quantity else None
    position.quantity = state.quantity
    position.average_price = state.average_price.quantize(Decimal("0.0001"))
    position.realized_pnl = state.realized.quantize(CENT)
    if trade.transaction_type == "BUY":
        position.buy_quantity += trade.quantity
        position.buy_value += trade.price * trade.quantity
        position.day_buy_quantity += trade.quantity
    else:
        position.sell_quantity += trade.quantity
        position.sell_value += trade.price * trade.quantity
        position.day_sell_quantity += trade.quantity
    position.last_price = trade.price
    position.save()
    # The ledger gets the change of the stored (rounded) figure, so the ledger's realised P&L always sums
    # to the positions' realized_pnl.
    return FillBooking(trade, position, before_qty, position.realized_pnl - before_realised)


def _realised_pnl_post(trade: Trade, booking: FillBooking) -> None:
    """One REALISED_PNL entry per trade that reduced or closed a position (a unique constraint keeps it so)."""
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                account_id=trade.account_id,
                kind=LedgerKind.REALISED_PNL,
                amount=booking.realised_pnl,
                trade=trade,
                position=booking.position,
                order_id=trade.order_id,
                actor="system:portfolio",
                description=f"{trade.transaction_type} {trade.quantity} {trade.tradingsymbol} @ {trade.price}",
            )
    except IntegrityError:
        return  # already posted for this trade
    _publish_funds(entry, user_id=trade.user_id)


def _publish_position(b: FillBooking) -> None:
    p, t = b.position, b.trade
    facts = dict(
        position_id=p.pk,
        user_id=p.user_id,
        account_id=p.account_id,
        strategy_id=p.strategy_id,
        instrument_token=p.instrument_token,
        product=p.product,
        quantity=p.quantity,
        average_price=Decimal(p.average_price),
        trade_id=t.pk,
        order_id=t.order_id,
    )
    before, after = b.quantity_before, p.quantity
    if before == 0:
        events.publish(PositionOpened(**facts))
    elif b.closed:
        events.publish(
            PositionClosed(
                **facts,
                quantity_before=before,
                realised_pnl=b.realised_pnl,
                position_realised_pnl=Decimal(p.realized_pnl),
            )
        )
        if after != 0:  # reversal: the remainder opened the other side
            events.publish(PositionOpened(**facts))
    else:
        events.publish(PositionChanged(**facts, quantity_before=before, realised_pnl=b.realised_pnl))


# --- strategies -------------------------------------------------------------------------------------
def strategy_create(
    *, user: AbstractBaseUser, name: str, account_id: int | None = None, preset: str = "conservative", **overrides: Any
) -> Strategy:
    """A strategy on one of the user's accounts, starting from a preset (seed 001's conservative or
    aggressive settings) with any setting overridden."""
    account = account_resolve(user=user, account_id=account_id)
    if preset not in STRATEGY_PRESETS:
        raise errors.StrategyPresetUnknown(
            f"preset must be one of {', '.join(STRATEGY_PRESETS)}.", details={"presets": list(STRATEGY_PRESETS)}
        )
    values = {**STRATEGY_PRESETS[preset], **_settings_only(overrides)}
    try:
        with transaction.atomic():
            strategy = Strategy.objects.create(user=user, account=account, name=name, preset=preset, **_typed(values))
            _write_groups(strategy, overrides)
            return strategy
    except IntegrityError:
        raise errors.StrategyNameTaken() from None


@transaction.atomic
def strategy_update(*, user: AbstractBaseUser, strategy_id: int, **fields: Any) -> Strategy:
    """Change a strategy's name, active flag or settings; unknown fields are ignored."""
    strategy = Strategy.objects.select_for_update().filter(pk=strategy_id, user=user).first()
    if strategy is None:
        raise errors.StrategyNotFound()
    changes = {**_settings_only(fields), **{k: fields[k] for k in ("name", "is_active") if k in fields}}
    for key, value in _typed(changes).items():
        setattr(strategy, key, value)
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError:
        raise errors.StrategyNameTaken() from None
    _write_groups(strategy, fields)
    return strategy


# Settings groups kept by a higher app in its own one-to-one table (docs/architecture.md "Where the strategy limits
# go"): registered in that app's ready(), written in the strategy's transaction, read by the strategies API.
_SETTINGS_GROUPS: dict[str, tuple[Callable[[Strategy, dict[str, Any]], Any], Callable[[Strategy], dict[str, Any]]]] = {}


def register_settings_group(
    name: str, *, write: Callable[[Strategy, dict[str, Any]], Any], read: Callable[[Strategy], dict[str, Any]]
) -> None:
    """A group of strategy settings (e.g. the order core's `completion_policy`) given as one nested field."""
    _SETTINGS_GROUPS[name] = (write, read)


def settings_group_read(strategy: Strategy, name: str) -> dict[str, Any] | None:
    entry = _SETTINGS_GROUPS.get(name)
    return entry[1](strategy) if entry else None


def _write_groups(strategy: Strategy, fields: dict[str, Any]) -> None:
    for name, (write, _read) in _SETTINGS_GROUPS.items():
        if fields.get(name) is not None:
            write(strategy, dict(fields[name]))


def _settings_only(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k in STRATEGY_FIELDS}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    # Presets keep percentages as strings so they stay exact; the model wants Decimal.
    return {k: (Decimal(v) if isinstance(v, str) and k in DECIMAL_SETTINGS else v) for k, v in values.items()}


# --- funds ------------------------------------------------------------------------------------------
def funds_pay_in(*, account: Any, amount: Any, actor: str = "") -> LedgerEntry:
    """Add cash to a paper account (a Kite account's money moves at Zerodha: FUNDS_PAPER_ONLY)."""
    value = _amount(amount)
    _paper_only(account)
    return ledger_post(account=account, kind=LedgerKind.PAY_IN, amount=value, actor=actor, description="Funds added")


def funds_pay_out(*, account: Any, amount: Any, actor: str = "") -> LedgerEntry:
    """Withdraw cash from a paper account; never more than its cash (INSUFFICIENT_CASH)."""
    from .selectors import funds_for

    value = _amount(amount)
    _paper_only(account)
    with transaction.atomic():
        type(account).objects.select_for_update().filter(pk=account.pk).first()  # one pay-out at a time
        cash = funds_for(account).cash
        if value > cash:
            raise errors.InsufficientCash(
                f"The account has ₹{cash} of cash; ₹{value} cannot be paid out.",
                details={"cash": str(cash), "amount": str(value)},
            )
        return ledger_post(
            account=account, kind=LedgerKind.PAY_OUT, amount=-value, actor=actor, description="Funds withdrawn"
        )


def ledger_post(
    *,
    account: Any,
    kind: str,
    amount: Decimal,
    actor: str = "",
    description: str = "",
    trade: Trade | None = None,
    position: Position | None = None,
    order_id: int | None = None,
) -> LedgerEntry:
    """Append one entry (signed amount) and publish FundsChanged after commit. Higher apps post CHARGES,
    M2M_SETTLEMENT and ADJUSTMENT entries through this; REALISED_PNL is posted by `fill_record`."""
    if kind not in LedgerKind.__members__.values():
        raise ValueError(f"unknown ledger kind {kind!r}")
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            account_id=account.pk,
            kind=kind,
            amount=Decimal(amount).quantize(CENT, ROUND_HALF_UP),
            actor=actor[:120],
            description=description[:200],
            trade=trade,
            position=position,
            order_id=order_id,
        )
        _publish_funds(entry, user_id=account.user_id)
    return entry


def _publish_funds(entry: LedgerEntry, *, user_id: int) -> None:
    events.publish(
        FundsChanged(
            account_id=entry.account_id,
            user_id=user_id,
            kind=entry.kind,
            amount=Decimal(entry.amount),
            entry_id=entry.pk,
        )
    )


def _amount(raw: Any) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except (InvalidOperation, ValueError, TypeError):
        raise errors.FundsAmountInvalid() from None
    if not value.is_finite() or value <= 0 or value > MAX_FUNDS_AMOUNT or value != value.quantize(CENT):
        raise errors.FundsAmountInvalid(details={"amount": str(raw), "maximum": str(MAX_FUNDS_AMOUNT)})
    return value.quantize(CENT)


def _paper_only(account: Any) -> None:
    if not account.is_paper:
        raise errors.FundsPaperOnly(details={"account_id": account.pk, "kind": account.kind})
