"""Risk reads: the resolved limits of an account/strategy, kill-switch state (plain and locked), the ban list,
the facts the limits judge, the risk summary and events. Always scoped to the owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import TradingAccount
from portfolio import selectors as portfolio_selectors
from portfolio.models import Strategy

from . import errors, limits
from .domain import ENGAGED, KillState, Scope
from .models import AccountRiskDay, FnoBan, KillSwitch, RiskEvent, RiskLimitConfig

ZERO = Decimal("0")


# --- limits -----------------------------------------------------------------------------------------
def house_defaults() -> dict[str, dict[str, Any]]:
    """settings.RISK_LIMIT_DEFAULTS: the operator's changes to the catalogue's seed defaults (same shape as an
    override document)."""
    return limits.validate_overrides(getattr(settings, "RISK_LIMIT_DEFAULTS", None) or {})


def limit_overrides(*, account_id: int, strategy_id: int | None = None) -> tuple[dict, dict]:
    """(account overrides, strategy overrides) in one query."""
    q = Q(account_id=account_id)
    if strategy_id is not None:
        q |= Q(strategy_id=strategy_id)
    account_o: dict = {}
    strategy_o: dict = {}
    for row in RiskLimitConfig.objects.filter(q).only("account_id", "strategy_id", "overrides"):
        if row.strategy_id is not None:
            strategy_o = row.overrides or {}
        else:
            account_o = row.overrides or {}
    return account_o, strategy_o


@dataclass(frozen=True, slots=True)
class AccountDayRead:
    """What the pre-trade stages read of the account's risk state for today, in one statement: the limit overrides
    (the account's and the order's strategy's), today's equity peak, whether the order's underlying is in the F&O
    ban, and the id of a REDUCING status the live monitor set on the account or the strategy today."""

    account_overrides: dict
    strategy_overrides: dict
    peak_equity: Decimal | None
    in_ban: bool
    reducing_status_id: int | None


def account_day_read(*, account_id: int, strategy_id: int | None, day: date, underlying: str) -> AccountDayRead:
    """One query: the account's row with the four facts as subqueries (each by its own index), instead of four."""
    from django.db.models import Exists, JSONField, OuterRef, Subquery, Value

    from .models import RiskStatus

    status_owner = Q(account_id=OuterRef("pk"), strategy__isnull=True)
    if strategy_id:
        status_owner |= Q(strategy_id=strategy_id)
    none_json = Value(None, output_field=JSONField())
    row = (
        TradingAccount.objects.filter(pk=account_id)
        .annotate(
            account_overrides=Subquery(
                RiskLimitConfig.objects.filter(account_id=OuterRef("pk")).values("overrides")[:1],
                output_field=JSONField(),
            ),
            strategy_overrides=Subquery(
                RiskLimitConfig.objects.filter(strategy_id=strategy_id).values("overrides")[:1],
                output_field=JSONField(),
            )
            if strategy_id
            else none_json,
            peak=Subquery(
                AccountRiskDay.objects.filter(account_id=OuterRef("pk"), trading_day=day).values("peak_equity")[:1]
            ),
            banned=Exists(FnoBan.objects.filter(underlying=underlying, trade_date=day)),
            reducing=Subquery(
                RiskStatus.objects.filter(status_owner, status=RiskStatus.REDUCING, trading_day=day)
                .order_by("strategy_id")
                .values("pk")[:1]
            ),
        )
        .values_list("account_overrides", "strategy_overrides", "peak", "banned", "reducing")
        .first()
    )
    if row is None:
        return AccountDayRead({}, {}, None, False, None)
    account_o, strategy_o, peak, banned, reducing = row
    return AccountDayRead(
        account_overrides=account_o or {},
        strategy_overrides=strategy_o or {},
        peak_equity=None if peak is None else Decimal(peak),
        in_ban=bool(underlying) and bool(banned),
        reducing_status_id=reducing,
    )


def limits_resolved(
    *, account_id: int, strategy: Strategy | None = None, overrides: tuple[dict, dict] | None = None
) -> limits.LimitSet:
    """Catalogue defaults → house defaults → account → the strategy's preset → the strategy's overrides."""
    account_o, strategy_o = overrides or limit_overrides(
        account_id=account_id, strategy_id=strategy.pk if strategy is not None else None
    )
    preset = limits.PRESETS.get(strategy.preset, {}) if strategy is not None else {}
    return limits.resolve(house_defaults(), account_o, preset, strategy_o)


def limits_for_owner(*, user: AbstractBaseUser, account_id: int | None, strategy_id: int | None) -> dict[str, Any]:
    """What `GET /api/v1/risk/limits/` shows: the resolved limits, the overrides stored at this level, the catalogue."""
    account, strategy = owner_objects(user=user, account_id=account_id, strategy_id=strategy_id)
    account_o, strategy_o = limit_overrides(account_id=account.pk, strategy_id=strategy.pk if strategy else None)
    resolved = limits_resolved(account_id=account.pk, strategy=strategy, overrides=(account_o, strategy_o))
    return {
        "account_id": account.pk,
        "strategy_id": strategy.pk if strategy else None,
        "preset": strategy.preset if strategy else None,
        "limits": limits.as_json(resolved),
        "overrides": strategy_o if strategy else account_o,
        "catalogue": catalogue_json(),
    }


def catalogue_json() -> list[dict[str, Any]]:
    return [
        {
            "limit_name": s.key,
            "code": s.code,
            "title": s.title,
            "enabled_by_default": s.enabled,
            "source": s.source,
            "params": [
                {"name": p.name, "kind": p.kind, "default": limits._jsonable(p.default), "help": p.help}
                for p in s.params
            ],
        }
        for s in limits.CATALOGUE
    ]


def owner_objects(
    *, user: AbstractBaseUser, account_id: int | None, strategy_id: int | None
) -> tuple[TradingAccount, Strategy | None]:
    from accounts.selectors import account_resolve

    if strategy_id is not None:
        strategy = Strategy.objects.filter(pk=strategy_id, user=user).select_related("account").first()
        if strategy is None:
            raise errors.RiskStrategyNotFound()
        return strategy.account, strategy
    return account_resolve(user=user, account_id=account_id), None


# --- kill switch ---------------------------------------------------------------------------------------
def _governing(account: Any) -> Q:
    return (
        Q(scope=Scope.ACCOUNT, account_id=account.pk)
        | Q(scope=Scope.USER, user_id=account.user_id)
        | Q(scope=Scope.GLOBAL)
    )


def kill_switches_governing(account: Any) -> list[KillSwitch]:
    """The account's, its owner's and the global switch (those that exist), without a lock (preview, pages)."""
    return list(KillSwitch.objects.filter(_governing(account)))


def engaged_switch(switches: list[KillSwitch]) -> KillSwitch | None:
    engaged = [s for s in switches if s.state in ENGAGED]
    order = {Scope.GLOBAL: 0, Scope.USER: 1, Scope.ACCOUNT: 2}
    return min(engaged, key=lambda s: order[Scope(s.scope)]) if engaged else None


_LOCK_SQL = {
    # Share locks conflict with the engage's FOR UPDATE, never with each other: placements on an account run in
    # parallel, an engage waits for those in flight and the next placements wait for it (then read its state).
    "postgresql": " FOR SHARE",
    "sqlite": "",  # SQLite transactions are IMMEDIATE (settings): the placement already holds the write lock
}


def kill_switch_state_locked(account: Any) -> KillSwitch | None:
    """Inside the placement transaction: the engaged switch governing `account`, or None, read with a share
    lock on the account's, user's and global rows. The rows are created on an account's first order
    (`INSERT … ON CONFLICT DO NOTHING`), so afterwards every placement and every engage meet on a row."""
    from django.db import transaction

    assert transaction.get_connection().in_atomic_block, "read the kill switch inside the placement transaction"
    rows = _locked_rows(account)
    if len(rows) < 3:
        _ensure_rows(account)
        rows = _locked_rows(account)
    return engaged_switch(rows)


def _locked_rows(account: Any) -> list[KillSwitch]:
    suffix = _LOCK_SQL.get(connection.vendor, "")
    table = KillSwitch._meta.db_table
    sql = (
        f"SELECT * FROM {table} WHERE (scope = %s AND account_id = %s) OR (scope = %s AND user_id = %s) "
        f"OR scope = %s{suffix}"
    )
    return list(KillSwitch.objects.raw(sql, [Scope.ACCOUNT, account.pk, Scope.USER, account.user_id, Scope.GLOBAL]))


def _ensure_rows(account: Any) -> None:
    KillSwitch.objects.bulk_create(
        [
            KillSwitch(scope=Scope.ACCOUNT, account_id=account.pk),
            KillSwitch(scope=Scope.USER, user_id=account.user_id),
            KillSwitch(scope=Scope.GLOBAL),
        ],
        ignore_conflicts=True,
    )


def kill_switch_view(*, user: AbstractBaseUser, account: Any | None = None) -> dict[str, Any]:
    """State, who, why, since for the user's account (the engaged switch governing it, else ACTIVE), with every
    switch that governs it."""
    from accounts.selectors import account_resolve

    account = account or account_resolve(user=user)
    switches = kill_switches_governing(account)
    engaged = engaged_switch(switches)
    return {
        "account_id": account.pk,
        "state": engaged.state if engaged else KillState.ACTIVE.value,
        "engaged": engaged is not None,
        "scope": engaged.scope if engaged else None,
        "engaged_by": engaged.engaged_by if engaged else None,
        "actor": engaged.actor if engaged else None,
        "reason": engaged.reason if engaged else None,
        "since": engaged.since if engaged else None,
        "can_release": bool(engaged) and _may_release(engaged, user),
        "switches": [
            {"scope": s.scope, "state": s.state, "reason": s.reason, "since": s.since, "actor": s.actor}
            for s in switches
            if s.scope != Scope.USER or s.user_id == user.pk
        ],
    }


def _may_release(switch: KillSwitch, user: AbstractBaseUser) -> bool:
    from .domain import may_release

    return may_release(
        engaged_by=switch.engaged_by,
        engaged_by_user_id=switch.engaged_by_user_id,
        actor_user_id=user.pk,
        actor_is_staff=bool(user.is_staff),
    )


def engaged_for_user(user: AbstractBaseUser) -> KillSwitch | None:
    """Any engaged switch touching the user (banner on every page): global, theirs, or one of their accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        KillSwitch.objects.filter(state__in=list(ENGAGED))
        .filter(Q(scope=Scope.GLOBAL) | Q(user_id=user.pk) | Q(account__user_id=user.pk))
        .order_by("since")
        .first()
    )


# --- ban list ------------------------------------------------------------------------------------------
def ban_list(day: date | None = None) -> QuerySet[FnoBan]:
    return FnoBan.objects.filter(trade_date=day or timezone.localdate())


# --- equity ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Equity:
    capital: Decimal
    realised_today: Decimal
    unrealised: Decimal

    @property
    def pnl_today(self) -> Decimal:
        return self.realised_today + self.unrealised

    @property
    def equity(self) -> Decimal:
        return self.capital + self.pnl_today


def capital_of(funds: Any) -> Decimal:
    """What the percentage limits are of: the trader's net deposits (opening balance + pay-ins − pay-outs +
    adjustments: no trading result), as the seeds' "account balance"."""
    return Decimal(funds.net_deposits)


def unrealised_of(positions: list[Any], marks: dict[int, Decimal]) -> Decimal:
    total = ZERO
    for p in positions:
        if p.quantity:
            mark = marks.get(p.instrument_token, Decimal(p.last_price or 0)) or Decimal(p.average_price)
            total += (Decimal(mark) - Decimal(p.average_price)) * p.quantity
    return total


def equity_of(
    account: Any, *, positions: list[Any] | None = None, marks: dict | None = None, funds: Any = None
) -> Equity:
    funds = funds if funds is not None else portfolio_selectors.funds_for(account)
    positions = (
        positions if positions is not None else list(portfolio_selectors.positions_for(account=account, open_only=True))
    )
    if marks is None:
        marks = _marks(positions)
    return Equity(capital_of(funds), Decimal(funds.realised_pnl_today), unrealised_of(positions, marks))


def _marks(positions: list[Any], instruments: dict[int, Any] | None = None) -> dict[int, Decimal]:
    """Last prices of the positions' instruments (marketdata's quote source). `instruments`: rows by token the
    caller already holds (the pre-trade context's, read by margin), not read again."""
    from marketdata import lookup
    from marketdata.models import Instrument

    tokens = {p.instrument_token for p in positions if p.quantity}
    if not tokens:
        return {}
    known = instruments or {}
    rows = [known[t] for t in tokens if t in known]
    missing = tokens - known.keys()
    if missing:
        rows.extend(Instrument.objects.filter(instrument_token__in=missing))
    marks: dict[int, Decimal] = {}
    for instrument in rows:
        try:
            ltp = lookup.last_price(instrument, None)
        except Exception:  # noqa: BLE001 - no price: the stored one is used
            ltp = None
        if ltp is not None:
            marks[instrument.instrument_token] = Decimal(ltp)
    return marks


def peak_equity(account_id: int, day: date | None = None) -> Decimal | None:
    row = AccountRiskDay.objects.filter(account_id=account_id, trading_day=day or timezone.localdate()).first()
    return Decimal(row.peak_equity) if row else None


# --- Greeks -----------------------------------------------------------------------------------------------
def net_greeks_inr(
    legs: list[tuple[Any, int]], at: Any = None, quotes: dict[int, Any] | None = None
) -> tuple[Decimal, Decimal]:
    """(net delta ₹, net vega ₹ per vol point) of (instrument, signed units) legs, Black-76 (risk/greeks.py) with
    the implied volatility of each option's mid and the underlying's spot as the forward (no carry: an
    approximation within the month's cost of carry). Legs without a price count zero."""
    from datetime import datetime, time

    from marketdata import lookup
    from marketdata import selectors as md

    from . import greeks

    at = at or timezone.now()
    known = quotes or {}

    def quote(inst: Any) -> Any:
        return known[inst.instrument_token] if inst.instrument_token in known else lookup.quote(inst, at)

    delta = vega = 0.0
    spots: dict[str, float] = {}
    for inst, qty in legs:
        if not qty:
            continue
        kind = inst.instrument_type
        if kind not in ("CE", "PE", "FUT"):
            ltp = lookup.last_price(inst, at)
            delta += float(ltp or 0) * qty
            continue
        if inst.name not in spots:
            try:
                spots[inst.name] = float(md.spot_for(inst.name, at))
            except Exception:  # noqa: BLE001 - an underlying without a spot: priced off the leg itself
                spots[inst.name] = 0.0
        forward = spots[inst.name]
        if kind == "FUT":
            q = quote(inst)
            delta += float(q.last_price if q is not None else forward) * qty
            continue
        q = quote(inst)
        if q is None or not forward or inst.expiry is None or inst.strike is None:
            continue
        expiry = datetime.combine(inst.expiry, time(10, 0), tzinfo=UTC)  # 15:30 IST
        years = max((expiry - at).total_seconds(), 0.0) / (365.0 * 86400)
        bid = q.buy_depth[0].price if q.buy_depth else None
        ask = q.sell_depth[0].price if q.sell_depth else None
        iv = greeks.implied_volatility_from_mid(bid, ask, kind == "CE", forward, float(inst.strike), years, 0.0)
        if iv.vol is None:
            continue
        g = greeks.position_greeks(
            greeks.PositionInput(
                kind=kind, quantity=qty, forward=forward, years=years, vol=iv.vol, strike=float(inst.strike)
            )
        )
        delta += g.delta_inr
        vega += g.vega_inr
    return Decimal(str(round(delta, 2))), Decimal(str(round(vega, 2)))


# --- summary and events ---------------------------------------------------------------------------------
def risk_summary(*, user: AbstractBaseUser, account_id: int | None = None) -> dict[str, Any]:
    """Account and strategies: P&L today, drawdown from the day's peak, each limit with value and headroom,
    margin utilisation where the margin engine provides it, the kill switch."""
    from accounts.selectors import account_resolve

    account = account_resolve(user=user, account_id=account_id)
    funds = portfolio_selectors.funds_for(account)
    positions = list(portfolio_selectors.positions_for(account=account, open_only=True))
    marks = _marks(positions)
    eq = equity_of(account, positions=positions, marks=marks, funds=funds)
    peak = max(peak_equity(account.pk) or ZERO, eq.capital, eq.equity)
    margin = margin_snapshot(account)
    facts = limits.OrderFacts(
        side="BUY",
        quantity=0,
        product="",
        order_type="",
        price=None,
        ltp=None,
        open_instruments=len({p.instrument_token for p in positions if p.quantity}),
        capital=eq.capital,
        pnl_today=eq.pnl_today,
        peak_equity=peak,
        margin_used=margin.get("used"),
        margin_available=margin.get("total"),
    )
    resolved = limits_resolved(account_id=account.pk)
    strategies = []
    for s in Strategy.objects.filter(account=account, user=user).order_by("id"):
        mine = [p for p in positions if p.strategy_id == s.pk]
        realised = sum((Decimal(p.realized_pnl) for p in Position_today(account, s)), ZERO)
        unreal = unrealised_of(mine, marks)
        s_limits = limits_resolved(account_id=account.pk, strategy=s)
        cap = s_limits["daily_loss"]["max_loss_per_strategy_abs"]
        if eq.capital > 0:
            cap = min(cap, (eq.capital * Decimal(s.max_loss_per_strategy_pct) / 100).quantize(Decimal("0.01")))
        loss = max(ZERO, -(realised + unreal))
        strategies.append(
            {
                "strategy_id": s.pk,
                "name": s.name,
                "preset": s.preset,
                "pnl_today": _q(realised + unreal),
                "open_positions": sum(1 for p in mine if p.quantity),
                "loss_limit": _q(cap),
                "loss_headroom": _q(cap - loss),
                "stop_loss_required": s_limits["stop_loss_required"].enabled,
            }
        )
    drawdown = peak - eq.equity
    return {
        "account_id": account.pk,
        "capital": _q(eq.capital),
        "realised_pnl_today": _q(eq.realised_today),
        "unrealised_pnl": _q(eq.unrealised),
        "pnl_today": _q(eq.pnl_today),
        "equity": _q(eq.equity),
        "peak_equity": _q(peak),
        "drawdown": _q(drawdown),
        "drawdown_pct": _q(drawdown * 100 / peak) if peak > 0 else _q(ZERO),
        "margin": margin,
        "limits": limits.account_headroom(resolved, facts),
        "strategies": strategies,
        "kill_switch": kill_switch_view(user=user, account=account),
    }


def Position_today(account: Any, strategy: Strategy) -> list[Any]:  # noqa: N802 - reads like the model
    """The strategy's positions touched today (their realised P&L is today's for intraday books)."""
    from portfolio.models import Position

    return list(Position.objects.filter(account=account, strategy=strategy, trading_day=timezone.localdate()))


def margin_snapshot(account: Any) -> dict[str, Any]:
    """Used / total margin from margin.selectors.account_margin when the margin engine provides it, else {}."""
    try:
        from margin import selectors as margin_selectors
    except ImportError:  # pragma: no cover
        return {}
    fn = getattr(margin_selectors, "account_margin", None)
    if fn is None:
        return {}
    try:
        m = fn(account)
    except Exception:  # noqa: BLE001 - the summary shows what it can
        return {}
    out: dict[str, Any] = {"used": Decimal(m.used)}
    if m.funds is not None:
        out["total"] = Decimal(m.funds)
    if m.utilisation_pct is not None:
        out["utilisation_pct"] = Decimal(m.utilisation_pct)
    out["level"] = m.level
    return out


def _attr(obj: Any, *names: str) -> Any:
    for n in names:
        v = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if v is not None:
            return v
    return None


def _q(v: Decimal) -> Decimal:
    return Decimal(v).quantize(Decimal("0.01"))


def risk_events_for(*, user: AbstractBaseUser, account_id: int | None = None) -> QuerySet[RiskEvent]:
    qs = RiskEvent.objects.filter(user=user)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-created_at", "-id")
