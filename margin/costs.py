"""Executed orders' charges: stored once per order (order_cost_breakdown) and posted to the ledger.

`on_order_terminal` (subscribed to `orders.terminal` in MarginConfig.ready) charges an order that ended
with fills — COMPLETE, or CANCELLED/EXPIRED after a partial fill — as Zerodha bills it: one order, its
filled quantity at its average fill price, at the rates of its trade date (margin.charges; brokerage is
per executed order). It writes the breakdown and one CHARGES ledger entry (−total, to the paisa) in one
transaction; the unique order id makes a repeated event post nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from . import charges, selectors
from .cost_models import OrderCostBreakdown

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
ACTOR = "system:charges"


def _instrument_type(instrument_type: str) -> str:
    return instrument_type if instrument_type in ("FUT", "CE", "PE") else "EQ"


def order_costs_record(*, order_id: int, account_id: int) -> OrderCostBreakdown | None:
    """Charge an order from its stored fills (portfolio's trades). None when it has none or is charged."""
    from accounts.models import TradingAccount
    from marketdata.models import Instrument
    from portfolio.domain import LedgerKind
    from portfolio.selectors import trades_for
    from portfolio.services import ledger_post

    if OrderCostBreakdown.objects.filter(order_id=order_id).exists():
        return None
    account = TradingAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    fills = list(trades_for(account=account, order_id=order_id).order_by("fill_timestamp", "id"))
    if not fills:
        return None
    first = fills[0]
    qty = sum(t.quantity for t in fills)
    value = sum((t.quantity * t.price for t in fills), ZERO)
    avg = value / qty
    day = timezone.localdate(fills[-1].fill_timestamp)
    inst = Instrument.objects.filter(pk=first.instrument_token).only("instrument_type", "name").first()
    itype = _instrument_type(inst.instrument_type if inst else "EQ")
    try:
        b = selectors.order_charges(
            charges.ChargeInput.from_kite(
                exchange=first.exchange,
                instrument_type=itype,
                transaction_type=first.transaction_type,
                quantity=qty,
                average_price=avg,
                product=first.product,
                order_type="MARKET",
                trade_date=day,
                underlying=(inst.name if inst else "") or "",
            )
        )
    except charges.ChargeInputInvalid:
        logger.warning("order #%s: no charge schedule applies (%s %s)", order_id, first.exchange, itype)
        return None
    try:
        with transaction.atomic():
            row = OrderCostBreakdown.objects.create(
                order_id=order_id,
                user_id=first.user_id,
                account=account,
                strategy_id=first.strategy_id,
                instrument_token=first.instrument_token,
                exchange=first.exchange,
                tradingsymbol=first.tradingsymbol,
                transaction_type=first.transaction_type,
                product=first.product,
                quantity=qty,
                average_price=avg.quantize(Decimal("0.0001")),
                trade_date=day,
                order_value=b.order_value,
                brokerage=b.brokerage,
                stt=b.transaction_tax,
                exchange_charges=b.exchange_turnover_charge,
                sebi_charges=b.sebi_turnover_charge,
                stamp_duty=b.stamp_duty,
                gst=b.gst.total,
                total_charges=b.total,
                transaction_tax_type=str(b.transaction_tax_type),
            )
            if b.total > 0:
                entry = ledger_post(
                    account=account,
                    kind=LedgerKind.CHARGES,
                    amount=-b.total,
                    actor=ACTOR,
                    order_id=order_id,
                    description=f"Charges {first.transaction_type} {qty} {first.tradingsymbol} (order #{order_id})",
                )
                OrderCostBreakdown.objects.filter(pk=row.pk).update(ledger_entry=entry)
                row.ledger_entry = entry
    except IntegrityError:  # another process charged it first
        return None
    return row


def on_order_terminal(event: Any) -> None:
    if int(getattr(event, "filled_quantity", 0) or 0) <= 0:
        return
    order_costs_record(order_id=event.order_id, account_id=event.account_id)


def strategy_charges(strategy: Any) -> dict[str, Decimal]:
    """A strategy's executed orders' charges in total: brokerage, taxes (STT/CTT, exchange, SEBI, stamp, GST)."""
    fields = (
        "order_value",
        "brokerage",
        "stt",
        "exchange_charges",
        "sebi_charges",
        "stamp_duty",
        "gst",
        "total_charges",
    )
    row = OrderCostBreakdown.objects.filter(strategy_id=strategy.pk).aggregate(
        **{f: Sum(f, default=ZERO) for f in fields}
    )
    out = {f: Decimal(row[f]) for f in fields}
    out["taxes"] = out["stt"] + out["exchange_charges"] + out["sebi_charges"] + out["stamp_duty"] + out["gst"]
    out["orders"] = OrderCostBreakdown.objects.filter(strategy_id=strategy.pk).count()
    return out
