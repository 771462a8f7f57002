"""Data reconciliation (seed 001 "Data Reconciliation", hourly and at start-up; also inside EOD): the OMS's
positions and orders against the broker's, per account.

Positions are compared net per (instrument, product) — the broker knows no strategies — and orders by our
tag (else the broker's id) over the broker's order book (the day's orders). Each difference is a `Mismatch`
row with both sides: quantity mismatch, missing position (the broker holds it, the OMS does not), phantom
position (the OMS holds it, the broker does not), price discrepancy, an order the broker knows and the OMS
does not (placed from Kite's own app), an order whose status differs, an order the broker does not know.
A run updates the open rows (one open row per account, kind and key), clears the ones that went away and
alerts the trader about the new ones — rerunning changes nothing twice.

Ops resolve a mismatch by adopting the broker's state (`mismatch_adopt`, audited on the mismatch, in the
order's audit trail and in the housekeeping log): an unknown order is taken into the OMS (an order row
with its fills, booked into the position by the order core's `order_apply_broker_update`); a status
mismatch applies the broker's view of our order; a position difference nothing else explains is booked
as one adjustment fill at the broker's average price into the account's position without a strategy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import TradingAccount
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from orders import services as order_services
from orders.brokers import broker_for
from orders.domain import TERMINAL, EventKind, OrderRole, OrderStatus, normalize_broker_status
from orders.models import Order, OrderEvent
from portfolio.models import Position

from .. import errors
from .._brokers import BrokerOrder, BrokerTrade
from ..models import Mismatch

PRICE_TOLERANCE = Decimal("0.001")  # 0.1 % of the price: Kite averages to 2 places, we keep 4


@dataclass
class AccountResult:
    account_id: int
    checked: bool = False
    error: str = ""
    positions: int = 0
    orders: int = 0
    new: int = 0
    open: int = 0
    cleared: int = 0


def _d(value: Any) -> str:
    return f"{Decimal(value):.2f}" if value is not None else ""


def _internal_positions(account: TradingAccount) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Net per (exchange, tradingsymbol, product): how Kite names a position (its tokens are the master's, but
    a symbol is what both sides certainly share)."""
    net: dict[tuple[str, str, str], dict[str, Any]] = {}
    for p in Position.objects.filter(account=account):
        row = net.setdefault((p.exchange, p.tradingsymbol, p.product),
                             {"tradingsymbol": p.tradingsymbol, "quantity": 0, "value": Decimal(0)})  # fmt: skip
        row["quantity"] += p.quantity
        row["value"] += Decimal(p.average_price) * p.quantity
    return net


def compare(account: TradingAccount, broker_positions: list[Any], broker_orders: list[Any]) -> list[dict[str, Any]]:
    """Every difference as {kind, key, tradingsymbol, internal, broker} (pure over what it is given + reads)."""
    found: list[dict[str, Any]] = []
    ours = _internal_positions(account)
    theirs = {(bp.exchange, bp.tradingsymbol, bp.product): bp for bp in broker_positions}
    for key in sorted(set(ours) | set(theirs)):
        mine, bp = ours.get(key), theirs.get(key)
        qty = mine["quantity"] if mine else 0
        bqty = bp.quantity if bp else 0
        symbol = key[1]
        avg = (mine["value"] / qty) if mine and qty else Decimal(0)
        internal = {"quantity": qty, "average_price": _d(avg)} if mine else {}
        broker = {"quantity": bqty, "average_price": _d(bp.average_price), "last_price": _d(bp.last_price),
                  "pnl": _d(bp.pnl)} if bp else {}  # fmt: skip
        k = f"pos:{key[0]}:{key[1]}:{key[2]}"
        if qty == bqty:
            if qty and bp is not None and abs(avg - Decimal(bp.average_price)) > PRICE_TOLERANCE * abs(avg):
                found.append({"kind": Mismatch.Kind.PRICE, "key": k, "tradingsymbol": symbol,
                              "internal": internal, "broker": broker})  # fmt: skip
            continue
        kind = Mismatch.Kind.QUANTITY
        if qty == 0:
            kind = Mismatch.Kind.MISSING
        elif bqty == 0:
            kind = Mismatch.Kind.PHANTOM
        found.append({"kind": kind, "key": k, "tradingsymbol": symbol, "internal": internal, "broker": broker})
    by_tag = {o.tag: o for o in Order.objects.filter(account=account).exclude(tag="").only(
        "pk", "tag", "broker_order_id", "status", "filled_quantity", "quantity", "created_at")}  # fmt: skip
    by_id = {o.broker_order_id: o for o in by_tag.values() if o.broker_order_id}
    seen: set[str] = set()
    for bo in broker_orders:
        seen.add(bo.broker_order_id)
        o = by_tag.get(bo.tag or "") or by_id.get(bo.broker_order_id)
        broker = {"order_id": bo.broker_order_id, "status": bo.status, "tag": bo.tag or "",
                  "transaction_type": bo.transaction_type, "quantity": bo.quantity,
                  "filled_quantity": bo.filled_quantity, "average_price": _d(bo.average_price),
                  "product": bo.product, "order_type": bo.order_type}  # fmt: skip
        if o is None:
            found.append({"kind": Mismatch.Kind.UNKNOWN_ORDER, "key": f"order:{bo.broker_order_id}",
                          "tradingsymbol": bo.tradingsymbol, "internal": {}, "broker": broker})  # fmt: skip
            continue
        if o.broker_order_id:
            seen.add(o.broker_order_id)
        theirs_status = normalize_broker_status(bo.status, filled_quantity=bo.filled_quantity, quantity=bo.quantity)
        if theirs_status is None:
            continue
        if theirs_status != o.status or bo.filled_quantity != o.filled_quantity:
            found.append({"kind": Mismatch.Kind.ORDER_STATUS, "key": f"order:{bo.broker_order_id}",
                          "tradingsymbol": bo.tradingsymbol,
                          "internal": {"id": o.pk, "status": o.status, "filled_quantity": o.filled_quantity},
                          "broker": broker})  # fmt: skip
    today = timezone.localdate()
    for o in Order.objects.filter(account=account, broker_order_id__isnull=False, created_at__date=today).exclude(
        status__in=list(TERMINAL)
    ):
        if o.broker_order_id not in seen:
            found.append({"kind": Mismatch.Kind.ORDER_MISSING, "key": f"order:{o.broker_order_id}",
                          "tradingsymbol": o.tradingsymbol,
                          "internal": {"id": o.pk, "status": o.status, "quantity": o.quantity}, "broker": {}})  # fmt: skip
    return found


def reconcile_account(account: TradingAccount, *, now: Any = None, notify: bool = True) -> AccountResult:
    now = now or timezone.now()
    result = AccountResult(account_id=account.pk)
    broker = broker_for(account)
    try:
        bpos, bord = broker.positions(), broker.orders()
    except Exception as exc:  # noqa: BLE001 - an unreachable broker is a finding, not a crash
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    result.checked = True
    result.positions, result.orders = len(bpos), len(bord)
    found = compare(account, bpos, bord)
    new_rows: list[Mismatch] = []
    with transaction.atomic():
        open_rows = {(m.kind, m.key): m for m in Mismatch.objects.select_for_update().filter(
            account=account, state=Mismatch.State.OPEN)}  # fmt: skip
        keys = set()
        for f in found:
            keys.add((f["kind"], f["key"]))
            row = open_rows.get((f["kind"], f["key"]))
            if row is None:
                row = Mismatch.objects.create(account=account, first_seen_at=now, last_seen_at=now, **f)
                new_rows.append(row)
            else:
                Mismatch.objects.filter(pk=row.pk).update(last_seen_at=now, internal=f["internal"], broker=f["broker"])
        for k, row in open_rows.items():
            if k not in keys:
                Mismatch.objects.filter(pk=row.pk).update(state=Mismatch.State.CLEARED, resolved_at=now,
                                                          resolution="no longer seen")  # fmt: skip
                result.cleared += 1
        if new_rows and notify:
            lines = [f"{m.get_kind_display()} {m.tradingsymbol}" for m in new_rows[:8]]
            alert_raise(user=account.user, type=AlertType.SYSTEM, level=AlertLevel.WARNING,
                        title="Broker reconciliation",
                        message=f"{account.name}: {len(new_rows)} difference(s) with the broker: " + "; ".join(lines),
                        payload={"account_id": account.pk, "mismatches": [m.pk for m in new_rows]},
                        links={"mismatches": "/housekeeping/mismatches/"})  # fmt: skip
    result.new = len(new_rows)
    result.open = len(found)
    return result


def reconcile_accounts(*, run: Any = None, accounts: Any = None, notify: bool = True) -> list[AccountResult]:
    qs = accounts if accounts is not None else TradingAccount.objects.filter(is_active=True).select_related("user")
    out = []
    for account in qs:
        if not account.is_paper and not account.has_kite_session:
            r = AccountResult(account_id=account.pk, error="no Kite session")
        else:
            r = reconcile_account(account, now=run.at if run else None, notify=notify)
        out.append(r)
        if run is not None:
            run.look("accounts")
            run.look("broker_positions", r.positions)
            run.look("broker_orders", r.orders)
            if r.error:
                run.error(f"account {account.pk}: {r.error}")
            if r.new:
                run.done("new_mismatches", {"account": account.pk, "count": r.new})
            if r.cleared:
                run.done("cleared", {"account": account.pk, "count": r.cleared})
    return out


def job_data_reconciliation(run: Any) -> None:
    results = reconcile_accounts(run=run)
    if isinstance(run.options.get("collect"), list):  # the reconcile-all API answers with them
        run.options["collect"].extend(results)


# --- adopt the broker's state -------------------------------------------------------------------------------
def mismatch_adopt(*, mismatch_id: int, actor: str) -> Mismatch:
    """Resolve one open mismatch by taking the broker's side (see the module docstring)."""
    m = Mismatch.objects.select_related("account", "account__user").filter(pk=mismatch_id).first()
    if m is None:
        raise errors.MismatchNotFound()
    if m.state != Mismatch.State.OPEN:
        raise errors.MismatchNotAdoptable(f"This mismatch is {m.state}.")
    account = m.account
    broker = broker_for(account)
    if m.kind == Mismatch.Kind.UNKNOWN_ORDER:
        bo = _broker_order(broker, m.broker["order_id"])
        order = _adopt_order(account, bo, broker.order_trades(bo.broker_order_id), actor=actor)
        note = f"adopted the broker's order {bo.broker_order_id} as #{order.pk}"
    elif m.kind == Mismatch.Kind.ORDER_STATUS:
        bo = _broker_order(broker, m.broker["order_id"])
        order_services.order_apply_broker_update(account=account, order=bo, trades=broker.order_trades(
            bo.broker_order_id), source="reconcile")  # fmt: skip
        note = f"applied the broker's status {bo.status} (filled {bo.filled_quantity})"
    elif m.kind in (Mismatch.Kind.QUANTITY, Mismatch.Kind.MISSING, Mismatch.Kind.PHANTOM):
        note = _adopt_position(account, m, broker, actor=actor)
    else:
        raise errors.MismatchNotAdoptable(
            f"A {m.get_kind_display()} is not resolved by adopting the broker's state: look at the order."
        )
    Mismatch.objects.filter(pk=m.pk).update(state=Mismatch.State.RESOLVED, resolved_at=timezone.now(),
                                            resolved_by=actor[:120], resolution=note[:300])  # fmt: skip
    from ..jobs import log_action

    log_action("reconcile_adopt", actor=actor, did={"mismatch": m.pk, "kind": m.kind, "note": note},
               looked_at={"mismatches": 1})  # fmt: skip
    m.refresh_from_db()
    return m


def _broker_order(broker: Any, broker_order_id: str) -> Any:
    for bo in broker.orders():
        if bo.broker_order_id == broker_order_id:
            return bo
    raise errors.MismatchNotAdoptable(f"The broker no longer lists order {broker_order_id}.")


def _new_tag() -> str:
    return "rc" + secrets.token_hex(9)  # 20 chars, Kite's limit


def _adopt_order(account: TradingAccount, bo: Any, trades: list[Any], *, actor: str) -> Order:
    tag = bo.tag if bo.tag and not Order.objects.filter(tag=bo.tag).exists() else _new_tag()
    with transaction.atomic():
        order = Order.objects.create(
            user=account.user, account=account, role=OrderRole.ENTRY, tag=tag, user_tag=(bo.tag or "")[:20],
            broker_order_id=bo.broker_order_id, exchange_order_id=bo.exchange_order_id, exchange=bo.exchange,
            tradingsymbol=bo.tradingsymbol, instrument_token=_token(bo.exchange, bo.tradingsymbol, bo.instrument_token),
            transaction_type=bo.transaction_type, quantity=bo.quantity, product=bo.product,
            order_type=bo.order_type, validity=bo.validity or "DAY",
            price=bo.price or None, trigger_price=bo.trigger_price or None,
            status=OrderStatus.SUBMITTED, pending_quantity=bo.quantity, submitted_at=bo.order_timestamp or timezone.now(),
        )  # fmt: skip
        OrderEvent.objects.create(order=order, kind=EventKind.CREATED, actor=actor[:120], to_status=order.status,
                                  reason=f"adopted from the broker (order {bo.broker_order_id}, placed outside the OMS)")  # fmt: skip
    broker_order = BrokerOrder(**{**_fields(bo), "tag": tag, "instrument_token": order.instrument_token})
    from dataclasses import replace

    trades = [replace(t, instrument_token=order.instrument_token) for t in trades]
    order_services.order_apply_broker_update(account=account, order=broker_order, trades=trades, source="reconcile")
    order.refresh_from_db()
    return order


def _token(exchange: str, symbol: str, fallback: int) -> int:
    """Our master's token for a broker's instrument (by exchange and symbol, as Kite names it)."""
    from marketdata.models import Instrument

    found = Instrument.objects.filter(exchange=exchange, tradingsymbol=symbol).values_list("instrument_token",
                                                                                          flat=True).first()  # fmt: skip
    return int(found) if found else int(fallback or 0)


def _fields(bo: Any) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(bo, f.name) for f in fields(bo)}


def _adopt_position(account: TradingAccount, m: Mismatch, broker: Any, *, actor: str) -> str:
    _, exchange, symbol, product = m.key.split(":", 3)
    # First the broker's orders the OMS does not know on this instrument: they usually explain it.
    adopted = []
    for other in Mismatch.objects.filter(account=account, state=Mismatch.State.OPEN, kind=Mismatch.Kind.UNKNOWN_ORDER):
        bo = next((b for b in broker.orders() if b.broker_order_id == other.broker.get("order_id")), None)
        if bo is not None and (bo.exchange, bo.tradingsymbol, bo.product) == (exchange, symbol, product):
            mismatch_adopt(mismatch_id=other.pk, actor=actor)
            adopted.append(bo.broker_order_id)
    ours = _internal_positions(account).get((exchange, symbol, product), {"quantity": 0})["quantity"]
    bp = next((p for p in broker.positions() if (p.exchange, p.tradingsymbol, p.product) == (exchange, symbol, product)),
              None)  # fmt: skip
    target = bp.quantity if bp else 0
    token_i = _token(exchange, symbol, bp.instrument_token if bp else 0)
    diff = target - ours
    if diff == 0:
        return "adopted the broker's orders " + ", ".join(adopted)
    price = Decimal(bp.average_price) if bp and bp.average_price else Decimal(m.internal.get("average_price") or 0)
    now = timezone.now()
    tag = _new_tag()
    side = "BUY" if diff > 0 else "SELL"
    with transaction.atomic():
        order = Order.objects.create(
            user=account.user, account=account, role=OrderRole.ENTRY, tag=tag, exchange=exchange,
            tradingsymbol=symbol, instrument_token=token_i, transaction_type=side, quantity=abs(diff),
            product=product, order_type="MARKET", status=OrderStatus.SUBMITTED, broker_order_id=f"recon-{m.pk}",
            pending_quantity=abs(diff), submitted_at=now,
        )  # fmt: skip
        OrderEvent.objects.create(order=order, kind=EventKind.CREATED, actor=actor[:120], to_status=order.status,
                                  reason=f"reconciliation adjustment: the broker holds {target}, the OMS held {ours}")  # fmt: skip
    bo = BrokerOrder(
        broker_order_id=f"recon-{m.pk}", status="COMPLETE", tag=tag, exchange=exchange, tradingsymbol=symbol,
        instrument_token=token_i, transaction_type=side, order_type="MARKET", product=product, validity="DAY",
        quantity=abs(diff), filled_quantity=abs(diff), pending_quantity=0, cancelled_quantity=0, price=Decimal(0),
        trigger_price=Decimal(0), average_price=price, status_message="reconciliation adjustment",
        exchange_timestamp=now,
    )  # fmt: skip
    trade = BrokerTrade(trade_id=f"recon-{m.pk}", broker_order_id=bo.broker_order_id, exchange=exchange,
                        tradingsymbol=symbol, instrument_token=token_i, transaction_type=side, product=product,
                        quantity=abs(diff), price=price, fill_timestamp=now)  # fmt: skip
    order_services.order_apply_broker_update(account=account, order=bo, trades=[trade], source="reconcile")
    return f"booked an adjustment of {diff:+d} at {price:.2f} (order #{order.pk})" + (
        f" after adopting {', '.join(adopted)}" if adopted else "")  # fmt: skip


def mismatches_list(*, state: str | None = Mismatch.State.OPEN, user: Any = None) -> list[Mismatch]:
    qs = Mismatch.objects.select_related("account")
    if state:
        qs = qs.filter(state=state)
    if user is not None:
        qs = qs.filter(account__user=user)
    return list(qs[:500])
