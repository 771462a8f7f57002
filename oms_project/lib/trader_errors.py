"""Errors in trader language: what the UI shows for a refusal (the one error component,
templates/components/_error.html, rendered by `{% trader_error error %}` from `{% load oms_errors %}`).

The API keeps its stable codes and exact messages (`DomainError.as_body()`); pages never show the code
or a field dump. `explain(error)` turns `{"code", "message", "details"}` (or a DomainError, or a plain
message) into a title, a sentence and, where there is one, a suggestion: e.g. TICK_SIZE_MISMATCH
"Price 25999.43 is not a multiple of the tick size 0.05; try 25999.40 or 25999.45" becomes

    Price is not on the tick grid. This contract moves in steps of ₹0.05. Try 25,999.40 or 25,999.45.

An `action` lets the component offer a control ("split" -> "Split into N slices and place").
Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import formatting as fmt


@dataclass(frozen=True)
class TraderError:
    code: str
    title: str
    message: str = ""
    suggestion: str = ""
    action: str = ""  # "split" | "kite_login" | "confirm_duplicate" | ""
    action_value: int | None = None


# API field names as a trader calls them (in messages the services wrote for API callers).
FIELD_WORDS = {
    "auto_slice=true": "Split into slices",
    "stop_loss_points": "stop-loss points",
    "target_points": "target points",
    "trailing_stop_points": "trailing stop-loss points",
    "trigger_price": "trigger price",
    "market_protection": "market protection",
    "disclosed_quantity": "disclosed quantity",
    "validity_ttl": "TTL minutes",
    "order_type": "order type",
    "instrument_token": "instrument",
    "transaction_type": "side",
    "stop_loss": "stop-loss",
    "client_order_id": "client order id",
    "tradingsymbol": "symbol",
}
_FIELD_RE = re.compile("|".join(re.escape(k) for k in sorted(FIELD_WORDS, key=len, reverse=True)))
# Prices (with decimals, 4+ digits) and large counts (5+ digits); not years, ids (#1234) or times.
_NUMBER_RE = re.compile(r"(?<![\w.#:/-])(?:\d{4,}\.\d+|\d{5,})(?!\w|[.:/-]\w)")


def humanise(message: str) -> str:
    """Field names in words, and long numbers grouped the Indian way ('25999.40' -> '25,999.40')."""
    text = _FIELD_RE.sub(lambda m: FIELD_WORDS[m.group(0)], message or "")

    def group(m: re.Match[str]) -> str:
        raw = m.group(0)
        places = len(raw.partition(".")[2])
        return fmt.number(raw, places)

    return _NUMBER_RE.sub(group, text)


def _d(details: dict[str, Any], key: str) -> Any:
    return details.get(key) if isinstance(details, dict) else None


def _try_prices(message: str) -> str:
    m = re.search(r"try (\d+(?:\.\d+)?) or (\d+(?:\.\d+)?)", message or "")
    return f"Try {fmt.price(m.group(1))} or {fmt.price(m.group(2))}." if m else ""


def _field_word(details: dict[str, Any], default: str = "Price") -> str:
    field = _d(details, "field") or ""
    return FIELD_WORDS.get(field, field.replace("_", " ")).capitalize() if field else default


def _tick_size(code: str, message: str, details: dict[str, Any]) -> TraderError:
    tick = _d(details, "tick_size")
    return TraderError(
        code,
        f"{_field_word(details)} is not on the tick grid",
        f"This contract moves in steps of {fmt.inr(tick, fmt.tick_digits(tick))}." if tick else humanise(message),
        _try_prices(message),
    )


def _freeze(code: str, message: str, details: dict[str, Any]) -> TraderError:
    qty, freeze, n = _d(details, "quantity"), _d(details, "freeze_quantity"), _d(details, "slices_needed")
    body = (
        f"{fmt.number(qty, 0)} units is more than the {fmt.number(freeze, 0)} the exchange accepts in one order."
        if qty and freeze else humanise(message)
    )
    return TraderError(
        code, "Above the exchange's freeze limit", body,
        f"Split it into {n} slices sent one after another, or reduce the lots." if n else "Reduce the lots.",
        action="split" if n else "", action_value=int(n) if n else None,
    )


def _band(code: str, message: str, details: dict[str, Any]) -> TraderError:
    low, high = _d(details, "lower"), _d(details, "upper")
    return TraderError(
        code, f"{_field_word(details)} is outside today's price band",
        humanise(message),
        f"Enter a price between {fmt.price(low)} and {fmt.price(high)}." if low and high else "",
    )


def _lot(code: str, message: str, details: dict[str, Any]) -> TraderError:
    lot = _d(details, "lot_size")
    return TraderError(code, "Quantity must be whole lots",
                       f"This contract trades in lots of {fmt.number(lot, 0)}." if lot else humanise(message),
                       "Enter the number of lots; the ticket works out the units.")


def _trigger_not_allowed(code: str, message: str, details: dict[str, Any]) -> TraderError:
    order_type = _d(details, "order_type") or "This"
    return TraderError(code, "No trigger price on this order type",
                       f"A {order_type} order takes no trigger price.",
                       "Choose SL or SL-M for a stop order, or clear the trigger.")


def _duplicate(code: str, message: str, details: dict[str, Any]) -> TraderError:
    # The service's sentence is for bots ("send it again with confirm_duplicate=true"); a trader gets a button.
    of = _d(details, "duplicate_of")
    m = re.search(r"\) (\d+(?:\.\d+)?) s ago", message or "")
    ago = f" {m.group(1)} s ago" if m else " moments ago"
    body = f"You placed the same order (#{of}){ago}." if of else humanise(message)
    return TraderError(code, "This looks like the order you just placed", body,
                       "Place it again if you mean a second order, or change duplicate protection in your "
                       "preferences.", action="confirm_duplicate")


# code -> (title, suggestion); the message is the service's, in words. Specific builders first.
BUILDERS = {
    "DUPLICATE_ORDER": _duplicate,
    "TICK_SIZE_MISMATCH": _tick_size,
    "FREEZE_QUANTITY_EXCEEDED": _freeze,
    "PRICE_OUT_OF_BAND": _band,
    "LOT_SIZE_MISMATCH": _lot,
    "TRIGGER_NOT_ALLOWED": _trigger_not_allowed,
}
TITLES: dict[str, tuple[str, str]] = {
    "PRICE_REQUIRED": ("Enter a price", "Or choose MARKET to trade at the best available price."),
    "TRIGGER_REQUIRED": ("Enter a trigger price", "A stop order waits for the market to reach its trigger."),
    "TRIGGER_WRONG_SIDE": ("The trigger is on the wrong side of the market", ""),
    "PRODUCT_NOT_ALLOWED": ("This product does not fit the instrument", ""),
    "INSTRUMENT_EXPIRED": ("This contract has expired", "Search for the current expiry."),
    "INSTRUMENT_NOT_TRADABLE": ("This instrument cannot be traded", "Trade its futures or options instead."),
    "INSTRUMENT_NOT_FOUND": ("Choose an instrument", "Search above and pick a contract from the list."),
    "MARKET_CLOSED": ("The market is closed", "NSE F&O trades 09:15–15:30 IST on trading days."),
    "MARKET_PROTECTION_REQUIRED": ("Set market protection",
                                   "Use -1 to let the broker choose, or a cap of 1–100% away from the market."),
    "TOO_MANY_SLICES": ("Too many slices for one order", "Reduce the lots."),
    "SLM_NOT_ALLOWED": ("SL-M is not allowed here",
                        "The exchange refuses SL-M on options (and BSE on everything): choose SL, with a limit "
                        "price a little beyond the trigger."),
    "AMO_DURING_MARKET_HOURS": ("The market is open", "Place a regular order; after-market orders are for when "
                                "the market is closed."),
    "AMO_OUTSIDE_WINDOW": ("After-market orders are not taken now",
                           "F&O after-market orders are accepted 15:45–09:10 IST and go out at the 09:15 open."),
    "AMO_MARKET_NOT_ALLOWED": ("No MARKET after-market orders on options",
                               "Give a limit price: after-market orders on options must be LIMIT."),
    "MIS_CUTOFF_PASSED": ("Past the intraday cut-off",
                          "No new MIS positions after the broker's cut-off (15:25 for F&O). Use NRML, or exit."),
    "ORDER_DAILY_LIMIT_REACHED": ("Today's order limit is used up",
                                  "The broker allows 5,000 orders a day per account; modify or cancel still work."),
    "INVALID_QUANTITY": ("Enter a quantity", "At least one lot."),
    "INVALID_BRACKET": ("Check the stop-loss and target", ""),
    "BRACKET_STOP_WRONG_SIDE": ("The stop-loss is on the wrong side", ""),
    "BRACKET_TARGET_WRONG_SIDE": ("The target is on the wrong side", ""),
    "BRACKET_POINTS_INVALID": ("Those points would put the exit at or below zero", "Use fewer points."),
    "INVALID_ORDER_FIELD": ("Check the order", ""),
    "ORDER_INVALID": ("Check the order", ""),
    "IDEMPOTENCY_KEY_REUSED": ("This order was already sent", "Refresh the order book to see it."),
    "IDEMPOTENCY_KEY_MISMATCH": ("This order was already sent with other details", "Refresh and try again."),
    "ORDER_RATE_LIMITED": ("Too many orders at once", "Wait a second and try again."),
    "RATE_LIMITED": ("Too many requests at once", "Wait a second and try again."),
    "MODIFICATION_LIMIT_REACHED": ("This order cannot be modified again", "Cancel it and place a new one."),
    "ORDER_NOT_MODIFIABLE": ("This order can no longer be modified", "Refresh to see its status."),
    "ORDER_NOT_CANCELLABLE": ("This order can no longer be cancelled", "Refresh to see its status."),
    "ORDER_NOT_PENDING_APPROVAL": ("This order is no longer waiting for approval", ""),
    "ORDER_NOT_FOUND": ("Order not found", ""),
    "POSITION_NOT_FOUND": ("Position not found", ""),
    "POSITION_FLAT": ("This position is already closed", ""),
    "BROKER_REJECTED": ("The broker rejected the order", ""),
    "BROKER_UNAVAILABLE": ("The broker cannot be reached right now",
                           "Check the order book before trying again: nothing is sent twice."),
    "BROKER_SESSION_EXPIRED": ("Your Kite session has expired", "Log in to Kite again under Broker accounts."),
    "KITE_LOGIN_REQUIRED": ("Log in to Kite first", "Open Broker accounts and log in to Kite."),
    "ACCOUNT_NOT_FOUND": ("No trading account", "Choose an account at the top of the page."),
    "ACCOUNT_INACTIVE": ("This trading account is switched off", "Choose another account at the top of the page."),
    "SERVICE_UNAVAILABLE": ("Something is not available right now", "Try again in a moment."),
    "VALIDATION_ERROR": ("Check the highlighted fields", ""),
    "UNKNOWN_FIELD": ("The page sent something unexpected", "Reload the page and try again."),
    "WATCHLIST_FULL": ("Your market watch is full", "Remove an instrument first."),
    "ALERT_ALREADY_RESPONDED": ("This alert was already answered", ""),
    "ALERT_EXPIRED": ("This alert has expired", ""),
}
KITE_CODES = {"BROKER_SESSION_EXPIRED", "KITE_LOGIN_REQUIRED"}


def explain(error: Any) -> TraderError | None:
    """The trader's version of an error dict / DomainError / message; None for no error."""
    if not error:
        return None
    if isinstance(error, TraderError):
        return error
    if isinstance(error, str):
        return TraderError("", humanise(error))
    if hasattr(error, "as_body"):
        error = error.as_body()["error"]
    code = str(error.get("code") or "")
    message = str(error.get("message") or "")
    details = error.get("details") or {}
    if code in BUILDERS:
        return BUILDERS[code](code, message, details)
    title, suggestion = TITLES.get(code, ("Not done", ""))
    body = humanise(message)
    if body.rstrip(".").lower() == title.lower():
        body = ""
    return TraderError(code, title, body, suggestion, action="kite_login" if code in KITE_CODES else "")
