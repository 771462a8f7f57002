"""End-of-day reconciliation (seed 001 "End-of-Day Reconciliation", 15:30 IST): per active account, the
positions and orders against the broker (the data reconciliation, recorded in the report), the day's
realised P&L (the portfolio ledger's REALISED_PNL entries of the IST day), the day's finished orders
archived from the next IST midnight (OrderFlags; today's book stays whole until the day is over), and one
`EodReport` per account and day (page /housekeeping/eod/ and CSV). A rerun replaces the day's report (unique per account and day)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import TradingAccount
from orders.domain import TERMINAL, OrderStatus
from orders.models import Order
from portfolio.domain import LedgerKind
from portfolio.models import LedgerEntry, Position

from ..models import EodReport, Mismatch
from .archiving import archive_orders, next_ist_midnight
from .reconciliation import reconcile_account

IST = ZoneInfo("Asia/Kolkata")


def day_bounds(day: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=IST)
    return start, start + timedelta(days=1)


def eod_account(account: TradingAccount, *, day: Any, now: datetime) -> EodReport:
    start, end = day_bounds(day)
    broker_checked, broker_error = True, ""
    if account.is_paper or account.has_kite_session:
        r = reconcile_account(account, now=now)
        broker_checked, broker_error = r.checked, r.error
    else:
        broker_checked, broker_error = False, "no Kite session"
    realised = LedgerEntry.objects.filter(account=account, kind=LedgerKind.REALISED_PNL, created_at__gte=start,
                                          created_at__lt=end).aggregate(s=Sum("amount"))["s"] or Decimal(0)  # fmt: skip
    day_orders = Order.objects.filter(account=account, created_at__gte=start, created_at__lt=end)
    counts = day_orders.aggregate(total=Count("id"), complete=Count("id", filter=Q(status=OrderStatus.COMPLETE)))
    finished = day_orders.filter(status__in=list(TERMINAL)).values_list("pk", flat=True)
    archived = archive_orders(finished, at=max(now, next_ist_midnight(now)), reason="end of day")
    positions = [
        {"tradingsymbol": p.tradingsymbol, "product": p.product, "strategy": p.strategy.name if p.strategy else "",
         "quantity": p.quantity, "average_price": f"{p.average_price:.2f}", "realised_pnl": f"{p.realized_pnl:.2f}"}
        for p in Position.objects.filter(account=account).select_related("strategy").order_by("tradingsymbol")
        if p.quantity or p.trading_day == day
    ]  # fmt: skip
    open_mismatches = list(Mismatch.objects.filter(account=account, state=Mismatch.State.OPEN).values(
        "kind", "tradingsymbol", "internal", "broker"))  # fmt: skip
    by_status = dict(day_orders.values_list("status").annotate(n=Count("id")).order_by())
    report, _ = EodReport.objects.update_or_create(
        account=account,
        trading_day=day,
        defaults={
            "created_at": now,
            "realised_pnl": Decimal(realised).quantize(Decimal("0.01")),
            "orders_total": counts["total"],
            "orders_complete": counts["complete"],
            "orders_archived": len(finished),
            "mismatches": len(open_mismatches),
            "broker_checked": broker_checked,
            "data": {"positions": positions, "mismatches": open_mismatches, "orders_by_status": by_status,
                     "broker_error": broker_error, "newly_archived": archived},
        },
    )  # fmt: skip
    return report


def job_eod_reconciliation(run: Any) -> None:
    for account in TradingAccount.objects.filter(is_active=True).select_related("user"):
        run.look("accounts")
        report = eod_account(account, day=run.today, now=run.at)
        run.done("reports", report.pk)
        if report.data.get("broker_error"):
            run.error(f"account {account.pk}: broker not checked ({report.data['broker_error']})")


def eod_reports(*, user: Any = None, day: Any = None) -> list[EodReport]:
    qs = EodReport.objects.select_related("account")
    if user is not None:
        qs = qs.filter(account__user=user)
    if day is not None:
        qs = qs.filter(trading_day=day)
    return list(qs[:200])


CSV_COLUMNS = ["trading_day", "account", "realised_pnl", "orders_total", "orders_complete", "orders_archived",
               "mismatches", "broker_checked", "tradingsymbol", "product", "strategy", "quantity", "average_price",
               "position_realised_pnl"]  # fmt: skip


def eod_csv(reports: list[EodReport]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in reports:
        head = [r.trading_day.isoformat(), r.account.name, f"{r.realised_pnl:.2f}", r.orders_total, r.orders_complete,
                r.orders_archived, r.mismatches, r.broker_checked]  # fmt: skip
        rows = r.data.get("positions") or [None]
        for p in rows:
            if p is None:
                w.writerow([*head, "", "", "", "", "", ""])
            else:
                w.writerow([*head, p["tradingsymbol"], p["product"], p["strategy"], p["quantity"], p["average_price"],
                            p["realised_pnl"]])  # fmt: skip
    return buf.getvalue()
