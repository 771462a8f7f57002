"""The sandbox's stand-in for Kite's margin calculator (POST /margins/orders and /margins/basket).

Not Kite's numbers: the OMS's pure SPAN engine (margin.span) on synthetic arrays built from what the sandbox
knows — the instrument row (type, strike, expiry, name), the order's price or the sandbox's last price, the
underlying's quote when the quote source has it (else the strike as its level), a volatility of 15% (index) /
25% (stock) — with NSE's scan parameters. Different inputs from the OMS's own (the OMS uses the simulated
market's level and volatility), so the OMS's comparison with it is a real, if small, difference. Answers in
Kite's shapes (type, tradingsymbol, exchange, span, exposure, option_premium, additional, bo, cash, var, pnl,
leverage, charges, total); charges are left at zero (the OMS computes its own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from margin.span import Position, portfolio_margin
from margin.span.params import NSE_INDEX_UNDERLYINGS
from margin.span.synthetic import synthetic_future, synthetic_option
from margin.span.types import ContractKind

ZERO = Decimal(0)
KINDS = {"CE": ContractKind.CALL, "PE": ContractKind.PUT}


def _f(x: Decimal) -> float:
    return float(x)


def _charges() -> dict[str, Any]:
    return {"transaction_tax": 0, "transaction_tax_type": "stt", "exchange_turnover_charge": 0,
            "sebi_turnover_charge": 0, "brokerage": 0, "stamp_duty": 0,
            "gst": {"igst": 0, "cgst": 0, "sgst": 0, "total": 0}, "total": 0}  # fmt: skip


def _figures(positions: list[Position], premium: Decimal, spot: dict[str, Decimal], as_of: date) -> dict[str, Any]:
    span = exposure = ZERO
    if positions:
        pm = portfolio_margin(positions, spot=spot, as_of=as_of)
        span, exposure = pm.span, pm.exposure
    total = span + exposure + premium
    return {"type": "equity", "span": _f(span), "exposure": _f(exposure), "option_premium": _f(premium),
            "additional": 0, "bo": 0, "cash": 0, "var": 0, "pnl": {"realised": 0, "unrealised": 0},
            "leverage": 1, "total": _f(total)}  # fmt: skip


def calculate(
    orders: list[dict[str, Any]],
    *,
    row: Callable[[str, str], dict[str, Any] | None],
    price: Callable[[str, str], Decimal | None],
    today: date | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(per-order answers, initial, final) for Kite-shaped order dicts."""
    as_of = today or datetime.now().date()
    legs: list[tuple[dict[str, Any], Position | None, Decimal, Decimal]] = []
    spot: dict[str, Decimal] = {}
    for o in orders:
        r = row(str(o.get("exchange")), str(o.get("tradingsymbol"))) or {}
        qty = int(o.get("quantity") or 0) * (1 if o.get("transaction_type") == "BUY" else -1)
        px = Decimal(str(o.get("price") or 0)) or price(str(o.get("exchange")), str(o.get("tradingsymbol"))) or ZERO
        itype = str(r.get("instrument_type", ""))
        name = str(r.get("name") or o.get("tradingsymbol"))
        index = name in NSE_INDEX_UNDERLYINGS
        expiry = r.get("expiry")
        expiry = date.fromisoformat(str(expiry)) if expiry else as_of
        if itype == "FUT":
            spot.setdefault(name, px)
            c = synthetic_future(
                underlying=name, expiry=expiry, price=px, underlying_price=px, as_of=as_of, index=index
            )
            legs.append((o, Position(c, qty), ZERO, px))
        elif itype in KINDS:
            strike = Decimal(str(r.get("strike") or 0))
            level = price("NSE", name) or strike
            spot.setdefault(name, level)
            c = synthetic_option(
                underlying=name,
                kind=KINDS[itype],
                expiry=expiry,
                strike=strike,
                premium=px,
                underlying_price=level,
                volatility=Decimal("0.15") if index else Decimal("0.25"),
                as_of=as_of,
                index=index,
            )
            legs.append((o, Position(c, qty), px * qty, px))
        else:
            legs.append((o, None, ZERO, px))
    per = []
    for o, p, prem, _px in legs:
        fig = _figures([p] if p else [], max(prem, ZERO), spot, as_of)
        per.append(
            {**fig, "tradingsymbol": o.get("tradingsymbol"), "exchange": o.get("exchange"), "charges": _charges()}
        )
    initial = {k: sum(x[k] for x in per) for k in ("span", "exposure", "option_premium", "total")}
    initial.update({"type": "", "additional": 0, "bo": 0, "cash": 0, "var": 0, "pnl": {"realised": 0, "unrealised": 0},
                    "leverage": 0, "charges": _charges()})  # fmt: skip
    final = _figures([p for _, p, _, _ in legs if p], sum((prem for _, _, prem, _ in legs), ZERO), spot, as_of)
    final.update({"charges": _charges()})
    return per, initial, final
