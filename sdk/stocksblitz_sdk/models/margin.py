"""Typed models of the margin and costs API (Kite's margin shapes, the seeds' cost summary)."""

from __future__ import annotations

from decimal import Decimal

from ._base import SdkModel

ZERO = Decimal("0")


class Charges(SdkModel):
    """One order's (or the total) charges in the seeds' names; `stt` is STT or CTT."""

    order_value: Decimal = ZERO
    brokerage: Decimal = ZERO
    stt: Decimal = ZERO
    exchange_charges: Decimal = ZERO
    sebi_charges: Decimal = ZERO
    stamp_duty: Decimal = ZERO
    gst: Decimal = ZERO
    total_charges: Decimal = ZERO

    @property
    def other_charges(self) -> Decimal:
        return self.exchange_charges + self.sebi_charges + self.stamp_duty + self.gst


class BufferFactor(SdkModel):
    name: str
    factor: Decimal
    reason: str


class MarginSummary(SdkModel):
    required: Decimal
    exchange_required: Decimal = ZERO
    buffer: Decimal = ZERO
    buffer_factors: list[BufferFactor] = []
    available: Decimal | None = None
    remaining: Decimal | None = None
    can_execute: bool


class CostOrder(SdkModel):
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    quantity: int
    price: Decimal
    product: str
    order_type: str
    charges: Charges


class CostEstimate(Charges):
    """`client.orders.calculate_costs(...)`: the total's figures at the top (`cost.brokerage`, `cost.stt`,
    `cost.total_charges`), each order's in `orders`, the margin they need and warnings."""

    orders: list[CostOrder] = []
    total: Charges | None = None
    margin: MarginSummary | None = None
    warnings: list[str] = []

    @property
    def net_cost(self) -> Decimal:
        """Order value + charges (what a purchase costs in all)."""
        return self.order_value + self.total_charges


class KiteGst(SdkModel):
    igst: Decimal = ZERO
    cgst: Decimal = ZERO
    sgst: Decimal = ZERO
    total: Decimal = ZERO


class KiteCharges(SdkModel):
    transaction_tax: Decimal = ZERO
    transaction_tax_type: str = ""
    exchange_turnover_charge: Decimal = ZERO
    sebi_turnover_charge: Decimal = ZERO
    brokerage: Decimal = ZERO
    stamp_duty: Decimal = ZERO
    gst: KiteGst = KiteGst()
    total: Decimal = ZERO


class MarginFigures(SdkModel):
    span: Decimal = ZERO
    exposure: Decimal = ZERO
    option_premium: Decimal = ZERO
    additional: Decimal = ZERO
    var: Decimal = ZERO
    total: Decimal = ZERO
    charges: KiteCharges | None = None


class BrokerComparison(SdkModel):
    """A Kite account's figure from Kite next to ours: `total` (an order, or the orders of /margins/orders),
    `final_total`/`initial_total` (a basket), `difference` = ours − Kite's, `accuracy_pct`."""

    total: Decimal | None = None
    final_total: Decimal | None = None
    initial_total: Decimal | None = None
    difference: Decimal = ZERO
    accuracy_pct: Decimal | None = None


class OrderMarginFigures(MarginFigures):
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    quantity: int
    price: Decimal
    required: Decimal | None = None
    broker: BrokerComparison | None = None  # Kite accounts, /margins/orders


class BasketMargin(SdkModel):
    """Kite's basket answer: `initial` (each order alone), `final` (together, against positions), `orders`."""

    initial: MarginFigures
    final: MarginFigures
    orders: list[OrderMarginFigures]
    charges: KiteCharges
    required: Decimal
    exchange_required: Decimal = ZERO
    buffer: Decimal = ZERO
    buffer_factors: list[BufferFactor] = []
    available: Decimal | None = None
    remaining: Decimal | None = None
    can_execute: bool = True
    source: str = ""
    broker: BrokerComparison | None = None  # Kite accounts: Kite's own figure next to ours


class AvailableMargin(SdkModel):
    account_id: int
    available: Decimal | None
    used: Decimal
    total: Decimal | None
    utilisation_pct: Decimal | None
    level: str
    span: Decimal = ZERO
    exposure: Decimal = ZERO
    option_premium: Decimal = ZERO
    additional: Decimal = ZERO
    exchange_total: Decimal = ZERO
    buffer: Decimal = ZERO
    buffer_factors: list[BufferFactor] = []
    positions: int = 0
    open_orders: int = 0
    source: str = ""

    @property
    def utilization_pct(self) -> Decimal | None:  # the seeds' spelling
        return self.utilisation_pct
