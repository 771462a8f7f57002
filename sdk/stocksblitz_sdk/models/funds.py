"""Typed models of the funds API (an account's cash and its ledger)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ._base import SdkModel


class Funds(SdkModel):
    """cash = opening_balance + every ledger entry (pay-ins, pay-outs, realised P&L, charges, M2M, adjustments)."""

    account_id: int
    cash: Decimal
    opening_balance: Decimal
    pay_ins: Decimal
    pay_outs: Decimal
    realised_pnl: Decimal
    realised_pnl_today: Decimal
    charges: Decimal = Decimal("0")
    m2m_settlements: Decimal = Decimal("0")
    adjustments: Decimal = Decimal("0")
    ledger_total: Decimal
    net_deposits: Decimal


class LedgerEntry(SdkModel):
    id: int
    account_id: int
    kind: str  # PAY_IN, PAY_OUT, CHARGES, REALISED_PNL, M2M_SETTLEMENT, ADJUSTMENT
    amount: Decimal  # signed: + into the account
    trade_id: int | None = None
    position_id: int | None = None
    order_id: int | None = None
    description: str = ""
    actor: str = ""
    created_at: datetime
