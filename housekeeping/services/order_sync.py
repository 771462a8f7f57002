"""Order-state sync: a working order on a Kite account whose fill arrives by neither postback nor KiteTicker
(either can drop, or be off) is found by polling the broker's order book, every few seconds, for the Kite
accounts whose update stream is down (orders.stream_status: marked by the `kite_order_updates` service;
no mark = down). What differs goes through the order core's idempotent `order_apply_broker_update` with the
order's trades, exactly as a postback would: a later postback or ticker update of the same fill changes
nothing. Accounts whose stream is up are left to it; paper accounts are filled by the matcher."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from accounts.models import TradingAccount
from orders import services as order_services
from orders.brokers import broker_for
from orders.domain import WORKING, OrderStatus, normalize_broker_status
from orders.models import Order
from orders.stream_status import stream_connected

POLLED = [*WORKING, OrderStatus.UNKNOWN]


def sync_account(account: TradingAccount, *, order_ids: list[int] | None = None) -> dict[str, list[int]]:
    """Poll one account's order book and apply what changed to its working orders."""
    out: dict[str, list[int]] = {"updated": []}
    working = Order.objects.filter(account=account, status__in=POLLED, broker_order_id__isnull=False)
    if order_ids is not None:
        working = working.filter(pk__in=order_ids)
    ours = {o.broker_order_id: o for o in working}
    if not ours:
        return out
    broker = broker_for(account)
    for bo in broker.orders():
        o = ours.get(bo.broker_order_id)
        if o is None:
            continue
        status = normalize_broker_status(bo.status, filled_quantity=bo.filled_quantity, quantity=bo.quantity)
        if (status is None or status == o.status) and bo.filled_quantity == o.filled_quantity:
            continue
        trades = broker.order_trades(bo.broker_order_id) if bo.filled_quantity > o.filled_quantity else []
        # Booked under our instrument (a broker names it by symbol; its token is the master's on Kite, not
        # necessarily in a sandbox).
        trades = [replace(t, instrument_token=o.instrument_token) for t in trades]
        order_services.order_apply_broker_update(account=account, order=bo, trades=trades, source="poll")
        out["updated"].append(o.pk)
    return out


def job_order_state_sync(run: Any) -> None:
    accounts = TradingAccount.objects.filter(kind=TradingAccount.Kind.KITE, is_active=True)
    idle = True
    for account in accounts:
        if not account.has_kite_session or stream_connected(account.pk):
            continue
        if not Order.objects.filter(account=account, status__in=POLLED, broker_order_id__isnull=False).exists():
            continue
        idle = False
        run.look("accounts_polled")
        try:
            out = sync_account(account)
        except Exception as exc:  # noqa: BLE001 - one account's failure does not stop the others
            run.error(f"account {account.pk}: {type(exc).__name__}: {exc}")
            continue
        for oid in out["updated"]:
            run.done("updated", oid)
    run.quiet = idle
