"""Margin monitoring (writes): snapshots, MARGIN_CHANGE / MARGIN_WARNING alerts, margin calls.

- `snapshot_take(account, trigger=, key=)`: reads the account's margin (`margin.selectors.account_margin`),
  stores one `MarginSnapshot` per (account, key) — a re-run or a re-delivered event stores nothing
  twice — and, in the same transaction with the account row locked, applies the rules of
  `margin.monitoring_rules`: MARGIN_CHANGE, MARGIN_WARNING (with `utilization_pct`), and opening or
  resolving the account's margin call. Alerts are stored with the snapshot and pushed on commit.
- `snapshots_due(now)`: the 5-minute beat task's body; only while the exchange session is open
  (marketdata's calendar: weekends, holidays and the hours outside 09:15-15:30 IST take none).
- Margin calls: an URGENT MARGIN_CALL alert with the actions add funds / reduce / square off; the
  call resolves itself when a snapshot shows no shortfall; `margin_calls_expire_due(now)` (beat,
  every minute) publishes `margin.call_expired` for a call still short after its grace when the
  account's policy squares off, and the order core squares the account off as the system.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import TradingAccount
from alerts.services import alert_raise
from alerts.types import EXPIRED_ACTION, AlertAction, AlertLevel, AlertType
from marketdata import calendar
from oms_project.lib import events
from oms_project.lib.formatting import inr
from portfolio import selectors as portfolio_selectors

from . import monitoring_rules as rules
from .events import MarginCallExpired, MarginCallSquareOffRequested
from .monitoring_models import MarginCall, MarginCallPolicy, MarginSnapshot

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
SYSTEM_ACTOR = "system:margin-call"
SNAPSHOT_SLOT_MINUTES = 5
MARGIN_CALL_ACTIONS = [str(AlertAction.ADD_FUNDS), str(AlertAction.REDUCE_POSITIONS), str(AlertAction.SQUARE_OFF)]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def warning_pct() -> Decimal:
    return Decimal(str(_setting("MARGIN_WARNING_PCT", "90")))


def change_threshold_pct() -> Decimal:
    return Decimal(str(_setting("MARGIN_CHANGE_ALERT_PCT", "10")))


def rearm_gap_pct() -> Decimal:
    return Decimal(str(_setting("MARGIN_WARNING_REARM_GAP_PCT", "5")))


def default_grace() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(_setting("MARGIN_CALL_GRACE_MINUTES", 30)))


# --- the figures ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Figures:
    """One account's margin as the monitor stores it (money in rupees, to the paisa)."""

    span: Decimal
    exposure: Decimal
    option_premium: Decimal
    var: Decimal
    additional: Decimal  # Kite's "additional" component
    exchange_total: Decimal
    buffer: Decimal  # the OMS buffer, apart from the exchange figure
    total_required: Decimal
    funds_known: bool
    capital: Decimal
    available: Decimal
    utilisation_pct: Decimal
    level: str
    factors: list[list[str]] = field(default_factory=list)
    positions_key: str = ""
    source: str = ""

    @property
    def reading(self) -> rules.Reading:
        return rules.Reading(self.total_required, self.capital, self.utilisation_pct, self.positions_key)


def _d(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(CENT, ROUND_HALF_UP)


def account_figures(account: TradingAccount, *, at: datetime.datetime | None = None) -> Figures:
    """The account's margin from the engine (`margin.selectors.account_margin`), as stored figures."""
    from . import selectors

    m = selectors.account_margin(account, at=at)
    positions = portfolio_selectors.positions_for(account=account, open_only=True)
    key = rules.positions_key((p.instrument_token, p.product, p.quantity) for p in positions)
    total = _d(m.total_blocked)
    known = m.funds is not None
    capital = _d(m.funds) if known else ZERO
    return Figures(
        span=_d(m.span),
        exposure=_d(m.exposure),
        option_premium=_d(m.option_premium),
        var=_d(m.var),
        additional=_d(m.additional),
        exchange_total=_d(m.exchange_total),
        buffer=_d(m.buffer),
        total_required=total,
        funds_known=known,
        capital=capital,
        available=_d(m.available) if known else ZERO,
        utilisation_pct=_d(m.utilisation_pct) if known else ZERO,
        level=m.level,
        factors=[[str(name), str(factor), str(reason)] for name, factor, reason in m.buffer_factors],
        positions_key=key,
        source=str(m.source or "")[:40],
    )


# --- snapshots -----------------------------------------------------------------------------------
def slot_key(now: datetime.datetime) -> str:
    local = timezone.localtime(now, calendar.IST)
    minute = local.minute - local.minute % SNAPSHOT_SLOT_MINUTES
    return f"slot:{local:%Y-%m-%dT%H}:{minute:02d}"


def snapshot_take(
    account: TradingAccount, *, trigger: str, key: str, now: datetime.datetime | None = None
) -> MarginSnapshot | None:
    """Store the account's margin under `key` (once) and act on it. None when `key` was already taken."""
    now = now or timezone.now()
    if MarginSnapshot.objects.filter(account_id=account.pk, key=key).exists():
        return None
    figures = account_figures(account, at=now)
    try:
        with transaction.atomic():
            TradingAccount.objects.select_for_update().filter(pk=account.pk).first()  # one evaluator per account
            previous = MarginSnapshot.objects.filter(account_id=account.pk).order_by("-taken_at", "-id").first()
            snap = MarginSnapshot.objects.create(
                account_id=account.pk,
                user_id=account.user_id,
                taken_at=now,
                trigger=trigger,
                key=key[:64],
                span=figures.span,
                exposure=figures.exposure,
                option_premium=figures.option_premium,
                var=figures.var,
                additional=figures.additional,
                exchange_total=figures.exchange_total,
                buffer=figures.buffer,
                total_required=figures.total_required,
                funds_known=figures.funds_known,
                capital=figures.capital,
                available=figures.available,
                utilisation_pct=figures.utilisation_pct,
                level=figures.level,
                factors=figures.factors,
                positions_key=figures.positions_key,
                source=figures.source,
            )
            _evaluate(account, snap, previous, figures, now)
    except IntegrityError:  # the same key, taken by another process meanwhile
        return None
    return snap


def _reading(snap: MarginSnapshot | None) -> rules.Reading | None:
    if snap is None:
        return None
    return rules.Reading(snap.total_required, snap.capital, snap.utilisation_pct, snap.positions_key)


def _payload(snap: MarginSnapshot, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": snap.account_id,
        "snapshot_id": snap.pk,
        "utilization_pct": str(snap.utilisation_pct),
        "level": snap.level,
        "required": str(snap.total_required),
        "exchange_margin": str(snap.exchange_total),
        "buffer": str(snap.buffer),
        "capital": str(snap.capital),
        "available": str(snap.available),
        "factors": snap.factors,
        **extra,
    }


def _evaluate(
    account: TradingAccount,
    snap: MarginSnapshot,
    previous: MarginSnapshot | None,
    figures: Figures,
    now: datetime.datetime,
) -> None:
    user = account.user
    links = {"account_id": account.pk}
    moved = rules.margin_change(_reading(previous), figures.reading, threshold_pct=change_threshold_pct())
    if moved is not None and previous is not None:
        direction = "up" if moved > 0 else "down"
        alert_raise(
            user=user,
            type=AlertType.MARGIN_CHANGE,
            level=AlertLevel.WARNING if moved > 0 else AlertLevel.INFO,
            title=f"Margin {direction} {abs(moved)}%",
            message=(
                f"{account.name}: required margin on the same positions went {direction} {abs(moved)}%, "
                f"from {inr(previous.total_required)} to {inr(snap.total_required)}"
                + (f" ({', '.join(f[2] for f in snap.factors)})" if snap.factors else "")
                + "."
            ),
            payload=_payload(snap, change_pct=str(moved), previous_required=str(previous.total_required)),
            links=links,
        )
    if not snap.funds_known:
        return  # a broker account whose cash the broker holds: the broker judges utilisation and calls
    marker = (
        MarginSnapshot.objects.filter(account_id=account.pk)
        .exclude(pk=snap.pk)
        .filter(_marker_q())
        .order_by("-taken_at", "-id")
        .values_list("warned", flat=True)
        .first()
    )
    if rules.warning_due(figures.reading, warning_pct=warning_pct(), last_marker_warned=marker):
        alert_raise(
            user=user,
            type=AlertType.MARGIN_WARNING,
            level=AlertLevel.WARNING if snap.shortfall == 0 else AlertLevel.CRITICAL,
            title=f"Margin utilisation {snap.utilisation_pct}%",
            message=(
                f"{account.name} uses {snap.utilisation_pct}% of its capital as margin "
                f"({inr(snap.total_required)} of {inr(snap.capital)}). Consider adding funds or reducing positions."
            ),
            payload=_payload(snap),
            links=links,
            actions=[str(AlertAction.ADD_FUNDS)],
            expires_in=datetime.timedelta(hours=1),
        )
        snap.warned = True
        snap.save(update_fields=["warned"])
    _margin_call_evaluate(account, snap, now)


def _marker_q() -> Any:
    from django.db.models import Q

    return Q(warned=True) | Q(utilisation_pct__lt=warning_pct() - rearm_gap_pct())


# --- margin calls --------------------------------------------------------------------------------
def policy_for(account: TradingAccount) -> tuple[bool, datetime.timedelta]:
    policy = MarginCallPolicy.objects.filter(account_id=account.pk).first()
    grace = default_grace()
    if policy is None:
        return False, grace
    if policy.grace_minutes is not None:
        grace = datetime.timedelta(minutes=policy.grace_minutes)
    return policy.auto_square_off, grace


def policy_update(*, account: TradingAccount, auto_square_off: bool, grace_minutes: int | None) -> MarginCallPolicy:
    with transaction.atomic():
        policy, _ = MarginCallPolicy.objects.select_for_update().get_or_create(account_id=account.pk)
        policy.auto_square_off = auto_square_off
        policy.grace_minutes = grace_minutes
        policy.save()
    return policy


def _open_call(account_id: int) -> MarginCall | None:
    return (
        MarginCall.objects.select_for_update()
        .filter(account_id=account_id, status__in=[MarginCall.Status.OPEN, MarginCall.Status.SQUARING_OFF])
        .first()
    )


def _margin_call_evaluate(account: TradingAccount, snap: MarginSnapshot, now: datetime.datetime) -> None:
    call = _open_call(account.pk)
    shortfall = snap.shortfall
    if call is None and shortfall > 0:
        auto, grace = policy_for(account)
        call = MarginCall.objects.create(
            account_id=account.pk,
            user_id=account.user_id,
            required=snap.total_required,
            capital=snap.capital,
            shortfall=shortfall,
            last_shortfall=shortfall,
            opened_at=now,
            grace_until=now + grace,
            auto_square_off=auto,
            snapshot=snap,
        )
        local_deadline = timezone.localtime(call.grace_until, calendar.IST)
        then = (
            f" If it is still short at {local_deadline:%H:%M} IST, the OMS squares the account off."
            if auto
            else " Positions are not squared off automatically on this account."
        )
        alert = alert_raise(
            user=account.user,
            type=AlertType.MARGIN_CALL,
            level=AlertLevel.URGENT,
            title=f"Margin call: short {inr(shortfall)}",
            message=(
                f"{account.name} needs {inr(snap.total_required)} of margin and has {inr(snap.capital)}: "
                f"add {inr(shortfall)}, reduce positions or square off.{then}"
            ),
            payload=_payload(
                snap,
                margin_call_id=call.pk,
                shortfall=str(shortfall),
                grace_until=call.grace_until.isoformat(),
                auto_square_off=auto,
            ),
            links={"account_id": account.pk, "margin_call_id": call.pk},
            actions=MARGIN_CALL_ACTIONS,
            expires_in=grace,
        )
        call.alert_id = alert.pk
        call.save(update_fields=["alert_id"])
    elif call is not None and shortfall > 0:
        call.last_shortfall = shortfall
        call.save(update_fields=["last_shortfall"])
    elif call is not None and call.status == MarginCall.Status.OPEN:
        call.status = MarginCall.Status.RESOLVED
        call.closed_at = now
        call.last_shortfall = ZERO
        when = timezone.localtime(now, calendar.IST)
        call.resolution = f"No shortfall at {when:%H:%M} IST ({snap.get_trigger_display()})."
        call.save(update_fields=["status", "closed_at", "last_shortfall", "resolution"])
        alert_raise(
            user=account.user,
            type=AlertType.MARGIN_CALL,
            level=AlertLevel.INFO,
            title="Margin call resolved",
            message=f"{account.name} has enough margin again ({inr(snap.available)} available).",
            payload=_payload(snap, margin_call_id=call.pk, shortfall="0.00"),
            links={"account_id": account.pk, "margin_call_id": call.pk},
        )


def margin_call_alert_handler(alert: Any, action: str, actor: str) -> None:
    """The trader's answer to a margin call (runs in the answering transaction): recorded on the call;
    "Square off" asks the order core to square the account off now (published on commit)."""
    call_id = (alert.links or {}).get("margin_call_id")
    if call_id is None or action == EXPIRED_ACTION:
        return
    call = MarginCall.objects.select_for_update().filter(pk=call_id, user_id=alert.user_id).first()
    if call is None:
        return
    call.response = action[:60]
    update = ["response"]
    if action == AlertAction.SQUARE_OFF and call.status == MarginCall.Status.OPEN:
        call.status = MarginCall.Status.SQUARING_OFF
        update.append("status")
        events.publish(
            MarginCallSquareOffRequested(
                margin_call_id=call.pk,
                account_id=call.account_id,
                user_id=call.user_id,
                shortfall=call.last_shortfall,
                actor=actor,
            )
        )
    call.save(update_fields=update)


def margin_calls_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Open calls past their grace: a fresh look first (a pay-in may have cured them); still short and the
    account squares off automatically -> SQUARING_OFF and `margin.call_expired` (orders squares off)."""
    now = now or timezone.now()
    expired = 0
    due = MarginCall.objects.filter(status=MarginCall.Status.OPEN, grace_until__lte=now).select_related("account")
    for call in list(due[:200]):
        account = call.account
        snapshot_take(account, trigger=MarginSnapshot.Trigger.MANUAL, key=f"call:{call.pk}:grace", now=now)
        with transaction.atomic():
            call = MarginCall.objects.select_for_update().get(pk=call.pk)
            if call.status != MarginCall.Status.OPEN:
                continue  # resolved by the fresh snapshot, or answered meanwhile
            auto, _ = policy_for(account)
            if not auto:
                continue  # stays open: the trader was told positions are not squared off automatically
            call.status = MarginCall.Status.SQUARING_OFF
            call.auto_square_off = True
            call.save(update_fields=["status", "auto_square_off"])
            events.publish(
                MarginCallExpired(
                    margin_call_id=call.pk,
                    account_id=call.account_id,
                    user_id=call.user_id,
                    shortfall=call.last_shortfall,
                )
            )
            expired += 1
    return expired


def margin_call_squared_off(*, margin_call_id: int, order_ids: list[int], failures: list[str]) -> MarginCall:
    """The order core reports what it sent for a call's square-off."""
    with transaction.atomic():
        call = (
            MarginCall.objects.select_for_update(of=("self",))
            .select_related("account", "user", "snapshot")
            .get(pk=margin_call_id)
        )
        call.status = MarginCall.Status.SQUARED_OFF
        call.closed_at = timezone.now()
        call.square_off_orders = list(order_ids)
        call.resolution = (
            f"Squared off: {len(order_ids)} exit order(s)" + (f"; not sent: {'; '.join(failures)}" if failures else "")
        )[:200]
        call.save(update_fields=["status", "closed_at", "square_off_orders", "resolution"])
        alert_raise(
            user=call.user,
            type=AlertType.MARGIN_CALL,
            level=AlertLevel.CRITICAL,
            title="Margin call: squared off",
            message=f"{call.account.name}: the OMS sent {len(order_ids)} exit order(s) for the margin call."
            + (f" Not sent: {'; '.join(failures)}." if failures else ""),
            payload={
                "margin_call_id": call.pk,
                "order_ids": list(order_ids),
                "failures": failures,
                "utilization_pct": str(call.snapshot.utilisation_pct) if call.snapshot else "0.00",
            },
            links={"account_id": call.account_id, "margin_call_id": call.pk},
        )
    return call


# --- scheduled and event-driven entry points -----------------------------------------------------
def market_open(now: datetime.datetime) -> bool:
    return calendar.session_state("NSE", now) == calendar.SessionState.OPEN


def snapshots_due(*, now: datetime.datetime | None = None) -> int:
    """Every active account with open positions or an open call, once per 5-minute slot, in market hours."""
    now = now or timezone.now()
    if not market_open(now):
        return 0
    key = slot_key(now)
    from portfolio.models import Position

    with_positions = set(Position.objects.exclude(quantity=0).values_list("account_id", flat=True).distinct())
    with_calls = set(MarginCall.objects.filter(status=MarginCall.Status.OPEN).values_list("account_id", flat=True))
    taken = 0
    for account in TradingAccount.objects.filter(is_active=True, pk__in=with_positions | with_calls):
        try:
            taken += snapshot_take(account, trigger=MarginSnapshot.Trigger.SCHEDULE, key=key, now=now) is not None
        except Exception:  # one account's failure must not stop the others
            logger.exception("margin snapshot of account %s failed", account.pk)
    return taken


def snapshot_for_event(account_id: int, trigger: str, key: str) -> MarginSnapshot | None:
    account = TradingAccount.objects.filter(pk=account_id, is_active=True).select_related("user").first()
    if account is None:
        return None
    return snapshot_take(account, trigger=trigger, key=key)
