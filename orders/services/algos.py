"""Parent executions (issue #11): TWAP and ICEBERG orders worked as child orders that go through `order_place`
like any order (role ALGO, actor `algo:<id>`, the pipeline and the rate governor), driven by the beat task
`orders.algo_tick` (every 2 s) and, for an iceberg's refresh, the `orders.terminal` event of its working leg.

Never twice (docs/execution.md "Algorithms"): a slice row is CLAIMED, with the quantity and price it will go out
with, in a transaction holding the execution row `FOR UPDATE`; only then is the child placed, with the
idempotency key `algo-<execution>-<slice>`; then the link is recorded. A claim left behind (the process died
between the claim and the link) is re-driven after `ALGO_CLAIM_LEASE_SECONDS` by placing the same intent again:
the key returns the order if it was made (a replay), else the child is made now. Either way one order per slice.

Interface (keyword-only): `twap_start`, `iceberg_start`, `algos_tick(at=None) -> int`, `execution_step(id)`,
`execution_pause` / `execution_resume` / `execution_cancel(user=, execution_id=, actor=)`, and the subscriber
`on_child_event` (orders.filled / orders.terminal). Arithmetic is in the pure `orders.algo_plan`.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import account_resolve
from oms_project.lib.errors import DomainError
from oms_project.lib.pretrade import OrderIntent
from portfolio.models import Strategy

from .. import algo_plan, errors, kite_iceberg, market
from ..domain import TERMINAL, OrderRole, OrderStatus, OrderType
from ..execution_models import AdvancedExecutionSlice, AdvancedOrderExecution
from ..models import Order
from ._common import _push

logger = logging.getLogger(__name__)

E = AdvancedOrderExecution.Status
SL = AdvancedExecutionSlice.Status
ACTIVE = (E.PENDING, E.RUNNING, E.PAUSED)

# A claim older than this with no child linked was left by a dead process: re-driven (same idempotency key).
# Above the order core's submit lease (ORDER_SUBMIT_LEASE_SECONDS, 10 s) so a live sender is never raced.
ALGO_CLAIM_LEASE_SECONDS = 15
# How soon a slice that had to wait (price guard, participation cap, rate limit, guard) is tried again.
RETRY_SECONDS = 2
# An iceberg is refreshed by its leg's terminal event; the tick checks as a fallback this often.
ICEBERG_POLL_SECONDS = 5
# Refusals that pass with time (the slice waits and is tried again); any other refusal pauses the execution.
TRANSIENT_CODES = frozenset({"ORDER_RATE_LIMITED", "WIDE_SPREAD", "HIGH_IMPACT", "BROKER_PAUSED", "BROKER_UNAVAILABLE"})
MAX_DURATION_SECONDS = 6 * 3600 + 15 * 60  # one NSE session (09:15-15:30)
MIN_INTERVAL_SECONDS = 5  # above the tick's 2 s, so every slice is its own tick
MAX_TWAP_SLICES = MAX_DURATION_SECONDS // MIN_INTERVAL_SECONDS
# A depth-aware split waits this long after a child by default: the paper venue's used-up depth comes back
# linearly over paper_venue.book.BOOK_REFILL_SECONDS (5 s, docs/market-model.md), so the next child meets a
# full book. At least the tick's 2 s.
DEPTH_SPLIT_INTERVAL_SECONDS = 5
MIN_DEPTH_SPLIT_INTERVAL_SECONDS = 2


def actor_for(execution_id: int) -> str:
    return f"algo:{execution_id}"


def client_order_id_for(execution_id: int, number: int) -> str:
    return f"algo-{execution_id}-{number}"


# --- start -----------------------------------------------------------------------------------------------------


def _common_start(
    *,
    user: AbstractBaseUser,
    account_id: int | None,
    strategy_id: int | None,
    instrument_token: int | None,
    exchange: str | None,
    tradingsymbol: str | None,
    quantity: int | None,
    lots: int | None,
    limit_price: Decimal | None,
) -> tuple[Any, Any, Any, int, Any]:
    """What every algorithm checks before it starts (the account, the instrument, a whole number of lots, the
    user's own strategy, a limit price on the tick grid), and the quote it starts from. Side and product are
    the children's: each child goes through the pre-trade pipeline."""
    account = account_resolve(user=user, account_id=account_id)
    instrument = market.instrument_resolve(
        instrument_token=instrument_token, exchange=exchange, tradingsymbol=tradingsymbol
    )
    lot = int(instrument.lot_size or 1)
    if quantity is None and lots is None:
        raise errors.InvalidQuantity("Give quantity (units) or lots.")
    qty = int(quantity) if quantity is not None else int(lots) * lot  # type: ignore[arg-type]
    if qty <= 0:
        raise errors.InvalidQuantity()
    _whole_lots(qty, lot, "quantity", "Quantity")
    strategy = None
    if strategy_id is not None:
        strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
        if strategy is None:
            raise errors.StrategyNotFound()
    if limit_price is not None:
        tick = Decimal(instrument.tick_size)
        if limit_price <= 0 or (tick > 0 and limit_price % tick):
            raise errors.TickSizeMismatch(
                f"limit_price {limit_price} is not on the tick grid ({tick}).",
                details={"limit_price": str(limit_price), "tick_size": str(tick)},
            )
    q = market.quote(instrument)
    return account, instrument, strategy, qty, q


def _whole_lots(value: int, lot: int, field: str, what: str) -> None:
    """LOT_SIZE_MISMATCH unless `value` is a positive whole number of lots."""
    if value <= 0 or value % lot:
        raise errors.LotSizeMismatch(
            f"{what} {value} is not a whole number of lots of {lot}.", details={field: value, "lot_size": lot}
        )


def _touch(q: Any) -> tuple[Decimal | None, Decimal | None]:
    if q is None:
        return None, None
    bid = q.buy_depth[0].price if q.buy_depth else None
    ask = q.sell_depth[0].price if q.sell_depth else None
    return bid, ask


def _arrival(q: Any) -> Decimal | None:
    bid, ask = _touch(q)
    if bid is not None and ask is not None:
        return (Decimal(bid) + Decimal(ask)) / 2
    return Decimal(q.last_price) if q is not None and q.last_price else None


def _new_execution(algorithm: str, *, user: Any, account: Any, instrument: Any, strategy: Any, **fields: Any) -> Any:
    return AdvancedOrderExecution.objects.create(
        user=user,
        account=account,
        strategy=strategy,
        algorithm=algorithm,
        status=E.RUNNING,
        instrument_token=instrument.instrument_token,
        exchange=instrument.exchange,
        tradingsymbol=instrument.tradingsymbol,
        **fields,
    )


def twap_start(
    *,
    user: AbstractBaseUser,
    transaction_type: str,
    duration_seconds: int,
    slices: int | None = None,
    interval_seconds: int | None = None,
    quantity: int | None = None,
    lots: int | None = None,
    instrument_token: int | None = None,
    exchange: str | None = None,
    tradingsymbol: str | None = None,
    account_id: int | None = None,
    strategy_id: int | None = None,
    product: str = "NRML",
    limit_price: Decimal | None = None,
    participation_cap_pct: Decimal | None = None,
    size_jitter_pct: Decimal = Decimal(20),
    time_jitter_pct: Decimal = Decimal(30),
    seed: int | None = None,
    actor: str = "",
) -> AdvancedOrderExecution:
    """Start a TWAP: `quantity` spread over `duration_seconds` in `slices` slices (or one every
    `interval_seconds`), sizes and times jittered within the bounds (orders.algo_plan.twap_plan). Each slice is
    a MARKET child, or with `limit_price` an IOC LIMIT at that price sent only while the touch is within it;
    `participation_cap_pct` keeps what it has traded under that share of the market's volume since the start."""
    if (slices is None) == (interval_seconds is None):
        raise errors.AlgoParamsInvalid("Give slices or interval_seconds (one of them).")
    if not 0 < duration_seconds <= MAX_DURATION_SECONDS:
        raise errors.AlgoParamsInvalid(f"duration_seconds must be between 1 and {MAX_DURATION_SECONDS}.")
    if interval_seconds is not None and interval_seconds < MIN_INTERVAL_SECONDS:
        raise errors.AlgoParamsInvalid(f"interval_seconds is at least {MIN_INTERVAL_SECONDS}.")
    n = slices if slices is not None else max(1, math.ceil(duration_seconds / interval_seconds))  # type: ignore[operator]
    if not 0 < n <= MAX_TWAP_SLICES:
        raise errors.AlgoParamsInvalid(f"A TWAP has 1 to {MAX_TWAP_SLICES} slices (this one {n}).")
    if not (0 <= size_jitter_pct < 100 and 0 <= time_jitter_pct < 100):
        raise errors.AlgoParamsInvalid("Jitters are percentages from 0 to under 100.")
    if participation_cap_pct is not None and not 0 < participation_cap_pct <= 100:
        raise errors.AlgoParamsInvalid("participation_cap_pct is a percentage above 0, at most 100.")
    account, instrument, strategy, qty, q = _common_start(
        user=user,
        account_id=account_id,
        strategy_id=strategy_id,
        instrument_token=instrument_token,
        exchange=exchange,
        tradingsymbol=tradingsymbol,
        quantity=quantity,
        lots=lots,
        limit_price=limit_price,
    )
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    plan = algo_plan.twap_plan(
        quantity=qty,
        lot_size=int(instrument.lot_size or 1),
        slices=n,
        duration_seconds=duration_seconds,
        seed=seed,
        size_jitter=float(size_jitter_pct) / 100,
        time_jitter=float(time_jitter_pct) / 100,
    )
    now = timezone.now()
    params = {
        "duration_seconds": duration_seconds,
        "slices": n,
        "interval_seconds": interval_seconds,
        "size_jitter_pct": str(size_jitter_pct),
        "time_jitter_pct": str(time_jitter_pct),
        "participation_cap_pct": None if participation_cap_pct is None else str(participation_cap_pct),
        "start_volume": int(q.volume) if q is not None and q.volume else 0,
        "seed": seed,
        "ends_at": (now + timedelta(seconds=duration_seconds)).isoformat(),
    }
    with transaction.atomic():
        ex = _new_execution(
            AdvancedOrderExecution.Algorithm.TWAP,
            user=user,
            account=account,
            instrument=instrument,
            strategy=strategy,
            transaction_type=transaction_type,
            product=product,
            total_quantity=qty,
            limit_price=limit_price,
            params=params,
            arrival_price=_arrival(q),
            slices_total=len(plan),
            started_at=now,
            next_slice_at=now + timedelta(seconds=plan[0].offset_seconds),
        )
        AdvancedExecutionSlice.objects.bulk_create(
            AdvancedExecutionSlice(
                execution=ex, number=p.number, planned_at=now + timedelta(seconds=p.offset_seconds), quantity=p.quantity
            )
            for p in plan
        )
        _push_progress(ex, now=now)
    return ex


def iceberg_start(
    *,
    user: AbstractBaseUser,
    transaction_type: str,
    limit_price: Decimal,
    visible_quantity: int | None = None,
    visible_lots: int | None = None,
    quantity: int | None = None,
    lots: int | None = None,
    instrument_token: int | None = None,
    exchange: str | None = None,
    tradingsymbol: str | None = None,
    account_id: int | None = None,
    strategy_id: int | None = None,
    product: str = "NRML",
    actor: str = "",
) -> AdvancedOrderExecution:
    """Start an iceberg: one LIMIT leg of `visible_quantity` at `limit_price` works at a time; when it fills the
    next leg goes out (refresh on fill), until the total is done."""
    if limit_price is None:
        raise errors.AlgoParamsInvalid("An iceberg needs limit_price.")
    account, instrument, strategy, qty, q = _common_start(
        user=user,
        account_id=account_id,
        strategy_id=strategy_id,
        instrument_token=instrument_token,
        exchange=exchange,
        tradingsymbol=tradingsymbol,
        quantity=quantity,
        lots=lots,
        limit_price=limit_price,
    )
    lot = int(instrument.lot_size or 1)
    if visible_quantity is None and visible_lots is None:
        raise errors.AlgoParamsInvalid("Give visible_quantity (units) or visible_lots.")
    visible = int(visible_quantity) if visible_quantity is not None else int(visible_lots) * lot  # type: ignore[arg-type]
    _whole_lots(visible, lot, "visible_quantity", "The visible quantity")
    visible = min(visible, qty)  # all visible: one leg
    params, message = kite_iceberg.route(  # Kite's own iceberg when it fits, else we slice (the reason recorded)
        is_paper=account.is_paper, total=qty, visible=visible, lot_size=lot, freeze_quantity=instrument.freeze_quantity
    )
    now = timezone.now()
    with transaction.atomic():
        ex = _new_execution(
            AdvancedOrderExecution.Algorithm.ICEBERG,
            user=user,
            account=account,
            instrument=instrument,
            strategy=strategy,
            transaction_type=transaction_type,
            product=product,
            total_quantity=qty,
            limit_price=limit_price,
            params=params,
            status_message=message,
            arrival_price=_arrival(q),
            slices_total=math.ceil(qty / int(params["visible_quantity"])),  # type: ignore[call-overload]
            started_at=now,
            next_slice_at=now,
        )
        _push_progress(ex, now=now)
    return ex


def depth_split_start(
    *,
    user: AbstractBaseUser,
    transaction_type: str,
    quantity: int | None = None,
    lots: int | None = None,
    instrument_token: int | None = None,
    exchange: str | None = None,
    tradingsymbol: str | None = None,
    account_id: int | None = None,
    strategy_id: int | None = None,
    product: str = "NRML",
    max_impact_bps: Decimal | None = None,
    interval_seconds: int = DEPTH_SPLIT_INTERVAL_SECONDS,
    max_duration_seconds: int = MAX_DURATION_SECONDS,
    max_child_quantity: int | None = None,
    limit_price: Decimal | None = None,
    actor: str = "",
) -> AdvancedOrderExecution:
    """Start a depth-aware split: children sized, each as it is sent, to the largest whole-lot quantity whose walk
    of the then-current book stays within `max_impact_bps` (default: the strategy's `max_market_impact_bps`, 50
    without a strategy), at least one lot, at most `max_child_quantity` (default: the freeze limit); each an IOC
    LIMIT at the worst level of its walk (and within `limit_price`, the price guard, if given); the next one
    `interval_seconds` after the last (the paper venue's used-up depth comes back over 5 s). What is not done
    within `max_duration_seconds` is left (the execution completes with the shortfall in its message)."""
    from ..execution import thresholds_for

    if not MIN_DEPTH_SPLIT_INTERVAL_SECONDS <= interval_seconds <= MAX_DURATION_SECONDS:
        raise errors.AlgoParamsInvalid(f"interval_seconds is at least {MIN_DEPTH_SPLIT_INTERVAL_SECONDS}.")
    if not 0 < max_duration_seconds <= MAX_DURATION_SECONDS:
        raise errors.AlgoParamsInvalid(f"max_duration_seconds must be between 1 and {MAX_DURATION_SECONDS}.")
    if max_impact_bps is not None and not 0 < max_impact_bps <= 10_000:
        raise errors.AlgoParamsInvalid("max_impact_bps is above 0, at most 10000.")
    account, instrument, strategy, qty, q = _common_start(
        user=user,
        account_id=account_id,
        strategy_id=strategy_id,
        instrument_token=instrument_token,
        exchange=exchange,
        tradingsymbol=tradingsymbol,
        quantity=quantity,
        lots=lots,
        limit_price=limit_price,
    )
    lot = int(instrument.lot_size or 1)
    if max_child_quantity is not None:
        _whole_lots(max_child_quantity, lot, "max_child_quantity", "max_child_quantity")
    freeze = int(instrument.freeze_quantity) if instrument.freeze_quantity else None
    cap = max_child_quantity if max_child_quantity is not None else freeze
    if cap is not None and freeze is not None:
        cap = min(cap, algo_plan.lots_down(freeze, lot) or lot)
    budget = max_impact_bps if max_impact_bps is not None else thresholds_for(strategy).max_impact_bps
    now = timezone.now()
    params = {
        "max_impact_bps": str(budget),
        "interval_seconds": interval_seconds,
        "max_child_quantity": cap,
        "ends_at": (now + timedelta(seconds=max_duration_seconds)).isoformat(),
    }
    with transaction.atomic():
        ex = _new_execution(
            AdvancedOrderExecution.Algorithm.DEPTH_SPLIT,
            user=user,
            account=account,
            instrument=instrument,
            strategy=strategy,
            transaction_type=transaction_type,
            product=product,
            total_quantity=qty,
            limit_price=limit_price,
            params=params,
            arrival_price=_arrival(q),
            slices_total=0,
            started_at=now,
            next_slice_at=now,
        )
        _push_progress(ex, now=now)
    return ex


# --- the runner ------------------------------------------------------------------------------------------------


def algos_tick(at: datetime | None = None) -> int:
    """One pass over the running executions that are due (beat `orders.algo_tick`). Returns children placed."""
    now = at or timezone.now()
    due = list(
        AdvancedOrderExecution.objects.filter(status=E.RUNNING, next_slice_at__lte=now)
        .order_by("next_slice_at")
        .values_list("pk", flat=True)[:200]
    )
    placed = 0
    for pk in due:
        try:
            placed += 1 if execution_step(pk, at=now) else 0
        except Exception:  # one execution's failure must not stop the others
            logger.exception("algo tick: execution %s failed", pk)
    return placed


def _children(ex: AdvancedOrderExecution) -> list[Order]:
    return list(Order.objects.filter(advanced_slice__execution=ex).order_by("advanced_slice__number"))


def _sync(ex: AdvancedOrderExecution, now: datetime) -> tuple[int, int, Order | None]:
    """Filled quantity and average from the children; (filled, working, the working child)."""
    kids = _children(ex)
    filled = sum(k.filled_quantity for k in kids)
    ex.filled_quantity = filled
    ex.average_price = algo_plan.vwap([(k.filled_quantity, k.average_price) for k in kids if k.average_price])
    live = [k for k in kids if k.status not in TERMINAL]
    working = sum(k.quantity - k.filled_quantity for k in live)
    return filled, working, (live[0] if live else None)


def _finish(ex: AdvancedOrderExecution, now: datetime, message: str) -> None:
    ex.status = E.COMPLETED
    ex.ended_at = now
    ex.next_slice_at = None
    ex.status_message = message


def _wait(ex: AdvancedOrderExecution, now: datetime, message: str, seconds: float = RETRY_SECONDS) -> None:
    ex.status_message = message[:300]
    ex.next_slice_at = now + timedelta(seconds=seconds)


def _save(ex: AdvancedOrderExecution, now: datetime) -> None:
    ex.version += 1
    ex.save()
    _push_progress(ex, now=now)


def execution_step(execution_id: int, *, at: datetime | None = None) -> bool:
    """Advance one execution by at most one child. True when a child was placed."""
    now = at or timezone.now()
    with transaction.atomic():
        ex = AdvancedOrderExecution.objects.select_for_update().filter(pk=execution_id).first()
        if ex is None or ex.status != E.RUNNING:
            return False
        filled, working, live = _sync(ex, now)
        stale_before = now - timedelta(seconds=ALGO_CLAIM_LEASE_SECONDS)
        claimed = ex.slices.filter(status=SL.CLAIMED).first()
        if claimed is not None:
            if claimed.claimed_at and claimed.claimed_at > stale_before:
                return False  # a live sender has it
            claimed.claimed_at = now  # re-drive a crashed claim with the same key and contents
            claimed.note = "re-driven after a claim with no child (restart)"
            claimed.save(update_fields=["claimed_at", "note"])
            slice_ = claimed
        else:
            slice_ = _claim_next(ex, now, filled=filled, working=working, live=live)
            if slice_ is None:
                _save(ex, now)
                return False
        intent = _child_intent(ex, slice_)
    return _send(ex.pk, slice_.pk, intent, now)


@dataclass(frozen=True)
class _Next:
    """What an algorithm decided to send next: the claim every algorithm makes the same way (`_claim`)."""

    quantity: int
    price: Decimal | None  # the child's LIMIT price (None: MARKET)
    planned: AdvancedExecutionSlice | None = None  # a TWAP's planned row; None: the claim makes the row
    note: str = ""


def _claim_next(
    ex: AdvancedOrderExecution, now: datetime, *, filled: int, working: int, live: Order | None
) -> AdvancedExecutionSlice | None:
    """The next slice claimed (status CLAIMED with its quantity and price), or None with the execution's wait
    (or end) recorded. Each algorithm only decides what to send (`_twap_next`, `_iceberg_next`,
    `_depth_split_next`); the claim, the send and the link are the same for all three."""
    if filled >= ex.total_quantity:
        _finish(ex, now, "")
        return None
    decide = _DECIDERS[ex.algorithm]
    nxt = decide(ex, now, filled=filled, working=working, live=live)
    return None if nxt is None else _claim(ex, now, nxt)


def _claim(ex: AdvancedOrderExecution, now: datetime, nxt: _Next) -> AdvancedExecutionSlice:
    if nxt.planned is not None:
        s = nxt.planned
        s.status, s.claimed_at, s.send_quantity = SL.CLAIMED, now, nxt.quantity
        s.save(update_fields=["status", "claimed_at", "send_quantity"])
    else:  # made in the claim itself: unique per (execution, number), so two claimers cannot both make it
        number = (ex.slices.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        s = AdvancedExecutionSlice.objects.create(
            execution=ex,
            number=number,
            planned_at=now,
            quantity=nxt.quantity,
            status=SL.CLAIMED,
            claimed_at=now,
            send_quantity=nxt.quantity,
            note=nxt.note[:200],
        )
    if nxt.price != ex.limit_price:  # a price of its own (a depth-aware split's child): kept for a re-drive
        ex.params = {**ex.params, "claim": {"number": s.number, "price": None if nxt.price is None else str(nxt.price)}}
        ex.save(update_fields=["params"])
    ex.status_message = ""
    return s


def _iceberg_next(
    ex: AdvancedOrderExecution, now: datetime, *, filled: int, working: int, live: Order | None
) -> _Next | None:
    if live is not None:
        ex.next_slice_at = now + timedelta(seconds=ICEBERG_POLL_SECONDS)
        ex.status_message = ""
        return None
    last = _children(ex)[-1:] or [None]
    leg = last[0]
    seen = int(ex.params.get("resumed_after_leg") or 0)
    if leg is not None and leg.status != OrderStatus.COMPLETE and leg.advanced_slice.number > seen:
        # The leg ended unfilled (cancelled or modified away by the trader, expired, rejected): the trader
        # decides what happens next.
        _pause(ex, now, f"paused: leg #{leg.pk} ended {leg.status} outside the algorithm")
        return None
    qty = algo_plan.iceberg_send_quantity(
        visible=int(ex.params["visible_quantity"]), total=ex.total_quantity, done=filled + working, lot_size=_lot(ex)
    )
    if qty <= 0:
        _finish(ex, now, "")
        return None
    return _Next(qty, ex.limit_price)


def _twap_next(
    ex: AdvancedOrderExecution, now: datetime, *, filled: int, working: int, live: Order | None
) -> _Next | None:
    done = filled + working
    nxt = ex.slices.filter(status=SL.PLANNED).order_by("number").first()
    if nxt is None:
        if live is None:
            short = ex.total_quantity - filled
            _finish(ex, now, f"{short} not filled within the price guard" if short else "")
        else:
            ex.next_slice_at = now + timedelta(seconds=RETRY_SECONDS)
        return None
    if nxt.planned_at > now:
        ex.next_slice_at = nxt.planned_at
        return None
    q = market.quote(market.instrument_by_token(ex.instrument_token), now)
    if not _guard_allows(ex, now, q):
        return None
    cap = ex.params.get("participation_cap_pct")
    headroom = None
    if cap is not None:
        volume = (int(q.volume) if q is not None and q.volume else 0) - int(ex.params.get("start_volume") or 0)
        headroom = algo_plan.participation_headroom(cap=float(cap) / 100, market_volume=volume, executed=done)
    lot = _lot(ex)
    scheduled = sum(ex.slices.filter(number__lte=nxt.number).values_list("quantity", flat=True))
    qty = algo_plan.twap_send_quantity(
        scheduled=scheduled, done=done, total=ex.total_quantity, lot_size=lot, headroom=headroom
    )
    if qty <= 0:
        uncapped = algo_plan.twap_send_quantity(scheduled=scheduled, done=done, total=ex.total_quantity, lot_size=lot)
        if uncapped > 0:  # the participation cap holds it back
            _wait(ex, now, f"waiting: participation cap {cap}% of the market's volume since the start")
            return None
        nxt.status = SL.SKIPPED  # earlier children already covered the schedule
        nxt.note = "nothing left to send at this point of the schedule"
        nxt.save(update_fields=["status", "note"])
        ex.next_slice_at = now
        return None
    return _Next(qty, ex.limit_price, planned=nxt)


def _depth_split_next(
    ex: AdvancedOrderExecution, now: datetime, *, filled: int, working: int, live: Order | None
) -> _Next | None:
    """A depth-aware split's next child: sized against the book of this moment (the venue's book, less what
    earlier paper fills used up and it has not given back), the largest whole-lot quantity within the impact
    budget, at least one lot; an IOC LIMIT at the worst level that walk reaches. One child at a time, then
    `interval_seconds` for the book to refill."""
    p = ex.params
    if live is not None:  # the last child still works (an IOC on Kite ends within moments)
        ex.next_slice_at = now + timedelta(seconds=RETRY_SECONDS)
        return None
    ends = p.get("ends_at")
    if ends and now >= datetime.fromisoformat(ends):
        _finish(ex, now, f"{ex.total_quantity - filled} not filled within max_duration_seconds")
        return None
    last_sent = ex.slices.filter(status=SL.SENT).order_by("-number").values_list("sent_at", flat=True).first()
    if last_sent is not None:
        due = last_sent + timedelta(seconds=float(p["interval_seconds"]))
        if due > now:  # the book is refilling after the last child
            ex.next_slice_at = due
            return None
    from ..execution import venue_quote

    instrument = market.instrument_by_token(ex.instrument_token)
    q = venue_quote(ex.account, instrument, market.quote(instrument, now), ex.transaction_type, now)
    if q is None:
        _wait(ex, now, "waiting: no quote")
        return None
    if not _guard_allows(ex, now, q):
        return None
    lot = _lot(ex)
    child = algo_plan.depth_split_child(
        q,
        side=ex.transaction_type,
        lot_size=lot,
        impact_budget_bps=Decimal(str(p["max_impact_bps"])),
        remaining=ex.total_quantity - filled - working,
        max_quantity=p.get("max_child_quantity"),
    )
    if child.quantity <= 0:
        if child.limited_by == "no book":
            _wait(ex, now, "waiting: no book on the side the child would take")
        else:  # less than a lot left (cannot happen with whole-lot fills)
            _finish(ex, now, f"{ex.total_quantity - filled} left, less than a lot")
        return None
    price = child.limit_price
    if ex.limit_price is not None and price is not None:  # the trader's price guard bounds every child
        price = min(price, ex.limit_price) if ex.transaction_type == "BUY" else max(price, ex.limit_price)
    return _Next(child.quantity, price, note=f"sized by {child.limited_by}; walk impact {child.impact_bps} bps")


def _guard_allows(ex: AdvancedOrderExecution, now: datetime, q: Any) -> bool:
    """The execution's price guard against the touch; records the wait when it holds the child back."""
    bid, ask = _touch(q)
    if algo_plan.price_guard_allows(side=ex.transaction_type, limit_price=ex.limit_price, best_bid=bid, best_ask=ask):
        return True
    touch = ask if ex.transaction_type == "BUY" else bid
    _wait(ex, now, f"waiting: the touch {touch} is beyond the price guard {ex.limit_price}")
    return False


_DECIDERS = {
    AdvancedOrderExecution.Algorithm.TWAP: _twap_next,
    AdvancedOrderExecution.Algorithm.ICEBERG: _iceberg_next,
    AdvancedOrderExecution.Algorithm.DEPTH_SPLIT: _depth_split_next,
}
# Algorithms whose slice rows are planned at the start (a refused child's row goes back to PLANNED); the others
# make a row in each claim (a refused child's row is deleted and made again by the next try).
PLANNED_SLICES = frozenset({AdvancedOrderExecution.Algorithm.TWAP})


def _next_after_send(ex: AdvancedOrderExecution, now: datetime, live: Order | None) -> datetime:
    """When to look again once a child is linked."""
    if ex.algorithm == AdvancedOrderExecution.Algorithm.ICEBERG:
        return now if live is None else now + timedelta(seconds=ICEBERG_POLL_SECONDS)
    if ex.algorithm == AdvancedOrderExecution.Algorithm.DEPTH_SPLIT:
        seconds = float(ex.params["interval_seconds"]) if live is None else RETRY_SECONDS
        return now + timedelta(seconds=seconds)
    nxt = ex.slices.filter(status=SL.PLANNED).order_by("number").values_list("planned_at", flat=True).first()
    return nxt if nxt is not None else now + timedelta(seconds=RETRY_SECONDS)


def _pause(ex: AdvancedOrderExecution, now: datetime, message: str) -> None:
    ex.status, ex.next_slice_at = E.PAUSED, None
    ex.params = {**ex.params, "paused_at": now.isoformat()}
    ex.status_message = message[:300]


def _lot(ex: AdvancedOrderExecution) -> int:
    return int(market.instrument_by_token(ex.instrument_token).lot_size or 1)


def _child_intent(ex: AdvancedOrderExecution, slice_: AdvancedExecutionSlice) -> OrderIntent:
    """The child's intent: derived only from the stored claim (quantity and price), so a re-drive after a crash is
    the same intent (and its idempotency key replays the order if it was made). A priced child of a TWAP or a
    depth-aware split is IOC (it never rests); an iceberg leg rests (DAY)."""
    iceberg = ex.algorithm == AdvancedOrderExecution.Algorithm.ICEBERG
    claim = (ex.params or {}).get("claim") or {}
    price = ex.limit_price
    if claim.get("number") == slice_.number:  # claimed with a price of its own (`_claim`)
        price = None if claim.get("price") is None else Decimal(claim["price"])
    limit = price is not None
    return OrderIntent(
        user_id=ex.user_id,
        actor=actor_for(ex.pk),
        account_id=ex.account_id,
        strategy_id=ex.strategy_id,
        instrument_token=ex.instrument_token,
        transaction_type=ex.transaction_type,
        product=ex.product,
        quantity=int(slice_.send_quantity or slice_.quantity),
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        price=price if limit else None,
        validity="IOC" if (limit and not iceberg) else "DAY",
        **(kite_iceberg.child_fields(ex.params) if iceberg else {}),  # type: ignore[arg-type]
        client_order_id=client_order_id_for(ex.pk, slice_.number),
        role=OrderRole.ALGO,
    )


def _send(execution_id: int, slice_id: int, intent: OrderIntent, now: datetime) -> bool:
    """Place a claimed slice's child and link it (every algorithm). A refusal un-claims the slice and waits
    (transient codes) or pauses the execution."""
    from .order_changes import order_cancel
    from .placement import order_place

    try:
        order = order_place(intent)
    except DomainError as err:
        with transaction.atomic():
            ex = AdvancedOrderExecution.objects.select_for_update().get(pk=execution_id)
            unsent = AdvancedExecutionSlice.objects.filter(pk=slice_id, order__isnull=True)
            if ex.algorithm in PLANNED_SLICES:
                unsent.update(
                    status=SL.PLANNED,
                    claimed_at=None,
                    send_quantity=None,
                    note=f"{err.code}: {err.message}"[:200],
                )
            else:
                unsent.delete()  # made by the claim; the next try makes it again (sized anew)
            if err.code in TRANSIENT_CODES:
                _wait(ex, now, f"waiting ({err.code}): {err.message}")
            elif ex.status == E.RUNNING:
                _pause(ex, now, f"paused: a child was refused ({err.code}): {err.message}")
            _save(ex, now)
        return False
    cancel_child = False
    with transaction.atomic():
        ex = AdvancedOrderExecution.objects.select_for_update().get(pk=execution_id)
        linked = AdvancedExecutionSlice.objects.filter(pk=slice_id, status=SL.CLAIMED).update(
            status=SL.SENT, order=order, sent_at=now
        )
        if linked:
            ex.slices_sent = F("slices_sent") + 1
        ex.save(update_fields=["slices_sent"] if linked else [])
        ex.refresh_from_db()
        filled, working, live = _sync(ex, now)
        if ex.status == E.CANCELLED:
            cancel_child = order.status not in TERMINAL
        elif order.status == OrderStatus.REJECTED and ex.status == E.RUNNING:
            _pause(ex, now, f"paused: child #{order.pk} was rejected: {order.status_message}")
        elif ex.status == E.RUNNING:
            if filled >= ex.total_quantity:
                _finish(ex, now, "")
            else:
                ex.next_slice_at = _next_after_send(ex, now, live)
        _save(ex, now)
    if cancel_child:
        _cancel_quietly(order_cancel, ex, order)
    return True


def _cancel_quietly(order_cancel: Any, ex: AdvancedOrderExecution, order: Order) -> None:
    try:
        order_cancel(user=ex.user, order_id=order.pk, actor=actor_for(ex.pk))
    except DomainError as err:  # it filled or ended meanwhile
        logger.info("algo %s: child %s not cancelled: %s", ex.pk, order.pk, err.code)


def on_child_event(event: Any) -> None:
    """Subscriber of orders.filled and orders.terminal: a child's fill updates its execution's progress; an
    iceberg leg that ended is refreshed at once. Reads nothing for other orders (the role says)."""
    if getattr(event, "role", "") != OrderRole.ALGO:
        return
    execution_id = (
        AdvancedExecutionSlice.objects.filter(order_id=event.order_id).values_list("execution_id", flat=True).first()
    )
    if execution_id is None:
        return  # the link is recorded by the sender after this (it syncs then)
    now = timezone.now()
    with transaction.atomic():
        ex = AdvancedOrderExecution.objects.select_for_update().filter(pk=execution_id).first()
        if ex is None:
            return
        filled, working, live = _sync(ex, now)
        refresh = False
        if ex.status == E.RUNNING and filled >= ex.total_quantity:
            _finish(ex, now, "")
        elif ex.status == E.RUNNING and ex.algorithm == AdvancedOrderExecution.Algorithm.ICEBERG and live is None:
            ex.next_slice_at = now
            refresh = True
        _save(ex, now)
    if refresh:
        execution_step(execution_id, at=now)


# --- pause, resume, cancel -------------------------------------------------------------------------------------


def _owned_for_update(user: AbstractBaseUser, execution_id: int) -> AdvancedOrderExecution:
    ex = AdvancedOrderExecution.objects.select_for_update().filter(pk=execution_id, user=user).first()
    if ex is None:
        raise errors.ExecutionNotFound(details={"execution_id": execution_id})
    return ex


def _state_conflict(ex: AdvancedOrderExecution, action: str) -> errors.ExecutionNotActive:
    return errors.ExecutionNotActive(
        f"Execution #{ex.pk} is {ex.status}: it cannot be {action}.",
        details={"execution_id": ex.pk, "status": ex.status},
    )


def execution_pause(*, user: AbstractBaseUser, execution_id: int, actor: str = "") -> AdvancedOrderExecution:
    """Stop sending new children (a working child keeps working)."""
    now = timezone.now()
    with transaction.atomic():
        ex = _owned_for_update(user, execution_id)
        if ex.status not in (E.RUNNING, E.PENDING):
            raise _state_conflict(ex, "paused")
        _pause(ex, now, f"paused by {actor or 'the trader'}")
        _sync(ex, now)
        _save(ex, now)
    return ex


def execution_resume(*, user: AbstractBaseUser, execution_id: int, actor: str = "") -> AdvancedOrderExecution:
    """Send again; a TWAP's unsent slices (and a TWAP's or a depth-aware split's end) move later by the time it
    was paused (the schedule keeps its shape)."""
    now = timezone.now()
    with transaction.atomic():
        ex = _owned_for_update(user, execution_id)
        if ex.status != E.PAUSED:
            raise _state_conflict(ex, "resumed")
        paused_at = ex.params.get("paused_at")
        if paused_at:  # only a TWAP has planned slices; an iceberg has no end
            shift = now - datetime.fromisoformat(paused_at)
            if shift > timedelta(0):
                ex.slices.filter(status=SL.PLANNED).update(planned_at=F("planned_at") + shift)
                if ex.params.get("ends_at"):
                    ends = datetime.fromisoformat(ex.params["ends_at"]) + shift
                    ex.params = {**ex.params, "ends_at": ends.isoformat()}
        ex.params = {k: v for k, v in ex.params.items() if k != "paused_at"}
        last_leg = ex.slices.order_by("-number").values_list("number", flat=True).first()
        if ex.algorithm == AdvancedOrderExecution.Algorithm.ICEBERG and last_leg:
            ex.params = {**ex.params, "resumed_after_leg": last_leg}  # the trader has seen how that leg ended
        ex.status, ex.status_message = E.RUNNING, ""
        nxt = ex.slices.filter(status=SL.PLANNED).order_by("number").values_list("planned_at", flat=True).first()
        ex.next_slice_at = nxt if nxt is not None else now
        _sync(ex, now)
        _save(ex, now)
    return ex


def execution_cancel(*, user: AbstractBaseUser, execution_id: int, actor: str = "") -> AdvancedOrderExecution:
    """Stop for good and cancel the working child (what filled stays filled)."""
    from .order_changes import order_cancel

    now = timezone.now()
    with transaction.atomic():
        ex = _owned_for_update(user, execution_id)
        if ex.status not in ACTIVE:
            raise _state_conflict(ex, "cancelled")
        ex.status, ex.ended_at, ex.next_slice_at = E.CANCELLED, now, None
        ex.status_message = f"cancelled by {actor or 'the trader'}"
        ex.slices.filter(status=SL.PLANNED).update(status=SL.SKIPPED, note="execution cancelled")
        # A claim a dead process left may have made its child: link it (by its key) so it is cancelled too.
        for s in ex.slices.filter(status=SL.CLAIMED, order__isnull=True):
            made = Order.objects.filter(
                user_id=ex.user_id, client_order_id=client_order_id_for(ex.pk, s.number)
            ).first()
            s.status, s.order = (SL.SENT, made) if made is not None else (SL.SKIPPED, None)
            s.note = "execution cancelled"
            s.save(update_fields=["status", "order", "note"])
        _sync(ex, now)
        live = [k for k in _children(ex) if k.status not in TERMINAL]
        _save(ex, now)
    for child in live:
        _cancel_quietly(order_cancel, ex, child)
    if live:
        ex.refresh_from_db()
        with transaction.atomic():
            _sync(ex, now)
            _save(ex, now)
    return ex


# --- progress --------------------------------------------------------------------------------------------------


def _push_progress(ex: AdvancedOrderExecution, *, now: datetime) -> None:
    """The execution's progress to the owner's /ws/orders/ sockets on commit (frame type "execution")."""
    from ..algo_presenters import execution_json

    _push(ex.user_id, "execution", execution_json(ex, now=now))
