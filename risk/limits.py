"""Pre-trade risk limits: the catalogue (codes, parameters, seed defaults), how a limit set is resolved, and
the pure checks (issue #12). No Django: the `risk.limits` stage (risk/stages.py) gathers `OrderFacts` from the
pre-trade context and calls `evaluate`.

Defaults, with their sources:
- seeds/003 (the implementation-complete document's 10 checks and "Risk Management Parameters"):
  MAX_DAILY_LOSS 6 %, MAX_DRAWDOWN 15 % from the peak, MAX_POSITIONS 5, MAX_RISK_PER_TRADE 2 %,
  stop-loss required (check 5), MIN_RISK_REWARD_RATIO 2.0, MAX_PRICE_DEVIATION_PCT ±10 % of LTP,
  MAX_QUANTITY_PER_ORDER 10,000, MAX_POSITION_SIZE 1,000, MAX_ORDER_TO_POSITION_RATIO 3 pending orders.
- seeds/001 (quick reference, "Risk Limit Monitoring"): max_loss_per_strategy_pct / _abs (₹50,000),
  max_position_size_per_instrument 1,000, max_orders_per_minute 10, max_margin_utilization_pct 90.
- seeds/002 (order manager validation): max_order_value ₹10,00,000, min_volume 100, min_open_interest 50.
Research wins over a seed (research/reference-data.md §4): SEBI sets index futures lots so one lot is worth
₹15–20 lakh, so the seed's ₹10 lakh order value (an options-buyer's design) would refuse every futures lot; the
fat-finger value cap therefore applies to premium-valued orders (options, cash equity) and futures are bounded
by the quantity, position-size, margin and concentration limits. Stop-loss required is off by default and on
in the conservative preset (the issue's rule). Concentration has no seed figure: off by default. The
liquidity floor is off by default: a quote's volume is 0 at the open and its OI 0 until the exchange reports it,
so a floor on by default would refuse the day's first orders; turn it on per account or strategy.

A limit an order *improves* never refuses it: a reducing order (same product, opposite side, no larger than
the position) passes every exposure limit (loss, drawdown, positions, risk per trade, stop, reward:risk,
position size, margin, pending orders, concentration, ban list, fat-finger, liquidity). Price sanity and the
per-order quantity still apply to it (they are about the order, not the exposure); the kill switch's own
square-off (actor "system") is also exempt from the orders-per-minute limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

D = Decimal
ZERO = D("0")
HUNDRED = D("100")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # "pct" | "inr" | "int" | "ratio"
    default: Decimal | int
    help: str = ""

    def parse(self, raw: Any) -> Decimal | int:
        """A configured value in this parameter's type; ValueError when it is not one (or negative)."""
        if isinstance(raw, bool):
            raise ValueError(f"{self.name} must be a number")
        if self.kind == "int":
            if isinstance(raw, int):
                value: Decimal | int = raw
            elif isinstance(raw, str) and raw.strip().isdigit():
                value = int(raw)
            else:
                raise ValueError(f"{self.name} must be a whole number")
            if value < 0:
                raise ValueError(f"{self.name} must not be negative")
            return value
        try:
            value = D(str(raw))
        except Exception:  # noqa: BLE001 - decimal.InvalidOperation and friends
            raise ValueError(f"{self.name} must be a number") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"{self.name} must be a non-negative number")
        return value


@dataclass(frozen=True, slots=True)
class LimitSpec:
    key: str
    code: str
    title: str
    params: tuple[Param, ...]
    enabled: bool = True
    source: str = ""

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


CATALOGUE: tuple[LimitSpec, ...] = (
    LimitSpec(
        "daily_loss",
        "RISK_DAILY_LOSS",
        "Daily loss",
        (
            Param("pct", "pct", D("6"), "of capital, today's realised + unrealised P&L"),
            Param("max_loss_per_strategy_abs", "inr", D("50000"), "₹ loss of one strategy today"),
        ),
        source="seeds/003 MAX_DAILY_LOSS; seeds/001 max_loss_per_strategy_abs (pct: the strategy's setting)",
    ),
    LimitSpec(
        "drawdown",
        "RISK_DRAWDOWN",
        "Drawdown from the day's peak",
        (Param("pct", "pct", D("15"), "of the day's peak equity"),),
        source="seeds/003 MAX_DRAWDOWN",
    ),
    LimitSpec(
        "open_positions",
        "RISK_OPEN_POSITIONS",
        "Open positions",
        (Param("max", "int", 5, "instruments with an open position"),),
        source="seeds/003 MAX_POSITIONS",
    ),
    LimitSpec(
        "risk_per_trade",
        "RISK_PER_TRADE",
        "Risk per trade",
        (Param("pct", "pct", D("2"), "of capital lost if the stop is hit"),),
        source="seeds/003 MAX_RISK_PER_TRADE",
    ),
    LimitSpec(
        "stop_loss_required",
        "RISK_STOP_LOSS_REQUIRED",
        "Stop-loss required",
        (),
        enabled=False,
        source="seeds/003 check 5 (off by default, on in the conservative preset)",
    ),
    LimitSpec(
        "reward_risk",
        "RISK_REWARD_RATIO",
        "Minimum reward:risk",
        (Param("min_ratio", "ratio", D("2"), "target distance / stop distance"),),
        source="seeds/003 MIN_RISK_REWARD_RATIO",
    ),
    LimitSpec(
        "price_sanity",
        "RISK_PRICE_DEVIATION",
        "Price sanity",
        (Param("pct", "pct", D("10"), "from the last traded price; always inside the exchange band"),),
        source="seeds/003 MAX_PRICE_DEVIATION_PCT",
    ),
    LimitSpec(
        "order_quantity",
        "RISK_ORDER_QUANTITY",
        "Quantity per order",
        (Param("max", "int", 10000, "units"),),
        source="seeds/003 MAX_QUANTITY_PER_ORDER",
    ),
    LimitSpec(
        "position_size",
        "RISK_POSITION_SIZE",
        "Position size per instrument",
        (Param("max", "int", 1000, "units after the order"),),
        source="seeds/001 max_position_size_per_instrument; seeds/003 MAX_POSITION_SIZE",
    ),
    LimitSpec(
        "orders_per_minute",
        "RISK_ORDER_RATE",
        "Orders per minute",
        (Param("max", "int", 10, "new orders in the last 60 s on the account"),),
        source="seeds/001 max_orders_per_minute",
    ),
    LimitSpec(
        "margin_utilisation",
        "RISK_MARGIN_UTILISATION",
        "Margin utilisation",
        (Param("pct", "pct", D("90"), "of available margin in use"),),
        source="seeds/001 max_margin_utilization_pct",
    ),
    LimitSpec(
        "pending_orders",
        "RISK_PENDING_ORDERS",
        "Pending orders per position",
        (Param("max", "int", 3, "working orders in the instrument"),),
        source="seeds/003 MAX_ORDER_TO_POSITION_RATIO",
    ),
    LimitSpec(
        "concentration",
        "RISK_CONCENTRATION",
        "Concentration per underlying",
        (Param("max_pct_of_capital", "pct", D("500"), "notional in one underlying"),),
        enabled=False,
        source="no seed figure: off by default",
    ),
    LimitSpec(
        "greeks",
        "RISK_GREEKS",
        "Greeks after the order",
        (
            Param("max_delta_inr", "inr", D("5000000"), "|net delta| of the account in ₹ (futures-equivalent)"),
            Param("max_vega_inr", "inr", D("50000"), "|net vega| of the account in ₹ per vol point"),
        ),
        enabled=False,
        source="no seed figure: off by default (Black-76, risk/greeks.py)",
    ),
    LimitSpec(
        "fno_ban",
        "RISK_FNO_BAN",
        "F&O ban list",
        (),
        source="NSE: securities in the ban period take only position-reducing orders",
    ),
    LimitSpec(
        "fat_finger",
        "RISK_FAT_FINGER",
        "Fat-finger",
        (
            Param("max_order_value", "inr", D("1000000"), "₹ premium/cash value of one order"),
            Param("usual_multiple", "ratio", D("10"), "× the account's median order value"),
            Param("min_history", "int", 5, "orders before 'usual' is judged"),
        ),
        source="seeds/002 max_order_value (premium-valued orders, research §4)",
    ),
    LimitSpec(
        "liquidity",
        "RISK_LIQUIDITY",
        "Liquidity floor",
        (
            Param("min_volume", "int", 100, "contracts/shares traded today"),
            Param("min_oi", "int", 50, "open interest (derivatives)"),
        ),
        enabled=False,
        source="seeds/002 min_volume, min_open_interest (off by default: volume is 0 at the open)",
    ),
)

BY_KEY: dict[str, LimitSpec] = {spec.key: spec for spec in CATALOGUE}
CODES: dict[str, str] = {spec.key: spec.code for spec in CATALOGUE}

# What a strategy preset changes (seeds/001 "Configuration Examples" + the stop-loss rule).
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "conservative": {"stop_loss_required": {"enabled": True}},
    "aggressive": {},
}


@dataclass(frozen=True, slots=True)
class Limit:
    """One resolved limit: on or off, its parameters, and where each came from."""

    key: str
    code: str
    title: str
    enabled: bool
    params: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.params[name]


LimitSet = dict[str, Limit]


def validate_overrides(raw: Any) -> dict[str, dict[str, Any]]:
    """A stored/PUT override document `{key: {"enabled": bool, param: value}}`, checked and typed; ValueError
    names the first problem (an unknown limit or parameter is refused, never ignored)."""
    if not isinstance(raw, Mapping):
        raise ValueError("limits must be an object keyed by limit name")
    out: dict[str, dict[str, Any]] = {}
    for key, body in raw.items():
        spec = BY_KEY.get(key)
        if spec is None:
            raise ValueError(f"unknown limit {key!r}; limits: {', '.join(BY_KEY)}")
        if not isinstance(body, Mapping):
            raise ValueError(f"{key} must be an object")
        clean: dict[str, Any] = {}
        for name, value in body.items():
            if name == "enabled":
                if not isinstance(value, bool):
                    raise ValueError(f"{key}.enabled must be true or false")
                clean[name] = value
                continue
            names = [p.name for p in spec.params]
            if name not in names:
                allowed = ", ".join(["enabled", *names])
                raise ValueError(f"{key} has no parameter {name!r}; it takes {allowed}")
            clean[name] = spec.param(name).parse(value)
        out[key] = clean
    return out


def resolve(*layers: Mapping[str, Mapping[str, Any]] | None) -> LimitSet:
    """The catalogue's defaults with each override layer applied in turn (house defaults, account, strategy
    preset, strategy)."""
    result: LimitSet = {}
    for spec in CATALOGUE:
        enabled = spec.enabled
        params: dict[str, Any] = {p.name: p.default for p in spec.params}
        for layer in layers:
            body = (layer or {}).get(spec.key)
            if not body:
                continue
            for name, value in body.items():
                if name == "enabled":
                    enabled = bool(value)
                elif name in params:
                    params[name] = spec.param(name).parse(value)
        result[spec.key] = Limit(spec.key, spec.code, spec.title, enabled, params)
    return result


def as_json(limits: LimitSet) -> dict[str, dict[str, Any]]:
    return {
        key: {"enabled": limit.enabled, **{k: _jsonable(v) for k, v in limit.params.items()}}
        for key, limit in limits.items()
    }


def _jsonable(v: Any) -> Any:
    return str(v) if isinstance(v, Decimal) else v


# --- the facts a check reads ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OrderFacts:
    """The order and the account as the stage saw them (prices Decimal, quantities int)."""

    side: str  # BUY | SELL
    quantity: int
    product: str
    order_type: str
    price: Decimal | None  # the order's limit price (None for MARKET / SL-M)
    ltp: Decimal | None
    band_low: Decimal | None = None
    band_high: Decimal | None = None
    instrument_kind: str = "FUT"  # FUT | OPT | EQ
    underlying: str = ""
    stop_loss: Decimal | None = None  # absolute stop price, if the order carries one
    target: Decimal | None = None  # absolute target price, if the order carries one
    position_quantity: int = 0  # the account's signed net position in this instrument and product
    open_instruments: int = 0  # instruments with an open position on the account (this one included if open)
    capital: Decimal = ZERO
    pnl_today: Decimal = ZERO  # account: realised today + unrealised (signed)
    strategy_pnl_today: Decimal | None = None
    strategy_loss_pct: Decimal | None = None  # the strategy's max_loss_per_strategy_pct setting
    peak_equity: Decimal | None = None  # the day's peak of capital + pnl_today
    orders_last_minute: int = 0
    pending_in_instrument: int = 0
    underlying_notional: Decimal = ZERO  # |notional| of the account in this underlying before the order
    in_ban: bool = False
    usual_order_value: Decimal | None = None  # median of recent order values, None below min_history
    history_count: int = 0
    volume: int | None = None
    oi: int | None = None
    margin_used: Decimal | None = None  # the account's margin in use now (summary)
    margin_available: Decimal | None = None  # the funds margin is held against (summary)
    margin_utilisation_after: Decimal | None = None  # % after this order (margin.funds stage's order_margin)
    system: bool = False  # the kill switch's / system's own order
    delta_inr_before: Decimal | None = None  # the account's net Greeks in ₹ (risk/greeks.py), before / after
    delta_inr_after: Decimal | None = None
    vega_inr_before: Decimal | None = None
    vega_inr_after: Decimal | None = None

    @property
    def reference_price(self) -> Decimal | None:
        return self.price if self.price is not None and self.price > 0 else self.ltp

    @property
    def signed_quantity(self) -> int:
        return self.quantity if self.side == "BUY" else -self.quantity

    @property
    def reducing(self) -> bool:
        """Opposite side to the position and no larger than it: the order only shrinks exposure."""
        pos = self.position_quantity
        return pos != 0 and (pos > 0) != (self.signed_quantity > 0) and self.quantity <= abs(pos)

    @property
    def position_after(self) -> int:
        return self.position_quantity + self.signed_quantity

    @property
    def order_value(self) -> Decimal | None:
        ref = self.reference_price
        return None if ref is None else ref * self.quantity

    @property
    def equity(self) -> Decimal:
        return self.capital + self.pnl_today


@dataclass(frozen=True, slots=True)
class Breach:
    key: str
    code: str
    message: str
    limit: Any
    value: Any
    headroom: Any
    unit: str = ""

    def details(self) -> dict[str, Any]:
        return {
            "limit_name": self.key,
            "limit": _jsonable(self.limit),
            "value": _jsonable(self.value),
            "headroom": _jsonable(self.headroom),
            "unit": self.unit,
        }


def _r(v: Decimal, places: str = "0.01") -> Decimal:
    return v.quantize(D(places), rounding=ROUND_HALF_UP)


def _inr(v: Decimal) -> str:
    return f"₹{_r(v):,}"


def _breach(limit: Limit, message: str, *, limit_value: Any, value: Any, headroom: Any, unit: str = "") -> Breach:
    return Breach(limit.key, limit.code, message, limit_value, value, headroom, unit)


Check = Callable[[Limit, OrderFacts], Breach | None]


def check_daily_loss(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.capital > 0:
        cap = _r(f.capital * limit["pct"] / HUNDRED)
        loss = max(ZERO, -f.pnl_today)
        if loss >= cap:
            return _breach(
                limit,
                f"Daily loss limit reached: today's loss {_inr(loss)} is at or beyond the limit of {limit['pct']}% of "
                f"capital ({_inr(cap)}); headroom {_inr(cap - loss)}. Only orders that reduce a position are accepted.",
                limit_value=cap,
                value=_r(loss),
                headroom=_r(cap - loss),
                unit="INR",
            )
    if f.strategy_pnl_today is not None:
        loss = max(ZERO, -f.strategy_pnl_today)
        caps = [limit["max_loss_per_strategy_abs"]]
        if f.strategy_loss_pct is not None and f.capital > 0:
            caps.append(_r(f.capital * f.strategy_loss_pct / HUNDRED))
        cap = min(caps)
        if loss >= cap:
            return _breach(
                limit,
                f"Strategy loss limit reached: the strategy lost {_inr(loss)} today, limit {_inr(cap)} "
                f"(the lower of {_inr(limit['max_loss_per_strategy_abs'])} and the strategy's "
                f"{f.strategy_loss_pct}% of capital); headroom {_inr(cap - loss)}.",
                limit_value=cap,
                value=_r(loss),
                headroom=_r(cap - loss),
                unit="INR",
            )
    return None


def check_drawdown(limit: Limit, f: OrderFacts) -> Breach | None:
    peak = max(f.peak_equity or ZERO, f.capital, f.equity)
    if peak <= 0:
        return None
    drawdown = peak - f.equity
    pct = _r(drawdown * HUNDRED / peak)
    if pct >= limit["pct"]:
        return _breach(
            limit,
            f"Drawdown limit reached: equity {_inr(f.equity)} is {pct}% below today's peak {_inr(peak)}; the limit is "
            f"{limit['pct']}% (headroom {_r(limit['pct'] - pct)}%).",
            limit_value=limit["pct"],
            value=pct,
            headroom=_r(limit["pct"] - pct),
            unit="%",
        )
    return None


def check_open_positions(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.position_quantity != 0:
        return None  # adds to (or trades) an instrument already held: not a new position
    after = f.open_instruments + 1
    if after > limit["max"]:
        return _breach(
            limit,
            f"Open positions limit: this order opens position {after} and the limit is {limit['max']} "
            f"(headroom {max(0, limit['max'] - f.open_instruments)}).",
            limit_value=limit["max"],
            value=after,
            headroom=max(0, limit["max"] - f.open_instruments),
        )
    return None


def _stop_distance(f: OrderFacts) -> Decimal | None:
    ref = f.reference_price
    if f.stop_loss is None or ref is None:
        return None
    return (ref - f.stop_loss) if f.side == "BUY" else (f.stop_loss - ref)


def check_risk_per_trade(limit: Limit, f: OrderFacts) -> Breach | None:
    distance = _stop_distance(f)
    if distance is None or f.capital <= 0:
        return None
    risk = _r(max(distance, ZERO) * f.quantity)
    cap = _r(f.capital * limit["pct"] / HUNDRED)
    if risk > cap:
        return _breach(
            limit,
            f"Risk per trade: the stop {f.stop_loss} is {_r(distance)} away, so {f.quantity} units risk {_inr(risk)}; "
            f"the limit is {limit['pct']}% of capital ({_inr(cap)}), over by {_inr(risk - cap)}.",
            limit_value=cap,
            value=risk,
            headroom=_r(cap - risk),
            unit="INR",
        )
    return None


def check_stop_loss_required(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.stop_loss is None:
        return _breach(
            limit,
            "A stop-loss is required for new positions (this strategy's or account's setting): give stop_loss or "
            "stop_loss_points.",
            limit_value="required",
            value="missing",
            headroom=None,
        )
    return None


def check_reward_risk(limit: Limit, f: OrderFacts) -> Breach | None:
    distance = _stop_distance(f)
    ref = f.reference_price
    if f.target is None or distance is None or ref is None or distance <= 0:
        return None
    reward = (f.target - ref) if f.side == "BUY" else (ref - f.target)
    ratio = _r(reward / distance)
    if ratio < limit["min_ratio"]:
        return _breach(
            limit,
            f"Reward:risk {ratio}:1 is below the minimum {limit['min_ratio']}:1 (target {_r(reward)} away, stop "
            f"{_r(distance)} away; short by {_r(limit['min_ratio'] - ratio)}).",
            limit_value=limit["min_ratio"],
            value=ratio,
            headroom=_r(ratio - limit["min_ratio"]),
            unit="ratio",
        )
    return None


def check_price_sanity(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.price is None or f.price <= 0 or not f.ltp:
        return None
    if f.band_low is not None and f.band_high is not None and not (f.band_low <= f.price <= f.band_high):
        return _breach(
            limit,
            f"Price {f.price} is outside the exchange band {f.band_low}–{f.band_high}.",
            limit_value=f"{f.band_low}-{f.band_high}",
            value=f.price,
            headroom=None,
            unit="INR",
        )
    deviation = _r(abs(f.price - f.ltp) * HUNDRED / f.ltp)
    if deviation > limit["pct"]:
        return _breach(
            limit,
            f"Price {f.price} is {deviation}% from the last price {f.ltp}; the limit is ±{limit['pct']}% "
            f"(over by {_r(deviation - limit['pct'])}%).",
            limit_value=limit["pct"],
            value=deviation,
            headroom=_r(limit["pct"] - deviation),
            unit="%",
        )
    return None


def check_order_quantity(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.quantity > limit["max"]:
        return _breach(
            limit,
            f"Quantity {f.quantity} is above the per-order limit of {limit['max']} units (over by "
            f"{f.quantity - limit['max']}).",
            limit_value=limit["max"],
            value=f.quantity,
            headroom=limit["max"] - f.quantity,
            unit="units",
        )
    return None


def check_position_size(limit: Limit, f: OrderFacts) -> Breach | None:
    after = abs(f.position_after)
    if after > limit["max"] and after > abs(f.position_quantity):
        return _breach(
            limit,
            f"Position size: this order takes the position to {after} units; the limit per instrument is "
            f"{limit['max']} (headroom {max(0, limit['max'] - abs(f.position_quantity))} units).",
            limit_value=limit["max"],
            value=after,
            headroom=max(0, limit["max"] - abs(f.position_quantity)),
            unit="units",
        )
    return None


def check_orders_per_minute(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.system:
        return None
    after = f.orders_last_minute + 1
    if after > limit["max"]:
        return _breach(
            limit,
            f"Order rate: {f.orders_last_minute} orders in the last minute; the limit is {limit['max']} per minute "
            "(headroom 0). Try again shortly.",
            limit_value=limit["max"],
            value=after,
            headroom=max(0, limit["max"] - f.orders_last_minute),
        )
    return None


def check_margin_utilisation(limit: Limit, f: OrderFacts) -> Breach | None:
    pct = f.margin_utilisation_after
    if pct is None:
        return None  # a broker account (Kite judges funds) or no margin figure
    if pct > limit["pct"]:
        return _breach(
            limit,
            f"Margin utilisation after this order would be {_r(pct)}%; your limit is {limit['pct']}% (over by "
            f"{_r(pct - limit['pct'])}%).",
            limit_value=limit["pct"],
            value=_r(pct),
            headroom=_r(limit["pct"] - pct),
            unit="%",
        )
    return None


def check_pending_orders(limit: Limit, f: OrderFacts) -> Breach | None:
    after = f.pending_in_instrument + 1
    if after > limit["max"]:
        return _breach(
            limit,
            f"Pending orders: {f.pending_in_instrument} orders are already working in this instrument; the limit is "
            f"{limit['max']} (headroom 0).",
            limit_value=limit["max"],
            value=after,
            headroom=max(0, limit["max"] - f.pending_in_instrument),
        )
    return None


def check_concentration(limit: Limit, f: OrderFacts) -> Breach | None:
    value = f.order_value
    if value is None or f.capital <= 0:
        return None
    after = f.underlying_notional + value
    cap = _r(f.capital * limit["max_pct_of_capital"] / HUNDRED)
    if after > cap:
        return _breach(
            limit,
            f"Concentration: {f.underlying or 'this underlying'} exposure would be {_inr(after)}; the limit is "
            f"{limit['max_pct_of_capital']}% of capital ({_inr(cap)}), headroom "
            f"{_inr(max(cap - f.underlying_notional, ZERO))}.",
            limit_value=cap,
            value=_r(after),
            headroom=_r(cap - after),
            unit="INR",
        )
    return None


def check_greeks(limit: Limit, f: OrderFacts) -> Breach | None:
    """Net delta and vega of the account after the order; an order that brings either closer to zero passes."""
    for name, before, after, unit in (
        ("max_delta_inr", f.delta_inr_before, f.delta_inr_after, "₹ delta"),
        ("max_vega_inr", f.vega_inr_before, f.vega_inr_after, "₹ vega per vol point"),
    ):
        if after is None:
            continue
        cap = limit[name]
        if abs(after) > cap and abs(after) > abs(before or ZERO):
            return _breach(
                limit,
                f"Greeks: the account's net {unit} would be {_inr(after)} after this order; the limit is ±{_inr(cap)} "
                f"(headroom {_inr(max(cap - abs(before or ZERO), ZERO))}).",
                limit_value=cap,
                value=_r(after),
                headroom=_r(cap - abs(after)),
                unit="INR",
            )
    return None


def check_fno_ban(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.in_ban and f.instrument_kind in ("FUT", "OPT"):
        return _breach(
            limit,
            f"{f.underlying} is in the F&O ban period: only orders that reduce an existing position are accepted.",
            limit_value="reducing only",
            value="increases exposure",
            headroom=None,
        )
    return None


def check_fat_finger(limit: Limit, f: OrderFacts) -> Breach | None:
    value = f.order_value
    if value is None:
        return None
    if f.instrument_kind != "FUT" and value > limit["max_order_value"]:
        return _breach(
            limit,
            f"Order value {_inr(value)} is above the maximum order value {_inr(limit['max_order_value'])} (over by "
            f"{_inr(value - limit['max_order_value'])}).",
            limit_value=limit["max_order_value"],
            value=_r(value),
            headroom=_r(limit["max_order_value"] - value),
            unit="INR",
        )
    usual = f.usual_order_value
    if usual and usual > 0 and f.history_count >= limit["min_history"]:
        cap = _r(usual * limit["usual_multiple"])
        if value > cap:
            return _breach(
                limit,
                f"Order value {_inr(value)} is {_r(value / usual, '0.1')}× your usual order ({_inr(usual)}); the "
                f"limit is {limit['usual_multiple']}× ({_inr(cap)}). Check the quantity and price.",
                limit_value=cap,
                value=_r(value),
                headroom=_r(cap - value),
                unit="INR",
            )
    return None


def check_liquidity(limit: Limit, f: OrderFacts) -> Breach | None:
    if f.volume is not None and f.volume < limit["min_volume"]:
        return _breach(
            limit,
            f"Liquidity floor: volume today is {f.volume}, below the minimum {limit['min_volume']} (short by "
            f"{limit['min_volume'] - f.volume}).",
            limit_value=limit["min_volume"],
            value=f.volume,
            headroom=f.volume - limit["min_volume"],
        )
    if f.instrument_kind in ("FUT", "OPT") and f.oi is not None and f.oi < limit["min_oi"]:
        return _breach(
            limit,
            f"Liquidity floor: open interest is {f.oi}, below the minimum {limit['min_oi']} (short by "
            f"{limit['min_oi'] - f.oi}).",
            limit_value=limit["min_oi"],
            value=f.oi,
            headroom=f.oi - limit["min_oi"],
        )
    return None


CHECKS: dict[str, Check] = {
    "daily_loss": check_daily_loss,
    "drawdown": check_drawdown,
    "open_positions": check_open_positions,
    "risk_per_trade": check_risk_per_trade,
    "stop_loss_required": check_stop_loss_required,
    "reward_risk": check_reward_risk,
    "price_sanity": check_price_sanity,
    "order_quantity": check_order_quantity,
    "position_size": check_position_size,
    "orders_per_minute": check_orders_per_minute,
    "margin_utilisation": check_margin_utilisation,
    "pending_orders": check_pending_orders,
    "concentration": check_concentration,
    "greeks": check_greeks,
    "fno_ban": check_fno_ban,
    "fat_finger": check_fat_finger,
    "liquidity": check_liquidity,
}

# The limits a reducing order always passes (it improves them); see the module docstring.
APPLY_TO_REDUCING = frozenset({"price_sanity", "order_quantity", "orders_per_minute"})


@dataclass
class Evaluation:
    breaches: list[Breach] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    skipped_reducing: list[str] = field(default_factory=list)

    @property
    def first(self) -> Breach | None:
        return self.breaches[0] if self.breaches else None


def evaluate(limits: LimitSet, facts: OrderFacts, *, only: set[str] | None = None) -> Evaluation:
    """Run every enabled limit (in catalogue order) on the facts; every breach is returned (the preview shows
    them all, placement refuses with the first)."""
    out = Evaluation()
    reducing = facts.reducing
    for spec in CATALOGUE:
        limit = limits.get(spec.key)
        if limit is None or not limit.enabled or (only is not None and spec.key not in only):
            continue
        if reducing and spec.key not in APPLY_TO_REDUCING:
            out.skipped_reducing.append(spec.key)
            continue
        out.checked.append(spec.key)
        breach = CHECKS[spec.key](limit, facts)
        if breach is not None:
            out.breaches.append(breach)
    return out


# --- headroom for the summary ---------------------------------------------------------------------
def account_headroom(limits: LimitSet, f: OrderFacts) -> list[dict[str, Any]]:
    """Each account-level limit with its current value and headroom (the risk summary's rows)."""
    rows: list[dict[str, Any]] = []
    for key, limit in limits.items():
        row: dict[str, Any] = {"limit_name": key, "code": limit.code, "title": limit.title, "enabled": limit.enabled}
        row.update({k: _jsonable(v) for k, v in limit.params.items()})
        value: Any = None
        cap: Any = None
        if key == "daily_loss" and f.capital > 0:
            cap = _r(f.capital * limit["pct"] / HUNDRED)
            value = _r(max(ZERO, -f.pnl_today))
        elif key == "drawdown":
            peak = max(f.peak_equity or ZERO, f.capital, f.equity)
            if peak > 0:
                cap, value = limit["pct"], _r((peak - f.equity) * HUNDRED / peak)
        elif key == "open_positions":
            cap, value = limit["max"], f.open_instruments
        elif key == "orders_per_minute":
            cap, value = limit["max"], f.orders_last_minute
        elif key == "margin_utilisation" and f.margin_available and f.margin_used is not None:
            cap, value = limit["pct"], _r(f.margin_used * HUNDRED / f.margin_available)
        if cap is not None:
            row.update(limit=_jsonable(cap), value=_jsonable(value), headroom=_jsonable(cap - value))
        else:
            row.update(limit=None, value=None, headroom=None)
        rows.append(row)
    return rows


def median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
