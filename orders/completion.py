"""Completion policies for unfilled and partly filled orders (issue #11), the pure decision: no Django.

A policy watches a working LIMIT order and, step by step, does one of (docs/completion-policies.md):

- unfilled: CHASE (re-price toward the market by `chase_ticks` ticks every `chase_interval_seconds`, never more
  than `chase_max_adjustment_pct` of the original price in total, never past the far touch), CONVERT_MARKET
  (cancel and send the remainder as a protected MARKET order), SPLIT_DEPTH (cancel and send the remainder as
  MARKET children each sized by the depth walk within the impact budget), CANCEL;
- partly filled (seed 002's PartialFillHandler): IMMEDIATE (complete the remainder at once), TIME_BASED (after
  `partial_fill_wait_seconds` from the first fill), PRICE_BASED (when the market has moved
  `partial_fill_price_move_pct` away from the limit), CANCEL_REMAINING.

`decide` answers what to do now from plain values; the order core (`orders.services.completion`) does it through
`order_modify` / `order_cancel` / `order_place`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any


class UnfilledAction(StrEnum):
    NONE = "NONE"
    CHASE = "CHASE"
    CONVERT_MARKET = "CONVERT_MARKET"
    SPLIT_DEPTH = "SPLIT_DEPTH"
    CANCEL = "CANCEL"


class AfterChase(StrEnum):
    NONE = "NONE"  # leave the order working at the cap
    CONVERT_MARKET = "CONVERT_MARKET"
    CANCEL = "CANCEL"


class PartialFillAction(StrEnum):
    NONE = "NONE"
    IMMEDIATE = "IMMEDIATE"
    TIME_BASED = "TIME_BASED"
    PRICE_BASED = "PRICE_BASED"
    CANCEL_REMAINING = "CANCEL_REMAINING"


class StepKind(StrEnum):
    WAIT = "WAIT"  # nothing to do yet
    REPRICE = "REPRICE"  # modify the limit price to `price`
    COMPLETE = "COMPLETE"  # cancel the working order, then send the remainder as one protected MARKET order
    SPLIT = "SPLIT"  # cancel, then send the remainder as MARKET children sized by depth
    CANCEL = "CANCEL"  # cancel what is left
    DONE = "DONE"  # the policy has nothing more to do (reason says why)


@dataclass(frozen=True)
class PolicySettings:
    """One strategy's (or one order's) policy. Defaults: off; the numbers' sources are in the doc."""

    unfilled_action: str = UnfilledAction.NONE
    unfilled_after_seconds: int = 30  # seed 002 monitoring_interval: 30
    chase_interval_seconds: int = 10  # seed 002 position monitor price_update_interval: 10
    chase_ticks: int = 1  # ours: the smallest step the exchange allows
    chase_max_adjustment_pct: Decimal = Decimal("5.0")  # seed 002 fallback max_price_adjustment: 0.05
    after_chase: str = AfterChase.NONE
    partial_fill_action: str = PartialFillAction.NONE
    partial_fill_wait_seconds: int = 30  # seed 002 monitoring_interval: 30
    partial_fill_price_move_pct: Decimal = Decimal("1.0")  # ours

    @property
    def enabled(self) -> bool:
        return self.unfilled_action != UnfilledAction.NONE or self.partial_fill_action != PartialFillAction.NONE

    def as_json(self) -> dict[str, Any]:
        return {
            k: (f"{v:.2f}" if isinstance(v, Decimal) else str(v) if isinstance(v, StrEnum) else v)
            for k, v in asdict(self).items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PolicySettings:
        data = data or {}
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for k in ("chase_max_adjustment_pct", "partial_fill_price_move_pct"):
            if k in values:
                values[k] = Decimal(str(values[k]))
        return cls(**values)


FIELD_NAMES = tuple(f.name for f in fields(PolicySettings))


@dataclass(frozen=True)
class OrderState:
    side: str  # BUY / SELL
    quantity: int
    filled_quantity: int
    price: Decimal  # the current limit price
    original_price: Decimal  # the limit price when the policy started
    tick_size: Decimal
    placed_at: datetime
    first_fill_at: datetime | None
    last_step_at: datetime | None  # the policy's last re-price


@dataclass(frozen=True)
class Book:
    bid: Decimal | None
    ask: Decimal | None


@dataclass(frozen=True)
class Step:
    kind: StepKind
    reason: str = ""
    price: Decimal | None = None  # REPRICE: the new limit


def _on_grid(price: Decimal, tick: Decimal, *, up: bool) -> Decimal:
    n = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return (n * tick).quantize(tick)


def chase_cap(state: OrderState, settings: PolicySettings) -> Decimal:
    """The furthest price the chase may reach: the original limit moved by at most the allowed share, on the tick
    grid (inside the allowance), never worse than the original by more than that."""
    allowance = state.original_price * Decimal(settings.chase_max_adjustment_pct) / 100
    if state.side == "BUY":
        return _on_grid(state.original_price + allowance, state.tick_size, up=False)
    return max(state.tick_size, _on_grid(state.original_price - allowance, state.tick_size, up=True))


def chase_price(state: OrderState, settings: PolicySettings, book: Book) -> Decimal | None:
    """The next chased price, or None when the chase cannot move (at its cap, at the touch, no touch)."""
    step = state.tick_size * settings.chase_ticks
    cap = chase_cap(state, settings)
    if state.side == "BUY":
        if book.ask is None:
            return None
        target = min(state.price + step, cap, book.ask)
        return target if target > state.price else None
    if book.bid is None:
        return None
    target = max(state.price - step, cap, book.bid)
    return target if target < state.price else None


def _moved_away_pct(state: OrderState, book: Book) -> Decimal | None:
    """How far the far touch has moved against the limit, in % of the limit (None without a touch)."""
    if state.price <= 0:
        return None
    if state.side == "BUY":
        return None if book.ask is None else (book.ask - state.price) / state.price * 100
    return None if book.bid is None else (state.price - book.bid) / state.price * 100


def _seconds(later: datetime, earlier: datetime | None) -> float:
    return (later - earlier).total_seconds() if earlier is not None else float("inf")


def decide(state: OrderState, settings: PolicySettings, book: Book, now: datetime) -> Step:
    """What the policy does now for a working order."""
    remaining = state.quantity - state.filled_quantity
    if remaining <= 0:
        return Step(StepKind.DONE, "filled")
    partial = settings.partial_fill_action
    if state.filled_quantity > 0 and partial != PartialFillAction.NONE:
        if partial == PartialFillAction.CANCEL_REMAINING:
            return Step(StepKind.CANCEL, f"partly filled ({state.filled_quantity}/{state.quantity}): cancel the rest")
        if partial == PartialFillAction.IMMEDIATE:
            return Step(StepKind.COMPLETE, f"partly filled: complete the remaining {remaining} at once")
        if partial == PartialFillAction.TIME_BASED:
            waited = _seconds(now, state.first_fill_at)
            if waited >= settings.partial_fill_wait_seconds:
                return Step(StepKind.COMPLETE, f"partly filled {int(waited)} s ago: complete the remaining {remaining}")
            return Step(StepKind.WAIT, "waiting after the partial fill")
        if partial == PartialFillAction.PRICE_BASED:
            moved = _moved_away_pct(state, book)
            if moved is not None and moved >= Decimal(settings.partial_fill_price_move_pct):
                return Step(
                    StepKind.COMPLETE,
                    f"the market moved {moved:.2f}% away from the limit: complete the remaining {remaining}",
                )
            return Step(StepKind.WAIT, "waiting for the price to move")
    action = settings.unfilled_action
    if action == UnfilledAction.NONE:
        return Step(StepKind.WAIT if partial != PartialFillAction.NONE else StepKind.DONE, "no unfilled action")
    if _seconds(now, state.placed_at) < settings.unfilled_after_seconds:
        return Step(StepKind.WAIT, "not yet due")
    if action == UnfilledAction.CANCEL:
        return Step(StepKind.CANCEL, f"unfilled after {settings.unfilled_after_seconds} s: cancel")
    if action == UnfilledAction.CONVERT_MARKET:
        return Step(StepKind.COMPLETE, f"unfilled after {settings.unfilled_after_seconds} s: send the rest at MARKET")
    if action == UnfilledAction.SPLIT_DEPTH:
        return Step(StepKind.SPLIT, f"unfilled after {settings.unfilled_after_seconds} s: split the rest by depth")
    # CHASE
    if _seconds(now, state.last_step_at) < settings.chase_interval_seconds:
        return Step(StepKind.WAIT, "chase interval")
    price = chase_price(state, settings, book)
    if price is not None:
        return Step(StepKind.REPRICE, f"chase {state.price} → {price}", price=price)
    at_cap = state.price == chase_cap(state, settings)
    if not at_cap:
        return Step(StepKind.WAIT, "no touch to chase")  # no quote / already at the touch
    if settings.after_chase == AfterChase.CONVERT_MARKET:
        return Step(StepKind.COMPLETE, "chase reached its cap: send the rest at MARKET")
    if settings.after_chase == AfterChase.CANCEL:
        return Step(StepKind.CANCEL, "chase reached its cap: cancel")
    return Step(StepKind.DONE, f"chase reached its cap ({state.price})")


def split_size(remaining: int, depth_quantity: int, lot_size: int) -> int:
    """The next child of a split: what the book takes within the impact budget (whole lots), never more than what
    is left, at least one lot when the book takes anything."""
    lot = max(lot_size, 1)
    size = min(remaining, (depth_quantity // lot) * lot)
    return max(size, 0)
