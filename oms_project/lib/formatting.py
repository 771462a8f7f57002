"""How numbers, quantities and times look to a trader: the one definition, shared by the template
filters (`{% load oms_format %}`, oms_project/templatetags/oms_format.py) and mirrored by the browser's
`OMS.fmt` (static/js/format.js). Both are tested against the same cases
(tests/project/format_cases.json), so a server-rendered cell and a live-updated one look alike.

- amounts: `inr` -> "₹1,23,450.50", "-₹688.50" (Indian grouping: last three digits, then pairs);
- prices: `price` -> "25,999.40" at the tick's precision (never fewer than two places);
- P&L: `pnl` -> "+₹1,234.50" / "-₹1,234.50" / "₹0.00", with `pnl_class` -> "pos" / "neg" / "";
- quantities: `lots` -> "130 (2 lots)"; `side_qty` -> "BUY 65" / "SELL 65" for a signed net quantity;
- times: `ist` -> "01 Dec 14:03:22 IST" whatever the server's zone.

Pure: no Django (datetimes are converted with zoneinfo).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

RUPEE = "₹"
DASH = "–"
IST = ZoneInfo("Asia/Kolkata")


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal, or None for None / "" / text that is not a number / NaN / infinity."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def group_indian(whole: str) -> str:
    """'12345678' -> '1,23,45,678' (digits only, no sign)."""
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def _parts(number: Decimal, digits: int) -> tuple[bool, str]:
    """(negative, '1,23,450.50'): rounded half-up to `digits` places; -0.00 is not negative."""
    rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    fixed = f"{abs(rounded):f}"
    whole, _, fraction = fixed.partition(".")
    text = group_indian(whole) + (f".{fraction}" if fraction else "")
    return rounded < 0, text


def number(value: Any, digits: int = 2) -> str:
    """Indian grouping without a currency sign: volumes, OI, counts ('2,96,79,540')."""
    d = to_decimal(value)
    if d is None:
        return DASH
    negative, text = _parts(d, int(digits))
    return f"-{text}" if negative else text


def inr(value: Any, digits: int = 2) -> str:
    """An amount in rupees: '₹1,23,450.50', '-₹688.50'."""
    d = to_decimal(value)
    if d is None:
        return DASH
    negative, text = _parts(d, int(digits))
    return f"{'-' if negative else ''}{RUPEE}{text}"


def tick_digits(tick: Any) -> int:
    """Decimal places a price on this tick grid needs: 0.05 -> 2, 0.0025 -> 4, 1 -> 2 (never below 2)."""
    t = to_decimal(tick)
    if t is None or t <= 0:
        return 2
    exponent = t.normalize().as_tuple().exponent
    return max(2, -exponent if isinstance(exponent, int) else 2)


def price(value: Any, tick: Any = None) -> str:
    """A price at its tick's precision with Indian grouping: '25,999.40' (not 25999.4000)."""
    d = to_decimal(value)
    if d is None:
        return DASH
    negative, text = _parts(d, tick_digits(tick))
    return f"-{text}" if negative else text


def pnl(value: Any, digits: int = 2) -> str:
    """Signed P&L: '+₹1,234.50', '-₹1,234.50', '₹0.00'."""
    d = to_decimal(value)
    if d is None:
        return DASH
    negative, text = _parts(d, int(digits))
    zero = d.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP) == 0
    sign = "" if zero else "-" if negative else "+"
    return f"{sign}{RUPEE}{text}"


def pnl_class(value: Any) -> str:
    """CSS class for a signed figure: 'pos' (green), 'neg' (red) or '' (flat / unknown)."""
    d = to_decimal(value)
    if d is None:
        return ""
    d = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "pos" if d > 0 else "neg" if d < 0 else ""


def pct(value: Any, digits: int = 2) -> str:
    """A signed percentage: '+1.25%', '-0.40%', '0.00%'."""
    d = to_decimal(value)
    if d is None:
        return DASH
    negative, text = _parts(d, int(digits))
    zero = d.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP) == 0
    return f"{'' if zero else '-' if negative else '+'}{text}%"


def lots(quantity: Any, lot_size: Any = None) -> str:
    """Units with lots: '130 (2 lots)', '65 (1 lot)'; just the units when the lot size is unknown or
    the quantity is not a whole number of lots."""
    q = to_decimal(quantity)
    if q is None:
        return DASH
    units = number(abs(q), 0)
    size = to_decimal(lot_size)
    if size is None or size <= 1 or q == 0 or abs(q) % size:
        return units
    n = int(abs(q) // size)
    return f"{units} ({n} lot{'s' if n != 1 else ''})"


def lot_count(quantity: Any, lot_size: Any = None) -> str:
    """'2 lots', '1 lot'; '' when the lot size is unknown or the quantity is not whole lots."""
    q, size = to_decimal(quantity), to_decimal(lot_size)
    if q is None or size is None or size <= 1 or q == 0 or abs(q) % size:
        return ""
    n = int(abs(q) // size)
    return f"{n} lot{'s' if n != 1 else ''}"


def side_qty(quantity: Any) -> str:
    """A signed net quantity as a trader reads it: 65 -> 'BUY 65', -65 -> 'SELL 65', 0 -> '0'."""
    q = to_decimal(quantity)
    if q is None:
        return DASH
    if q == 0:
        return "0"
    return f"{'BUY' if q > 0 else 'SELL'} {number(abs(q), 0)}"


def ist(value: Any, fmt: str = "%d %b %H:%M:%S") -> str:
    """A moment in India time, labelled: '01 Dec 14:03:22 IST' (`%3f`: milliseconds). Naive datetimes are UTC."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))).astimezone(IST)
        fmt = fmt.replace("%3f", f"{local.microsecond // 1000:03d}")  # milliseconds
        return f"{local.strftime(fmt)} IST"
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def article(word: Any) -> str:
    """'an urgent', 'an info', 'a warning', 'a critical' (by the sound of the first letter)."""
    text = str(word or "").strip()
    if not text:
        return ""
    return f"{'an' if text[0].lower() in 'aeiou' else 'a'} {text}"
