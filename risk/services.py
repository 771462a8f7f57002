"""Risk writes: the kill switch (engage, halt, give up, release; every change audited), limit overrides, the
F&O ban list, the day's equity peak and the automatic engage on a daily-loss or drawdown breach.

Each service owns its transaction; events (risk/events.py) and alerts fire on commit. The cancel/square-off
work after an engage is the order core's (orders/services/square_off.py, subscribed to
`risk.kill_switch_engaged` in orders/apps.py): risk sits below orders and never imports it."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.models import TradingAccount
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project.lib import events

from . import errors, limits, selectors
from .domain import ENGAGED, EngagedBy, KillAction, KillState, Scope
from .events import KillSwitchEngaged, KillSwitchReleased
from .models import AccountRiskDay, FnoBan, KillSwitch, KillSwitchEvent, RiskEvent, RiskLimitConfig

logger = logging.getLogger(__name__)

REASON_MAX = 500


def _switch_row(scope: Scope, *, account: TradingAccount | None = None, user_id: int | None = None) -> KillSwitch:
    """The switch row, created if missing, locked FOR UPDATE (waits for placements holding its share lock)."""
    if scope == Scope.ACCOUNT:
        lookup: dict[str, Any] = {"scope": scope, "account_id": account.pk}
    elif scope == Scope.USER:
        lookup = {"scope": scope, "user_id": user_id}
    else:
        lookup = {"scope": scope}
    KillSwitch.objects.bulk_create([KillSwitch(**lookup)], ignore_conflicts=True)
    return KillSwitch.objects.select_for_update().get(**lookup)


def _accounts_of(switch: KillSwitch) -> list[TradingAccount]:
    if switch.scope == Scope.ACCOUNT:
        return [switch.account]
    qs = TradingAccount.objects.filter(is_active=True)
    if switch.scope == Scope.USER:
        qs = qs.filter(user_id=switch.user_id)
    return list(qs.order_by("id"))


def _audit(switch: KillSwitch, action: KillAction, *, actor: str, reason: str = "", **details: Any) -> None:
    KillSwitchEvent.objects.create(
        switch=switch,
        action=action,
        state_after=switch.state,
        actor=actor,
        reason=reason[:REASON_MAX],
        details={k: v for k, v in details.items()},
    )


def _risk_event(user_id: int, account_id: int | None, kind: str, code: str, message: str, **details: Any) -> None:
    RiskEvent.objects.create(
        user_id=user_id, account_id=account_id, kind=kind, code=code, message=message[:500], details=details
    )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.KillSwitchReasonRequired()
    return reason[:REASON_MAX]


def kill_switch_engage(
    *,
    user: AbstractBaseUser | None,
    reason: str,
    scope: str = Scope.ACCOUNT,
    account_id: int | None = None,
    by: str = EngagedBy.USER,
    actor: str = "",
) -> KillSwitch:
    """Engage a kill switch (REDUCING) for one of `user`'s accounts, all their accounts (USER) or everyone
    (GLOBAL, staff only). Returns after the commit: from then on every placement governed by it refuses orders
    that do not reduce a position, and the order core's subscriber has cancelled the open orders and squared
    the positions off (then HALTED). Engaging an engaged switch changes nothing (idempotent). `user=None` is
    the system (an automatic engage on a breach: `account_id` names the account)."""
    from accounts.selectors import account_resolve

    scope = Scope(scope)
    if scope == Scope.GLOBAL and by != EngagedBy.AUTO and (user is None or not user.is_staff):
        raise errors.KillSwitchForbidden("Only ops (staff) may engage the global kill switch.")
    account = None
    if scope == Scope.ACCOUNT:
        account = (
            account_resolve(user=user, account_id=account_id)
            if user is not None
            else TradingAccount.objects.get(pk=account_id)
        )
    if scope == Scope.GLOBAL and by == EngagedBy.USER:
        by = EngagedBy.OPS
    return _engage(
        scope,
        account=account,
        owner_id=user.pk if scope == Scope.USER else None,
        by=by,
        engaged_by_user=user if by != EngagedBy.AUTO else None,
        actor=actor or (f"user:{user.pk}" if user is not None else "system"),
        reason=reason,
    )


def kill_switch_engage_ops(*, switch_id: int, ops_user: AbstractBaseUser, reason: str) -> KillSwitch:
    """Ops (admin) engages an existing switch row of any scope."""
    switch = KillSwitch.objects.select_related("account").get(pk=switch_id)
    return _engage(
        Scope(switch.scope),
        account=switch.account,
        owner_id=switch.user_id,
        by=EngagedBy.OPS,
        engaged_by_user=ops_user,
        actor=f"ops:{ops_user.pk}",
        reason=reason,
    )


def _engage(
    scope: Scope,
    *,
    account: TradingAccount | None,
    owner_id: int | None,
    by: str,
    engaged_by_user: Any,
    actor: str,
    reason: str,
) -> KillSwitch:
    reason = _clean_reason(reason)
    with transaction.atomic():
        switch = _switch_row(scope, account=account, user_id=owner_id)
        if switch.state in ENGAGED:
            return switch
        switch.state = KillState.REDUCING
        switch.engaged_by = by
        switch.engaged_by_user = engaged_by_user
        switch.actor = actor
        switch.reason = reason
        switch.since = timezone.now()
        switch.attempts = 0
        switch.save()
        accounts = _accounts_of(switch)
        _audit(switch, KillAction.ENGAGE, actor=actor, reason=reason, by=str(by), accounts=[a.pk for a in accounts])
        owners = sorted({a.user_id for a in accounts} | ({owner_id} if owner_id else set()))
        for uid in owners:
            _risk_event(
                uid,
                account.pk if account else None,
                "KILL_SWITCH_ENGAGED",
                "KILL_SWITCH_ENGAGED",
                f"{scope.title()} kill switch engaged by {actor}: {reason}",
                scope=str(scope),
            )
            alert_raise(
                user=_user(uid),
                type=AlertType.KILL_SWITCH,
                level=AlertLevel.CRITICAL,
                message=f"Kill switch engaged ({scope.lower()}): {reason}. Open orders are being cancelled and "
                "positions squared off.",
                payload={"scope": str(scope), "state": switch.state, "account_ids": [a.pk for a in accounts]},
            )
        events.publish(
            KillSwitchEngaged(
                switch_id=switch.pk,
                scope=str(scope),
                account_ids=tuple(a.pk for a in accounts),
                reason=reason,
                actor=actor,
            )
        )
    switch.refresh_from_db()  # the square-off ran on commit: REDUCING → HALTED when it is flat
    return switch


def _user(user_id: int) -> AbstractBaseUser:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id)


def kill_switch_release(
    *, user: AbstractBaseUser, reason: str, scope: str = Scope.ACCOUNT, account_id: int | None = None
) -> KillSwitch:
    """Back to ACTIVE, by the user who engaged it or by ops (staff) for an automatic or ops engagement."""
    from accounts.selectors import account_resolve

    scope = Scope(scope)
    if scope == Scope.ACCOUNT:
        lookup: dict[str, Any] = {"scope": scope, "account": account_resolve(user=user, account_id=account_id)}
    elif scope == Scope.USER:
        lookup = {"scope": scope, "user": user}
    else:
        lookup = {"scope": scope}
    switch = KillSwitch.objects.filter(**lookup).first()
    if switch is None:
        raise errors.KillSwitchNotEngaged()
    return kill_switch_release_switch(switch_id=switch.pk, user=user, reason=reason)


def kill_switch_release_switch(*, switch_id: int, user: AbstractBaseUser, reason: str) -> KillSwitch:
    from .domain import may_release

    reason = _clean_reason(reason)
    with transaction.atomic():
        switch = KillSwitch.objects.select_for_update().get(pk=switch_id)
        if switch.state not in ENGAGED:
            raise errors.KillSwitchNotEngaged()
        if not may_release(
            engaged_by=switch.engaged_by,
            engaged_by_user_id=switch.engaged_by_user_id,
            actor_user_id=user.pk,
            actor_is_staff=bool(user.is_staff),
        ):
            raise errors.KillSwitchForbidden(
                "Only the user who engaged this kill switch may release it; an automatic or ops engagement is "
                "released by ops.",
                details={"engaged_by": switch.engaged_by},
            )
        accounts = _accounts_of(switch)
        before = switch.state
        switch.state = KillState.ACTIVE
        switch.actor = f"user:{user.pk}"
        switch.reason = reason
        switch.since = timezone.now()
        switch.save()
        _audit(switch, KillAction.RELEASE, actor=f"user:{user.pk}", reason=reason, state_before=before)
        for uid in sorted({a.user_id for a in accounts} | ({switch.user_id} if switch.user_id else set())):
            _risk_event(
                uid,
                switch.account_id,
                "KILL_SWITCH_RELEASED",
                "KILL_SWITCH_RELEASED",
                f"{switch.scope.title()} kill switch released by {user.get_username()}: {reason}",
                scope=switch.scope,
            )
        events.publish(
            KillSwitchReleased(
                switch_id=switch.pk,
                scope=switch.scope,
                account_ids=tuple(a.pk for a in accounts),
                reason=reason,
                actor=f"user:{user.pk}",
            )
        )
    return switch


def kill_switch_square_off_result(
    *, switch_id: int, flat: bool, attempt: int, max_attempts: int, summary: dict
) -> bool:
    """The order core's square-off reports each attempt: flat → HALTED; attempts exhausted → HALTED with an
    URGENT alert (a person must look); otherwise the switch stays REDUCING for the next attempt. Returns whether
    the switch is still engaged: False when it was released meanwhile (from REDUCING), and the order core then
    makes no further attempt."""
    with transaction.atomic():
        switch = KillSwitch.objects.select_for_update().get(pk=switch_id)
        if switch.state not in ENGAGED:
            return False  # released meanwhile
        switch.attempts = attempt
        _audit(switch, KillAction.SQUARE_OFF, actor="system", reason=f"attempt {attempt}", flat=flat, **summary)
        if flat or attempt >= max_attempts:
            switch.state = KillState.HALTED
            switch.save()
            _audit(
                switch,
                KillAction.HALT if flat else KillAction.GAVE_UP,
                actor="system",
                reason="flat" if flat else f"not flat after {attempt} attempts",
            )
            for account in _accounts_of(switch):
                if not flat and summary.get("open", {}).get(str(account.pk)):
                    alert_raise(
                        user=account.user,
                        type=AlertType.KILL_SWITCH,
                        level=AlertLevel.URGENT,
                        message=f"Kill switch: {account.name} is not flat after {attempt} square-off attempts. "
                        "Check the open positions and orders at the broker now.",
                        payload={"account_id": account.pk, "open": summary["open"][str(account.pk)]},
                    )
                    _risk_event(
                        account.user_id,
                        account.pk,
                        "SQUARE_OFF_FAILED",
                        "KILL_SWITCH_NOT_FLAT",
                        f"Not flat after {attempt} attempts",
                        **summary,
                    )
        else:
            switch.save()
    return True


# --- limits ------------------------------------------------------------------------------------------------
def limits_update(
    *,
    user: AbstractBaseUser,
    overrides: Any,
    account_id: int | None = None,
    strategy_id: int | None = None,
    replace: bool = False,
) -> RiskLimitConfig:
    """Store limit overrides for one of the user's accounts or strategies (merged into the stored ones unless
    `replace`). Unknown limits or parameters, and values of the wrong type, are refused (RISK_LIMITS_INVALID)."""
    try:
        clean = limits.validate_overrides(overrides)
    except ValueError as exc:
        raise errors.RiskLimitsInvalid(str(exc)) from None
    account, strategy = selectors.owner_objects(user=user, account_id=account_id, strategy_id=strategy_id)
    with transaction.atomic():
        lookup = {"strategy": strategy} if strategy is not None else {"account": account}
        row, _ = RiskLimitConfig.objects.select_for_update().get_or_create(**lookup)
        merged = {} if replace else {k: dict(v) for k, v in (row.overrides or {}).items()}
        for key, body in clean.items():
            merged.setdefault(key, {}).update({k: _stored(v) for k, v in body.items()})
        row.overrides = merged
        row.updated_by = f"user:{user.pk}"
        row.save()
        _risk_event(
            user.pk,
            account.pk,
            "LIMITS_CHANGED",
            "",
            f"Risk limits changed ({', '.join(clean) or 'reset'})",
            strategy_id=strategy.pk if strategy else None,
            changes={k: {n: limits._jsonable(x) for n, x in v.items()} for k, v in clean.items()},
        )
    return row


def _stored(v: Any) -> Any:
    """Decimals as their shortest exact text ("4.00" from the API's price field is stored as "4")."""
    if isinstance(v, Decimal):
        text = format(v.normalize(), "f")
        return text
    return v


# --- ban list ------------------------------------------------------------------------------------------------
def ban_list_set(*, day: date, underlyings: list[str], source: str = "", actor: str = "ops") -> int:
    """Replace the day's F&O ban list (a daily task or an ops user): returns how many are banned."""
    names = sorted({u.strip().upper() for u in underlyings if u and u.strip()})
    with transaction.atomic():
        FnoBan.objects.filter(trade_date=day).exclude(underlying__in=names).delete()
        FnoBan.objects.bulk_create(
            [FnoBan(underlying=n, trade_date=day, source=source, added_by=actor) for n in names],
            ignore_conflicts=True,
        )
    return len(names)


# --- the day's peak and the automatic engage -------------------------------------------------------------------
def equity_observe(*, account_id: int) -> None:
    """Raise the day's peak equity to the current one and, when the daily-loss or drawdown limit is breached,
    engage the account's kill switch automatically (subscribers of portfolio events call this after commit)."""
    account = TradingAccount.objects.filter(pk=account_id).select_related("user").first()
    if account is None:
        return
    resolved = selectors.limits_resolved(account_id=account.pk)
    eq = selectors.equity_of(account)
    today = timezone.localdate()
    with transaction.atomic():
        AccountRiskDay.objects.bulk_create(
            [AccountRiskDay(account=account, trading_day=today, peak_equity=max(eq.equity, eq.capital))],
            ignore_conflicts=True,
        )
        day = AccountRiskDay.objects.select_for_update().get(account=account, trading_day=today)
        if eq.equity > day.peak_equity:
            day.peak_equity = eq.equity.quantize(Decimal("0.01"))
            day.save(update_fields=["peak_equity", "updated_at"])
        peak = Decimal(day.peak_equity)
    facts = limits.OrderFacts(
        side="BUY",
        quantity=0,
        product="",
        order_type="",
        price=None,
        ltp=None,
        capital=eq.capital,
        pnl_today=eq.pnl_today,
        peak_equity=peak,
    )
    breach = None
    for key in ("daily_loss", "drawdown"):
        limit = resolved[key]
        if limit.enabled:
            breach = breach or limits.CHECKS[key](limit, facts)
    if breach is None:
        return
    engaged = selectors.engaged_switch(selectors.kill_switches_governing(account))
    if engaged is not None:
        return
    _risk_event(account.user_id, account.pk, "LIMIT_BREACH", breach.code, breach.message, **breach.details())
    alert_raise(
        user=account.user,
        type=AlertType.RISK_BREACH,
        level=AlertLevel.CRITICAL,
        message=breach.message,
        payload={"account_id": account.pk, "code": breach.code, **breach.details()},
    )
    kill_switch_engage(
        user=None,
        reason=f"automatic: {breach.code} ({breach.message})",
        scope=Scope.ACCOUNT,
        account_id=account.pk,
        by=EngagedBy.AUTO,
        actor="system:risk",
    )


def on_portfolio_event(event: Any) -> None:
    try:
        equity_observe(account_id=event.account_id)
    except Exception:  # noqa: BLE001 - a subscriber never undoes the publisher's commit
        logger.exception("risk: equity_observe failed for account %s", getattr(event, "account_id", None))


# --- the monitor's REDUCING status and the per-position guards (the strategy risk dashboard) ---------------------
GUARD_MAX_INR = Decimal("10000000000")  # the API's price ceiling
GUARD_MAX_HOURS = Decimal("9999.99")  # the column's


def risk_status_release(
    *, user: AbstractBaseUser, reason: str, account_id: int | None = None, strategy_id: int | None = None
) -> Any:
    """Back to ACTIVE: the live monitor's REDUCING status of one of the user's strategies (strategy_id) or of the
    account (account_id), with a reason; audited as a RiskEvent. The monitor's alert memory of the day is kept,
    so the same breach does not set it again at the same level (it does at a higher one). Another user's
    strategy is not found (RISK_STRATEGY_NOT_FOUND); a status that is not REDUCING today is refused
    (RISK_STATUS_NOT_REDUCING)."""
    from .models import RiskStatus
    from .monitor_errors import RiskStatusNotReducing

    reason = _clean_reason(reason)
    account, strategy = selectors.owner_objects(user=user, account_id=account_id, strategy_id=strategy_id)
    lookup = {"strategy": strategy} if strategy is not None else {"account": account, "strategy__isnull": True}
    with transaction.atomic():
        row = RiskStatus.objects.select_for_update().filter(**lookup).first()
        if row is None or row.status != RiskStatus.REDUCING or row.trading_day != timezone.localdate():
            raise RiskStatusNotReducing()
        before_code = row.code
        row.status, row.code, row.reason, row.since = RiskStatus.ACTIVE, "", reason, timezone.now()
        row.save(update_fields=["status", "code", "reason", "since", "updated_at"])
        what = f"strategy {strategy.name}" if strategy is not None else f"account {account.name}"
        _risk_event(
            user.pk,
            account.pk,
            "RISK_STATUS_RELEASED",
            before_code,
            f"REDUCING of {what} released by {user.get_username()}: {reason}",
            strategy_id=strategy.pk if strategy is not None else None,
            actor=f"user:{user.pk}",
        )
    return row


def _guard_amount(name: str, raw: Any, ceiling: Decimal) -> Decimal | None:
    from decimal import InvalidOperation

    from .monitor_errors import PositionGuardsInvalid

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None  # this guard off
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise PositionGuardsInvalid(f"{name} must be a number.", details={"field": name}) from None
    if not value.is_finite() or value < 0 or value > ceiling:
        raise PositionGuardsInvalid(
            f"{name} must be 0 (off) or above 0 and at most {ceiling}.", details={"field": name, "value": str(raw)}
        )
    value = value.quantize(Decimal("0.01"))
    return value if value > 0 else None  # 0: this guard off


def position_guards_update(
    *,
    user: AbstractBaseUser,
    strategy_id: int,
    enabled: bool,
    target_pnl: Any,
    stop_loss_pnl: Any,
    timeout_hours: Any,
    auto_close_on_target: bool,
    auto_close_on_stop: bool,
    auto_close_on_timeout: bool,
) -> Any:
    """Store a strategy's per-position guards (the monitor reads them on the next tick batch): a target and a stop
    in ₹ of P&L per position (the stop as a loss: 1000 means −₹1,000), a timeout in hours, each blank or 0 for off,
    and whether each closes the position (as the system, through the pipeline) or only alerts. Values that are
    negative or not numbers are refused (RISK_GUARDS_INVALID); another user's strategy is not found."""
    from .models import PositionGuardConfig

    _, strategy = selectors.owner_objects(user=user, account_id=None, strategy_id=strategy_id)
    fields = {
        "enabled": bool(enabled),
        "target_pnl": _guard_amount("target_pnl", target_pnl, GUARD_MAX_INR),
        "stop_loss_pnl": _guard_amount("stop_loss_pnl", stop_loss_pnl, GUARD_MAX_INR),
        "timeout_hours": _guard_amount("timeout_hours", timeout_hours, GUARD_MAX_HOURS),
        "auto_close_on_target": bool(auto_close_on_target),
        "auto_close_on_stop": bool(auto_close_on_stop),
        "auto_close_on_timeout": bool(auto_close_on_timeout),
    }
    with transaction.atomic():
        row, _ = PositionGuardConfig.objects.update_or_create(strategy=strategy, defaults=fields)
        _risk_event(
            user.pk,
            strategy.account_id,
            "GUARDS_CHANGED",
            "",
            f"Position guards of strategy {strategy.name} changed",
            strategy_id=strategy.pk,
            changes={k: limits._jsonable(v) for k, v in fields.items()},
        )
    return row
