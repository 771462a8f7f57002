"""The exchange and Kite rules the sandbox enforces before its venue sees an order, with Kite's error shape.

Kite refuses these at its own pre-validation (Zerodha support, "Why is the rejected order not displayed in the
order book?": freeze quantity, trigger price against the LTP, ...; docs/exchange-rules.md), answering HTTP 400
with `error_type` InputException (kite-api.md §1.4), which kiteconnect raises as `InputException`. The rules are
the product's own (`orders.validation`, `orders.trading_rules`), so a client tested against the sandbox sees
the refusals it would get from Kite: lot size, tick size, freeze quantity, product, trigger side, SL-M on
options and BSE, the AMO window and no MARKET AMO on options, Kite's iceberg variety (legs, leg quantity, LIMIT
only, a leg within the freeze quantity: orders.kite_iceberg) (market protection and the tag are checked while
parsing, in app.py). Texts: Kite's where
kite-api.md quotes one (freeze), otherwise ours in Kite's style (the exact API strings are not published).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from oms_project.lib.errors import DomainError
from orders import kite_iceberg, trading_rules, validation
from orders.validation import InstrumentFacts


class RuleViolation(Exception):
    """A refusal: the app answers it as KiteError(400, "InputException", message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Ask:
    """What is being asked for: a new order or the order after a modification."""

    exchange: str
    tradingsymbol: str
    transaction_type: str
    quantity: int
    product: str
    order_type: str
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    autoslice: bool = False
    variety: str = "regular"
    iceberg_legs: int | None = None
    iceberg_quantity: int | None = None


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def facts_from_row(row: dict[str, Any], last_price: Decimal | None) -> InstrumentFacts:
    """An instrument CSV row (Kite's columns, plus the product's freeze_quantity when it has one)."""
    expiry = row.get("expiry") or None
    if isinstance(expiry, str):
        expiry = date.fromisoformat(expiry) if expiry else None
    freeze = row.get("freeze_quantity")
    return InstrumentFacts(
        instrument_token=int(row.get("instrument_token") or 0),
        exchange=str(row.get("exchange") or ""),
        tradingsymbol=str(row.get("tradingsymbol") or ""),
        instrument_type=str(row.get("instrument_type") or ""),
        lot_size=int(row.get("lot_size") or 0),
        tick_size=_dec(row.get("tick_size")) or Decimal("0"),
        freeze_quantity=int(freeze) if freeze not in (None, "", 0) else None,
        expiry=expiry,
        last_price=last_price,
        segment=str(row.get("segment") or ""),
    )


def _on_tick(value: Decimal, tick: Decimal) -> bool:
    return tick <= 0 or value % tick == 0


def check_amo(ask: Ask, f: InstrumentFacts, at: datetime) -> None:
    """Kite's AMO rules (docs/exchange-rules.md): its window on the exchange clock, no MARKET AMO on options."""
    if ask.variety != "amo":
        return
    from marketdata import calendar as mcal

    local = at.astimezone(mcal.IST)
    try:
        trading_day = mcal.is_trading_day(f.exchange, local.date())
        session_open = mcal.session_state(f.exchange, at) == mcal.SessionState.OPEN
    except Exception:  # noqa: BLE001 - no calendar (no database): the venue answers for it
        return
    try:
        validation.check_amo_window(
            amo=True,
            at=local,
            trading_day=trading_day,
            session_open=session_open,
            exchange=f.exchange,
            order_type=ask.order_type,
            instrument_type=f.instrument_type,
        )
    except DomainError as exc:
        raise RuleViolation(exc.message) from None


def check(ask: Ask, f: InstrumentFacts) -> None:
    """Raise RuleViolation with Kite's kind of message for the first rule the order breaks."""
    if f.segment == "INDICES":
        raise RuleViolation("Invalid `tradingsymbol`: an index cannot be traded.")
    derivative = f.instrument_type in ("FUT", "CE", "PE")
    if ask.product == "CNC" and derivative:
        raise RuleViolation("CNC product is not allowed for F&O contracts. Use NRML or MIS.")
    if ask.product == "NRML" and not derivative:
        raise RuleViolation("NRML product is not allowed for equity. Use CNC or MIS.")
    lot = max(f.lot_size, 1)
    if ask.quantity % lot:
        raise RuleViolation(f"Quantity should be a multiple of the lot size {lot}.")
    freeze = f.freeze_quantity
    if ask.variety == kite_iceberg.VARIETY:
        # Kite's iceberg (orders.kite_iceberg): 2-10 legs of iceberg_quantity, LIMIT only, each leg within freeze.
        why = kite_iceberg.refusal(
            quantity=ask.quantity,
            legs=ask.iceberg_legs,
            leg_quantity=ask.iceberg_quantity,
            lot_size=lot,
            freeze_quantity=freeze,
            order_type=ask.order_type,
        )
        if why:
            raise RuleViolation(why)
    elif freeze and ask.quantity > freeze and not ask.autoslice:
        # kite-api.md §6: the text Kite shows for a quantity above the freeze limit.
        raise RuleViolation(
            f"The order quantity {ask.quantity} ({ask.quantity // lot} lots) is higher than the maximum quantity "
            f"of {freeze} ({freeze // lot} lots) allowed by the exchanges. Please reduce the order quantity or "
            "use iceberg orders."
        )
    if ask.order_type == "SL-M":
        why = trading_rules.slm_refused(instrument_type=f.instrument_type, exchange=f.exchange)
        if why:
            raise RuleViolation(f"SL-M orders are not allowed for this instrument: {why}. Use an SL order.")
    for name, value in (("price", ask.price), ("trigger price", ask.trigger_price)):
        if value is not None and value > 0 and not _on_tick(value, f.tick_size):
            raise RuleViolation(
                f"Tick size for this script is {f.tick_size}. Kindly enter {name} in the multiple of tick size "
                "for this script."
            )
    ltp = f.last_price
    if ask.order_type in ("SL", "SL-M") and ask.trigger_price and ltp and ltp > 0:
        if ask.transaction_type == "BUY" and ask.trigger_price < ltp:
            raise RuleViolation("Trigger price for stoploss buy orders should be higher than the last traded price.")
        if ask.transaction_type == "SELL" and ask.trigger_price > ltp:
            raise RuleViolation("Trigger price for stoploss sell orders should be lower than the last traded price.")
