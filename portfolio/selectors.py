"""Portfolio reads, always scoped to the owner: someone else's position, strategy or ledger is 'not found'.

Margin, risk and the order core read positions and funds through these (and the pre-trade context's
"positions" and "funds" loaders, registered in `PortfolioConfig.ready`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .domain import STRATEGY_PRESETS, LedgerKind
from .errors import PositionNotFound, StrategyNotFound
from .models import LedgerEntry, Position, Strategy, Trade

ZERO = Decimal("0.00")


def _owner_filter(qs: QuerySet, *, user: AbstractBaseUser | None, account: Any | None) -> QuerySet:
    if user is None and account is None:
        raise TypeError("a portfolio read needs the owner: user= or account=")
    if user is not None:
        qs = qs.filter(user=user)
    if account is not None:
        qs = qs.filter(account_id=account.pk, user_id=account.user_id)
    return qs


def positions_for(
    *,
    user: AbstractBaseUser | None = None,
    account: Any | None = None,
    account_id: int | None = None,
    strategy_id: int | None = None,
    instrument_token: int | None = None,
    open_only: bool = False,
) -> QuerySet[Position]:
    qs = _owner_filter(Position.objects.all(), user=user, account=account)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    if instrument_token is not None:
        qs = qs.filter(instrument_token=instrument_token)
    if open_only:
        qs = qs.exclude(quantity=0)
    return qs.order_by("-updated_at", "-id")


def position_get(*, user: AbstractBaseUser, position_id: int) -> Position:
    try:
        return Position.objects.get(pk=position_id, user=user)
    except (Position.DoesNotExist, ValueError, TypeError):
        raise PositionNotFound() from None


def trades_for(
    *,
    user: AbstractBaseUser | None = None,
    account: Any | None = None,
    account_id: int | None = None,
    order_id: int | None = None,
    strategy_id: int | None = None,
) -> QuerySet[Trade]:
    qs = _owner_filter(Trade.objects.all(), user=user, account=account)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    return qs.order_by("-fill_timestamp", "-id")


def order_fills(*, order_id: int) -> list[tuple[int, Decimal]]:
    """(quantity, price) of every fill stored for an order: the order core computes its fill totals from these
    with the order row locked (the order is already the caller's)."""
    return [(q, Decimal(p)) for q, p in Trade.objects.filter(order_id=order_id).values_list("quantity", "price")]


def strategy_list(*, user: AbstractBaseUser) -> QuerySet[Strategy]:
    return Strategy.objects.filter(user=user).order_by("id")


def strategy_get(*, user: AbstractBaseUser, strategy_id: int) -> Strategy:
    try:
        return Strategy.objects.get(pk=strategy_id, user=user)
    except (Strategy.DoesNotExist, ValueError, TypeError):
        raise StrategyNotFound() from None


def strategy_presets() -> dict[str, dict[str, Any]]:
    """The presets of the design (seed 001: conservative and aggressive)."""
    return {name: dict(values) for name, values in STRATEGY_PRESETS.items()}


# --- funds ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Funds:
    """An account's cash: the opening balance plus every ledger entry. Figures in rupees (2 places)."""

    account_id: int
    opening_balance: Decimal
    pay_ins: Decimal  # positive
    pay_outs: Decimal  # positive (what left the account)
    charges: Decimal  # signed as posted (negative)
    realised_pnl: Decimal  # all time
    realised_pnl_today: Decimal
    m2m_settlements: Decimal
    adjustments: Decimal
    ledger_total: Decimal
    cash: Decimal

    @property
    def net_deposits(self) -> Decimal:
        """What the trader put in: opening + pay-ins − pay-outs + adjustments (no trading result)."""
        return self.opening_balance + self.pay_ins - self.pay_outs + self.adjustments

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "net_deposits": self.net_deposits}


def opening_balance(account: Any) -> Decimal:
    """Paper: the capital the account was opened with. Kite: 0 (the broker's own funds are the truth there;
    this ledger holds what the OMS booked)."""
    return Decimal(account.paper_capital).quantize(ZERO) if account.is_paper else ZERO


def funds_for(account: Any, *, today: Any = None) -> Funds:
    """The account's funds in one query: the ledger summed per kind (GROUP BY kind on the account's
    index), with today's share beside it. Two aggregates rather than one filtered SUM per kind: the
    pre-trade stages read this on every order and a dozen filtered aggregates cost more to compile
    than to run."""
    day = today or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    per_kind = {
        r["kind"]: r
        for r in LedgerEntry.objects.filter(account_id=account.pk)
        .values("kind")
        .annotate(total=Sum("amount"), today=Sum("amount", filter=Q(created_at__gte=start, created_at__lt=end)))
        .order_by()
    }
    row = {kind.value: per_kind.get(kind.value, {}).get("total") or ZERO for kind in LedgerKind}
    row["total"] = sum((r["total"] or ZERO for r in per_kind.values()), ZERO)
    row["today_pnl"] = per_kind.get(LedgerKind.REALISED_PNL.value, {}).get("today") or ZERO
    q = lambda v: Decimal(v).quantize(ZERO)  # noqa: E731
    opening = opening_balance(account)
    total = q(row["total"])
    return Funds(
        account_id=account.pk,
        opening_balance=opening,
        pay_ins=q(row[LedgerKind.PAY_IN]),
        pay_outs=abs(q(row[LedgerKind.PAY_OUT])),
        charges=q(row[LedgerKind.CHARGES]),
        realised_pnl=q(row[LedgerKind.REALISED_PNL]),
        realised_pnl_today=q(row["today_pnl"]),
        m2m_settlements=q(row[LedgerKind.M2M_SETTLEMENT]),
        adjustments=q(row[LedgerKind.ADJUSTMENT]),
        ledger_total=total,
        cash=opening + total,
    )


def ledger_for(*, account: Any, kind: str | None = None) -> QuerySet[LedgerEntry]:
    """The account's ledger, newest first (the account row was resolved for its owner by the caller)."""
    qs = LedgerEntry.objects.filter(account_id=account.pk)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


VENUE_CAPITAL_KINDS = (LedgerKind.PAY_IN, LedgerKind.PAY_OUT, LedgerKind.ADJUSTMENT, LedgerKind.CHARGES)


def paper_venue_capital(account: Any) -> Decimal:
    """The capital a paper account's venue judges margin against: what the trader put in (opening balance,
    pay-ins, pay-outs, adjustments) less charges. The venue adds the realised P&L of its own fills, so the
    ledger's REALISED_PNL (and M2M settlements) are left out here, never counted twice."""
    moved = LedgerEntry.objects.filter(account_id=account.pk, kind__in=VENUE_CAPITAL_KINDS).aggregate(
        total=Sum("amount", default=ZERO)
    )["total"]
    return opening_balance(account) + Decimal(moved).quantize(ZERO)


# --- settlement -------------------------------------------------------------------------------------
def futures_settlements_for(*, account: Any, position_id: int | None = None) -> QuerySet[Any]:
    """The account's daily futures settlements (futures_settlement_history), newest day first."""
    from .models import FuturesSettlement

    qs = FuturesSettlement.objects.filter(account_id=account.pk, user_id=account.user_id)
    if position_id is not None:
        qs = qs.filter(position_id=position_id)
    return qs.order_by("-trading_day", "-id")


def expiry_settlements_for(*, account: Any) -> QuerySet[Any]:
    """How the account's positions in expired contracts were closed, newest expiry first."""
    from .models import ExpirySettlement

    return ExpirySettlement.objects.filter(account_id=account.pk, user_id=account.user_id).order_by("-expiry", "-id")


def settlement_chart(*, account: Any, days: int = 60) -> dict[str, Any]:
    """The chart's data: per trading day the M2M posted (all futures) and its running total, and each
    contract's settlement prices; amounts as strings (exact)."""
    rows = list(futures_settlements_for(account=account).order_by("trading_day", "id")[: days * 50])
    by_day: dict[str, Decimal] = {}
    prices: dict[str, dict[str, str]] = {}
    for r in rows:
        key = r.trading_day.isoformat()
        by_day[key] = by_day.get(key, ZERO) + Decimal(r.m2m_amount)
        prices.setdefault(r.tradingsymbol, {})[key] = str(r.settlement_price)
    labels = sorted(by_day)[-days:]
    running, cumulative = ZERO, []
    for d in labels:
        running += by_day[d]
        cumulative.append(str(running))
    return {
        "labels": labels,
        "m2m": [str(by_day[d]) for d in labels],
        "cumulative": cumulative,
        "prices": {sym: [series.get(d) for d in labels] for sym, series in prices.items()},
    }
