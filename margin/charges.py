"""Zerodha/Kite charges for one executed order (pure: stdlib + Decimal, no Django).

Rates are data (margin/data/charge_rates.json, loaded into `margin.models.ChargeRate`); this module
only knows the *formulas* (docs/charges.md, reference-data.md §1 and §2.4):

  order value  = quantity x price                 (options: premium turnover)
  brokerage    = flat per executed order + min(rate x value, cap)
  STT / CTT    = rate(product, side) x value      (ITM long options at exercise: rate x intrinsic value)
  exchange     = all-in rate (NSE includes IPFT) x value, per exchange and segment (BSE options: per underlying)
  SEBI fee     = rate x value
  stamp duty   = rate(product, side) x value      (buy side; sell rows are 0 in the data)
  GST          = rate x (brokerage + exchange + SEBI), IGST or CGST+SGST

`order_charges` returns the breakdown shaped and rounded like Kite's `/charges/orders` (unrounded
amounts); `sum_charges` and `contract_note` add orders up and apply the contract-note rounding.
A trade is always charged with the schedule in force on its own trade date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, NoReturn

from oms_project.lib.errors import DomainError, InvalidInput, NotFound

ZERO = Decimal(0)
HUNDRED = Decimal(100)
RUPEE = Decimal(1)
PAISA = Decimal("0.01")


# --- vocabulary (values spelled as Kite spells them, so order rows map by value) -------------------
class Exchange(StrEnum):
    """The venue that levies the transaction charge (Kite's NFO/BFO are NSE/BSE derivatives)."""

    NSE = "NSE"
    BSE = "BSE"
    MCX = "MCX"


class Segment(StrEnum):
    EQUITY_CASH = "equity_cash"
    EQUITY_FUTURES = "equity_futures"
    EQUITY_OPTIONS = "equity_options"
    COMMODITY_FUTURES = "commodity_futures"
    COMMODITY_OPTIONS = "commodity_options"


class InstrumentType(StrEnum):
    EQ = "EQ"
    FUT = "FUT"
    CE = "CE"
    PE = "PE"


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class Product(StrEnum):
    CNC = "CNC"  # equity delivery
    MIS = "MIS"  # intraday
    NRML = "NRML"  # F&O / commodity carry-forward


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SL_M = "SL-M"


class GstSplit(StrEnum):
    """IGST, or CGST + SGST halves when the client bills in the broker's state (Zerodha: Karnataka, §1.2)."""

    IGST = "igst"
    CGST_SGST = "cgst_sgst"


class Component(StrEnum):
    BROKERAGE = "brokerage"
    TRANSACTION_TAX = "transaction_tax"  # STT (securities) or CTT (commodities)
    EXCHANGE_CHARGE = "exchange_charge"  # all-in exchange transaction charge (NSE: incl. IPFT)
    SEBI_FEE = "sebi_fee"
    STAMP_DUTY = "stamp_duty"
    GST = "gst"


class RateSide(StrEnum):
    """Which leg a rate row applies to; ANY covers buy and sell, never exercise."""

    ANY = ""
    BUY = "buy"
    SELL = "sell"
    EXERCISE = "exercise"  # STT on the intrinsic value of long ITM options at expiry


class TransactionTaxType(StrEnum):
    STT = "stt"
    CTT = "ctt"


SEGMENT_INSTRUMENT_TYPES: Mapping[Segment, frozenset[InstrumentType]] = {
    Segment.EQUITY_CASH: frozenset({InstrumentType.EQ}),
    Segment.EQUITY_FUTURES: frozenset({InstrumentType.FUT}),
    Segment.EQUITY_OPTIONS: frozenset({InstrumentType.CE, InstrumentType.PE}),
    Segment.COMMODITY_FUTURES: frozenset({InstrumentType.FUT}),
    Segment.COMMODITY_OPTIONS: frozenset({InstrumentType.CE, InstrumentType.PE}),
}
# Products Kite accepts per segment (CNC is cash delivery only); a schedule prices each of them.
SEGMENT_PRODUCTS: Mapping[Segment, tuple[Product, ...]] = {
    Segment.EQUITY_CASH: (Product.CNC, Product.MIS),
    Segment.EQUITY_FUTURES: (Product.NRML, Product.MIS),
    Segment.EQUITY_OPTIONS: (Product.NRML, Product.MIS),
    Segment.COMMODITY_FUTURES: (Product.NRML, Product.MIS),
    Segment.COMMODITY_OPTIONS: (Product.NRML, Product.MIS),
}
# Which qualifiers a rate row of each component may carry (anything else is a data error).
_QUALIFIERS: Mapping[Component, frozenset[str]] = {
    Component.BROKERAGE: frozenset({"product"}),
    Component.TRANSACTION_TAX: frozenset({"product", "side"}),
    Component.STAMP_DUTY: frozenset({"product", "side"}),
    Component.EXCHANGE_CHARGE: frozenset({"underlying"}),
    Component.SEBI_FEE: frozenset(),
    Component.GST: frozenset(),
}

_KITE_SEGMENTS: Mapping[tuple[str, str], tuple[Exchange, Segment]] = {
    ("NSE", "EQ"): (Exchange.NSE, Segment.EQUITY_CASH),
    ("BSE", "EQ"): (Exchange.BSE, Segment.EQUITY_CASH),
    ("NFO", "FUT"): (Exchange.NSE, Segment.EQUITY_FUTURES),
    ("NFO", "CE"): (Exchange.NSE, Segment.EQUITY_OPTIONS),
    ("NFO", "PE"): (Exchange.NSE, Segment.EQUITY_OPTIONS),
    ("BFO", "FUT"): (Exchange.BSE, Segment.EQUITY_FUTURES),
    ("BFO", "CE"): (Exchange.BSE, Segment.EQUITY_OPTIONS),
    ("BFO", "PE"): (Exchange.BSE, Segment.EQUITY_OPTIONS),
    ("MCX", "FUT"): (Exchange.MCX, Segment.COMMODITY_FUTURES),
    ("MCX", "CE"): (Exchange.MCX, Segment.COMMODITY_OPTIONS),
    ("MCX", "PE"): (Exchange.MCX, Segment.COMMODITY_OPTIONS),
}


# --- errors -----------------------------------------------------------------------------------
class ChargeInputInvalid(InvalidInput):
    code = "CHARGE_INPUT_INVALID"
    default_message = "The order cannot be priced: check its exchange, segment, product and amounts."


class ChargeScheduleNotFound(NotFound):
    code = "CHARGE_SCHEDULE_NOT_FOUND"
    default_message = "No charge schedule covers this trade date for this exchange and segment."


class ChargeScheduleIncomplete(DomainError):
    """Rows exist for the date but a component is missing (e.g. a rate was ended without a successor)."""

    code = "CHARGE_SCHEDULE_INCOMPLETE"
    http_status = 503
    default_message = "The charge schedule for this date is incomplete; operations must fix the rates."


class ChargeScheduleAmbiguous(DomainError):
    code = "CHARGE_SCHEDULE_AMBIGUOUS"
    http_status = 503
    default_message = "Two charge rates apply to the same thing on this date; operations must fix the rates."


class ChargeRateInvalid(InvalidInput):
    code = "CHARGE_RATE_INVALID"
    default_message = "The charge rate row is not valid."


class ChargeScheduleMismatch(InvalidInput):
    """A trade must be charged with the schedule of its own date, exchange and segment."""

    code = "CHARGE_SCHEDULE_MISMATCH"
    default_message = "The charge schedule does not apply to this trade's date, exchange or segment."


# --- rate data --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RateRow:
    """One sourced rate with its effective dates (a row of charge_rates.json / ChargeRate)."""

    component: Component
    exchange: Exchange
    segment: Segment
    effective_from: date
    effective_to: date | None  # inclusive; None = until further notice
    rate_percent: Decimal  # % of order value (brokerage: the capped part; GST: % of the taxable charges)
    source: str
    product: Product | None = None  # None: every product of the segment
    side: RateSide = RateSide.ANY
    underlying: str = ""  # "": every underlying
    flat_inr: Decimal = ZERO  # brokerage only: fixed amount per executed order
    cap_inr: Decimal | None = None  # brokerage only: the percentage part never exceeds this
    tax_type: TransactionTaxType | None = None  # transaction_tax only: stt / ctt
    ref: str = ""  # stable id of a row shipped in charge_rates.json

    def __post_init__(self) -> None:
        problems = rate_row_problems(self)
        if problems:
            raise ChargeRateInvalid(
                f"Charge rate {self.ref or self.component}: {'; '.join(problems)}", details={"problems": problems}
            )

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def rate_row_problems(row: RateRow) -> list[str]:
    """Why a rate row is unusable (empty list = fine); shared with the admin form's validation."""
    problems: list[str] = []
    allowed = _QUALIFIERS[row.component]
    if row.product is not None and "product" not in allowed:
        problems.append(f"{row.component} does not depend on the product")
    if row.product is not None and row.product not in SEGMENT_PRODUCTS[row.segment]:
        problems.append(f"product {row.product} is not traded in {row.segment}")
    if row.side != RateSide.ANY and "side" not in allowed:
        problems.append(f"{row.component} does not depend on the side")
    if row.side == RateSide.EXERCISE and (row.component != Component.TRANSACTION_TAX or row.product is not None):
        problems.append("an exercise rate is a transaction-tax rate for every product")
    if row.underlying and "underlying" not in allowed:
        problems.append(f"{row.component} does not depend on the underlying")
    if row.underlying != row.underlying.strip().upper():
        problems.append("underlying must be upper case without spaces around it, e.g. SENSEX")
    if row.rate_percent < 0 or row.flat_inr < 0 or (row.cap_inr is not None and row.cap_inr < 0):
        problems.append("rates and amounts cannot be negative")
    if row.component != Component.BROKERAGE and (row.flat_inr or row.cap_inr is not None):
        problems.append("a flat amount or a cap applies to brokerage only")
    if (row.component == Component.TRANSACTION_TAX) != (row.tax_type is not None):
        problems.append("transaction-tax rows (and only they) name a tax type, stt or ctt")
    if row.effective_to is not None and row.effective_to < row.effective_from:
        problems.append("effective_to is before effective_from")
    if not row.source.strip():
        problems.append("every rate cites its source")
    return problems


def rate_rows_from_json(text: str) -> list[RateRow]:
    """Parse margin/data/charge_rates.json ({"rates": [...]}) into rate rows."""
    return [rate_row_from_mapping(item) for item in json.loads(text)["rates"]]


def rate_row_from_mapping(item: Mapping[str, Any]) -> RateRow:
    def dec(value: Any) -> Decimal:
        return Decimal(str(value))

    return RateRow(
        ref=item.get("ref", ""),
        component=Component(item["component"]),
        exchange=Exchange(item["exchange"]),
        segment=Segment(item["segment"]),
        product=Product(item["product"]) if item.get("product") else None,
        side=RateSide(item.get("side") or ""),
        underlying=item.get("underlying") or "",
        rate_percent=dec(item.get("rate_percent", 0)),
        flat_inr=dec(item.get("flat_inr") or 0),
        cap_inr=dec(item["cap_inr"]) if item.get("cap_inr") is not None else None,
        tax_type=TransactionTaxType(item["tax_type"]) if item.get("tax_type") else None,
        effective_from=date.fromisoformat(item["effective_from"]),
        effective_to=date.fromisoformat(item["effective_to"]) if item.get("effective_to") else None,
        source=item["source"],
    )


# --- the schedule in force on one date --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rate:
    percent: Decimal
    source: str

    @property
    def fraction(self) -> Decimal:
        return self.percent / HUNDRED

    def of(self, amount: Decimal) -> Decimal:
        return self.fraction * amount


@dataclass(frozen=True, slots=True)
class BrokerageRule:
    """Flat amount per executed order plus a percentage of the order value, the percentage capped."""

    percent: Decimal
    flat_inr: Decimal
    cap_inr: Decimal | None
    source: str

    def amount(self, order_value: Decimal) -> Decimal:
        variable = self.percent / HUNDRED * order_value
        if self.cap_inr is not None:
            variable = min(variable, self.cap_inr)
        return self.flat_inr + variable


@dataclass(frozen=True, slots=True)
class SideRates:
    transaction_tax: Rate
    stamp_duty: Rate


@dataclass(frozen=True, slots=True)
class ProductRates:
    brokerage: BrokerageRule
    buy: SideRates
    sell: SideRates

    def side(self, side: Side) -> SideRates:
        return self.buy if side == Side.BUY else self.sell


@dataclass(frozen=True, slots=True)
class ChargeSchedule:
    """Every rate one exchange and segment charges, valid for trade dates valid_from..valid_to."""

    exchange: Exchange
    segment: Segment
    valid_from: date
    valid_to: date | None  # inclusive; None = open-ended
    transaction_tax_type: TransactionTaxType
    products: Mapping[Product, ProductRates]
    exchange_charge: Rate  # every underlying without its own rate
    exchange_charge_by_underlying: Mapping[str, Rate]
    sebi_fee: Rate
    gst: Rate
    exercise_tax: Rate | None  # equity options: STT on the intrinsic value of exercised long ITM options

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def exchange_charge_for(self, underlying: str) -> Rate:
        underlying = underlying.strip().upper()  # Kite's `name` column is upper case: "sensex" is SENSEX
        if underlying in self.exchange_charge_by_underlying:
            return self.exchange_charge_by_underlying[underlying]
        if self.exchange_charge_by_underlying and not underlying:
            # BSE options: SENSEX/BANKEX pay 0.0325%, the rest 0.005%; guessing would misprice.
            raise ChargeInputInvalid(
                f"{self.exchange} {self.segment} exchange charges depend on the underlying; name it.",
                details={"field": "underlying", "priced_separately": sorted(self.exchange_charge_by_underlying)},
            )
        return self.exchange_charge


def build_schedule(rows: Iterable[RateRow], day: date, exchange: Exchange, segment: Segment) -> ChargeSchedule:
    """The schedule in force on `day` from rate rows (any superset: other dates/segments are ignored).

    For each thing priced, the most specific row wins (a product-specific row over an every-product
    row, a buy/sell row over an any-side row); two rows equally specific on the same day is an error.
    """
    mine = [r for r in rows if r.exchange == exchange and r.segment == segment]
    live = [r for r in mine if r.covers(day)]
    where = {"day": day.isoformat(), "exchange": str(exchange), "segment": str(segment)}
    if not live:
        raise ChargeScheduleNotFound(
            f"No charge schedule covers {day.isoformat()} for {exchange} {segment}.", details=where
        )
    used: list[RateRow] = []

    def pick(
        component: Component, *, product: Product | None = None, side: RateSide = RateSide.ANY, underlying: str = ""
    ) -> RateRow:
        candidates = [
            r
            for r in live
            if r.component == component
            and r.product in (None, product)
            and (r.side == side or (r.side == RateSide.ANY and side in (RateSide.BUY, RateSide.SELL)))
            and r.underlying == underlying
        ]
        what = {
            **where,
            "component": str(component),
            "product": str(product or ""),
            "side": str(side),
            "underlying": underlying,
        }
        if not candidates:
            raise ChargeScheduleIncomplete(
                f"No {component} rate for {exchange} {segment} on {day.isoformat()}"
                f"{' for ' + product if product else ''}{' (' + side + ')' if side else ''}.",
                details=what,
            )

        def specificity(r: RateRow) -> int:
            return (2 if r.product is not None else 0) + (1 if r.side != RateSide.ANY else 0)

        best = max(specificity(r) for r in candidates)
        winners = [r for r in candidates if specificity(r) == best]
        if len(winners) > 1:
            raise ChargeScheduleAmbiguous(
                f"{len(winners)} {component} rates apply to {exchange} {segment} on {day.isoformat()}.",
                details={**what, "refs": [r.ref for r in winners]},
            )
        used.append(winners[0])
        return winners[0]

    def rate(row: RateRow) -> Rate:
        return Rate(row.rate_percent, row.source)

    products: dict[Product, ProductRates] = {}
    tax_types: set[TransactionTaxType] = set()
    for product in SEGMENT_PRODUCTS[segment]:
        brokerage_row = pick(Component.BROKERAGE, product=product)
        sides = {}
        for side in (RateSide.BUY, RateSide.SELL):
            tax_row = pick(Component.TRANSACTION_TAX, product=product, side=side)
            tax_types.add(tax_row.tax_type)  # type: ignore[arg-type]  # validated: tax rows name it
            sides[side] = SideRates(rate(tax_row), rate(pick(Component.STAMP_DUTY, product=product, side=side)))
        products[product] = ProductRates(
            BrokerageRule(
                brokerage_row.rate_percent, brokerage_row.flat_inr, brokerage_row.cap_inr, brokerage_row.source
            ),
            sides[RateSide.BUY],
            sides[RateSide.SELL],
        )
    exercise_tax = None
    if segment == Segment.EQUITY_OPTIONS:
        exercise_row = pick(Component.TRANSACTION_TAX, side=RateSide.EXERCISE)
        tax_types.add(exercise_row.tax_type)  # type: ignore[arg-type]
        exercise_tax = rate(exercise_row)
    if len(tax_types) != 1:
        raise ChargeScheduleAmbiguous(
            f"{exchange} {segment} mixes transaction-tax types {sorted(tax_types)} on {day.isoformat()}.",
            details=where,
        )
    underlyings = sorted({r.underlying for r in live if r.component == Component.EXCHANGE_CHARGE and r.underlying})
    schedule_rates = {
        "exchange_charge": rate(pick(Component.EXCHANGE_CHARGE)),
        "exchange_charge_by_underlying": {u: rate(pick(Component.EXCHANGE_CHARGE, underlying=u)) for u in underlyings},
        "sebi_fee": rate(pick(Component.SEBI_FEE)),
        "gst": rate(pick(Component.GST)),
    }
    valid_from, valid_to = _validity(mine, used, day)
    return ChargeSchedule(
        exchange=exchange,
        segment=segment,
        valid_from=valid_from,
        valid_to=valid_to,
        transaction_tax_type=tax_types.pop(),
        products=products,
        exercise_tax=exercise_tax,
        **schedule_rates,
    )


def _validity(rows: Sequence[RateRow], used: Sequence[RateRow], day: date) -> tuple[date, date | None]:
    """The span around `day` in which no row of this exchange/segment starts or ends (same schedule)."""
    start = max(r.effective_from for r in used)
    ends = [r.effective_to for r in used if r.effective_to is not None]
    for r in rows:
        if r.effective_from > day:
            ends.append(r.effective_from - timedelta(days=1))
        if r.effective_to is not None and r.effective_to < day:
            start = max(start, r.effective_to + timedelta(days=1))
    return start, (min(ends) if ends else None)


# --- orders and their charges -----------------------------------------------------------------
def venue_and_segment(kite_exchange: str, instrument_type: str) -> tuple[Exchange, Segment]:
    """Kite's exchange code + instrument type (NFO + CE) -> the charging venue and segment (NSE options)."""
    try:
        return _KITE_SEGMENTS[(kite_exchange, instrument_type)]
    except KeyError:
        raise ChargeInputInvalid(
            f"Charges are not known for {instrument_type} on {kite_exchange}.",
            details={"exchange": kite_exchange, "instrument_type": instrument_type},
        ) from None


_ENUM_FIELDS: Mapping[str, type[StrEnum]] = {
    "exchange": Exchange,
    "segment": Segment,
    "instrument_type": InstrumentType,
    "option_type": InstrumentType,
    "side": Side,
    "product": Product,
    "order_type": OrderType,
    "gst_split": GstSplit,
}


def _coerce_enums(obj: Any) -> None:
    """Accept Kite's plain strings ("NSE", "SELL") for the enum fields of a frozen input; refuse unknown ones."""
    for name, enum in _ENUM_FIELDS.items():
        if not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        try:
            object.__setattr__(obj, name, enum(value))
        except ValueError:
            raise ChargeInputInvalid(f"Unknown {name.replace('_', ' ')} {value!r}.", details={"field": name}) from None


@dataclass(frozen=True, slots=True)
class ChargeInput:
    """One executed order to price (quantity in units; price = average price, premium for options)."""

    exchange: Exchange
    segment: Segment
    instrument_type: InstrumentType
    side: Side
    quantity: int
    price: Decimal
    product: Product
    order_type: OrderType
    trade_date: date
    underlying: str = ""  # needed where exchange charges differ by underlying (BSE options)
    gst_split: GstSplit = GstSplit.IGST

    def __post_init__(self) -> None:
        def refuse(message: str, field_name: str) -> NoReturn:
            raise ChargeInputInvalid(message, details={"field": field_name})

        _coerce_enums(self)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity <= 0:
            refuse("Quantity must be a positive whole number of units.", "quantity")
        if not isinstance(self.price, Decimal) or not self.price.is_finite() or self.price <= 0:
            refuse("Price must be a positive Decimal (Kite prices charges on a non-zero average price).", "price")
        if self.instrument_type not in SEGMENT_INSTRUMENT_TYPES[self.segment]:
            refuse(f"{self.instrument_type} is not traded in {self.segment}.", "instrument_type")
        if self.product not in SEGMENT_PRODUCTS[self.segment]:
            refuse(f"Product {self.product} is not available in {self.segment}.", "product")

    @classmethod
    def from_kite(
        cls,
        *,
        exchange: str,
        instrument_type: str,
        transaction_type: str,
        quantity: int,
        average_price: Decimal,
        product: str,
        order_type: str,
        trade_date: date,
        underlying: str = "",
        gst_split: GstSplit = GstSplit.IGST,
    ) -> ChargeInput:
        """From the fields of a Kite `/charges/orders` request (exchange NFO/BFO/NSE/BSE/MCX)."""
        venue, segment = venue_and_segment(exchange, instrument_type)
        return cls(  # the enum fields are coerced (and checked) by __post_init__
            exchange=venue,
            segment=segment,
            instrument_type=instrument_type,
            side=transaction_type,
            quantity=quantity,
            price=average_price,
            product=product,
            order_type=order_type,
            trade_date=trade_date,
            underlying=underlying,
            gst_split=gst_split,
        )

    @property
    def order_value(self) -> Decimal:
        return self.quantity * self.price


@dataclass(frozen=True, slots=True)
class ExerciseInput:
    """A long option position exercised at expiry (STT on its intrinsic value, §1.1)."""

    exchange: Exchange
    option_type: InstrumentType  # CE / PE
    strike: Decimal
    settlement_price: Decimal
    quantity: int  # units held long
    exercise_date: date
    gst_split: GstSplit = GstSplit.IGST
    segment: Segment = Segment.EQUITY_OPTIONS

    def __post_init__(self) -> None:
        _coerce_enums(self)
        if self.option_type not in (InstrumentType.CE, InstrumentType.PE):
            raise ChargeInputInvalid("Only options are exercised.", details={"field": "option_type"})
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity <= 0:
            raise ChargeInputInvalid(
                "Quantity must be a positive whole number of units.", details={"field": "quantity"}
            )
        for name in ("strike", "settlement_price"):
            amount = getattr(self, name)
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
                raise ChargeInputInvalid(f"{name} must be a Decimal, not negative.", details={"field": name})

    @property
    def intrinsic_value(self) -> Decimal:
        """Per unit: settlement above the strike for calls, below it for puts; 0 when out of the money."""
        gap = (
            self.settlement_price - self.strike
            if self.option_type == InstrumentType.CE
            else (self.strike - self.settlement_price)
        )
        return max(gap, ZERO)


@dataclass(frozen=True, slots=True)
class Gst:
    igst: Decimal
    cgst: Decimal
    sgst: Decimal

    @property
    def total(self) -> Decimal:
        return self.igst + self.cgst + self.sgst

    @classmethod
    def on(cls, taxable: Decimal, rate: Decimal, split: GstSplit, quantize: Decimal | None = None) -> Gst:
        """GST at `rate` (a fraction) on `taxable`; each part rounded to `quantize` when given."""

        def q(amount: Decimal) -> Decimal:
            return amount if quantize is None else amount.quantize(quantize, rounding=ROUND_HALF_UP)

        if split == GstSplit.IGST:
            return cls(q(taxable * rate), ZERO, ZERO)
        half = q(taxable * rate / 2)
        return cls(ZERO, half, half)

    def __add__(self, other: Gst) -> Gst:
        return Gst(self.igst + other.igst, self.cgst + other.cgst, self.sgst + other.sgst)


@dataclass(frozen=True, slots=True)
class ChargeBreakdown:
    """One order's charges as Kite's `/charges/orders` returns them (§2.4): unrounded amounts.

    Kite reports `stamp_duty` rounded to the rupee per order (0 where 0.003% x premium < ₹0.50 in
    T2, T3 and T4; cause unverified, reference-data.md §8), so `stamp_duty` and `total` follow that;
    `stamp_duty_unrounded` keeps the statutory amount the contract note adds up.
    """

    order_value: Decimal
    brokerage: Decimal
    transaction_tax: Decimal
    transaction_tax_type: TransactionTaxType
    exchange_turnover_charge: Decimal
    sebi_turnover_charge: Decimal
    stamp_duty: Decimal
    stamp_duty_unrounded: Decimal
    gst: Gst
    gst_rate: Decimal  # fraction, e.g. 0.18; the contract note recomputes GST on rounded parts
    gst_split: GstSplit
    trade_date: date
    exchange: Exchange
    segment: Segment

    @property
    def total(self) -> Decimal:
        return (
            self.brokerage
            + self.transaction_tax
            + self.exchange_turnover_charge
            + self.sebi_turnover_charge
            + self.stamp_duty
            + self.gst.total
        )

    def as_kite_charges(self) -> dict[str, Any]:
        """The `charges` object in Kite's field names (Decimal values)."""
        return {
            "transaction_tax": self.transaction_tax,
            "transaction_tax_type": str(self.transaction_tax_type),
            "exchange_turnover_charge": self.exchange_turnover_charge,
            "sebi_turnover_charge": self.sebi_turnover_charge,
            "brokerage": self.brokerage,
            "stamp_duty": self.stamp_duty,
            "gst": {"igst": self.gst.igst, "cgst": self.gst.cgst, "sgst": self.gst.sgst, "total": self.gst.total},
            "total": self.total,
        }


def _require_schedule(schedule: ChargeSchedule, day: date, exchange: Exchange, segment: Segment) -> None:
    if (schedule.exchange, schedule.segment) != (exchange, segment) or not schedule.covers(day):
        raise ChargeScheduleMismatch(
            f"A {exchange} {segment} trade dated {day.isoformat()} cannot use the {schedule.exchange} "
            f"{schedule.segment} schedule valid {schedule.valid_from.isoformat()}.."
            f"{schedule.valid_to.isoformat() if schedule.valid_to else ''}.",
            details={
                "trade_date": day.isoformat(),
                "valid_from": schedule.valid_from.isoformat(),
                "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
            },
        )


def order_charges(order: ChargeInput, schedule: ChargeSchedule) -> ChargeBreakdown:
    """Kite-style charges of one executed order, at the rates of the order's own trade date."""
    _require_schedule(schedule, order.trade_date, order.exchange, order.segment)
    value = order.order_value
    rates = schedule.products[order.product]
    side_rates = rates.side(order.side)
    brokerage = rates.brokerage.amount(value)
    exchange_charge = schedule.exchange_charge_for(order.underlying).of(value)
    sebi = schedule.sebi_fee.of(value)
    stamp = side_rates.stamp_duty.of(value)
    return ChargeBreakdown(
        order_value=value,
        brokerage=brokerage,
        transaction_tax=side_rates.transaction_tax.of(value),
        transaction_tax_type=schedule.transaction_tax_type,
        exchange_turnover_charge=exchange_charge,
        sebi_turnover_charge=sebi,
        stamp_duty=stamp.quantize(RUPEE, rounding=ROUND_HALF_UP),
        stamp_duty_unrounded=stamp,
        gst=Gst.on(brokerage + exchange_charge + sebi, schedule.gst.fraction, order.gst_split),
        gst_rate=schedule.gst.fraction,
        gst_split=order.gst_split,
        trade_date=order.trade_date,
        exchange=order.exchange,
        segment=order.segment,
    )


def exercise_charges(exercise: ExerciseInput, schedule: ChargeSchedule) -> ChargeBreakdown:
    """STT on a long ITM option exercised at expiry: rate x intrinsic value x quantity (§1.1).

    Only the STT is sourced; brokerage, exchange, SEBI and stamp on exercise are not in the
    research and are reported as 0 (docs/charges.md, "not modelled").
    """
    _require_schedule(schedule, exercise.exercise_date, exercise.exchange, exercise.segment)
    if schedule.exercise_tax is None:
        raise ChargeScheduleIncomplete(f"No exercise tax rate for {schedule.exchange} {schedule.segment}.")
    value = exercise.intrinsic_value * exercise.quantity
    return ChargeBreakdown(
        order_value=value,
        brokerage=ZERO,
        transaction_tax=schedule.exercise_tax.of(value),
        transaction_tax_type=schedule.transaction_tax_type,
        exchange_turnover_charge=ZERO,
        sebi_turnover_charge=ZERO,
        stamp_duty=ZERO,
        stamp_duty_unrounded=ZERO,
        gst=Gst(ZERO, ZERO, ZERO),
        gst_rate=schedule.gst.fraction,
        gst_split=exercise.gst_split,
        trade_date=exercise.exercise_date,
        exchange=exercise.exchange,
        segment=exercise.segment,
    )


# --- adding orders up: raw sums and the contract-note view ------------------------------------
@dataclass(frozen=True, slots=True)
class ChargeTotals:
    turnover: Decimal
    brokerage: Decimal
    transaction_tax: Decimal
    transaction_tax_type: TransactionTaxType
    exchange_turnover_charge: Decimal
    sebi_turnover_charge: Decimal
    stamp_duty: Decimal
    gst: Gst
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "total",
            self.brokerage
            + self.transaction_tax
            + self.exchange_turnover_charge
            + self.sebi_turnover_charge
            + self.stamp_duty
            + self.gst.total,
        )


def sum_charges(breakdowns: Sequence[ChargeBreakdown]) -> ChargeTotals:
    """Unrounded sums over orders, stamp duty at its statutory (unrounded) amount."""
    first = _same_note(breakdowns)
    gst = Gst(ZERO, ZERO, ZERO)
    for b in breakdowns:
        gst = gst + b.gst
    return ChargeTotals(
        turnover=sum((b.order_value for b in breakdowns), ZERO),
        brokerage=sum((b.brokerage for b in breakdowns), ZERO),
        transaction_tax=sum((b.transaction_tax for b in breakdowns), ZERO),
        transaction_tax_type=first.transaction_tax_type,
        exchange_turnover_charge=sum((b.exchange_turnover_charge for b in breakdowns), ZERO),
        sebi_turnover_charge=sum((b.sebi_turnover_charge for b in breakdowns), ZERO),
        stamp_duty=sum((b.stamp_duty_unrounded for b in breakdowns), ZERO),
        gst=gst,
    )


def contract_note(breakdowns: Sequence[ChargeBreakdown]) -> ChargeTotals:
    """The orders' charges as a contract note / Zerodha's calculator rounds them (§1.4, T11 "calc-style").

    Each component is summed unrounded, then STT/CTT is rounded to the rupee, the other components
    to the paisa, and GST is charged on the rounded brokerage + exchange + SEBI (rounded to the paisa).
    """
    first = _same_note(breakdowns)
    raw = sum_charges(breakdowns)

    def paise(amount: Decimal) -> Decimal:
        return amount.quantize(PAISA, rounding=ROUND_HALF_UP)

    brokerage, exchange_charge, sebi = (
        paise(raw.brokerage),
        paise(raw.exchange_turnover_charge),
        paise(raw.sebi_turnover_charge),
    )
    return ChargeTotals(
        turnover=raw.turnover,
        brokerage=brokerage,
        transaction_tax=raw.transaction_tax.quantize(RUPEE, rounding=ROUND_HALF_UP),
        transaction_tax_type=raw.transaction_tax_type,
        exchange_turnover_charge=exchange_charge,
        sebi_turnover_charge=sebi,
        stamp_duty=paise(raw.stamp_duty),
        gst=Gst.on(brokerage + exchange_charge + sebi, first.gst_rate, first.gst_split, quantize=PAISA),
    )


def _same_note(breakdowns: Sequence[ChargeBreakdown]) -> ChargeBreakdown:
    if not breakdowns:
        raise ChargeInputInvalid("No orders to add up.")
    first = breakdowns[0]
    for b in breakdowns[1:]:
        if (b.transaction_tax_type, b.gst_rate, b.gst_split) != (
            first.transaction_tax_type,
            first.gst_rate,
            first.gst_split,
        ):
            raise ChargeInputInvalid(
                "Orders on one contract note share the tax type (STT or CTT), the GST rate and the GST split."
            )
    return first
