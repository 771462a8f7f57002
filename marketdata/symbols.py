"""Kite tradingsymbol formats for NFO/BFO contracts (pure; reference-data.md §7).

- Futures:          <ROOT><YY><MMM>FUT                e.g. NIFTY26JUNFUT
- Monthly options:  <ROOT><YY><MMM><STRIKE><CE|PE>    e.g. NIFTY25DEC24500CE
- Weekly options:   <ROOT><YY><M><DD><STRIKE><CE|PE>  e.g. NIFTY25D1624500CE, NIFTY2660223700CE
  (M = 1-9 for Jan-Sep, O/N/D for Oct-Dec). The last expiry of the month uses the monthly format.
Only the demo master builds symbols; real contracts are always resolved from the dump.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKLY_MONTH = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "O", "N", "D")


def format_strike(strike: Decimal | float | int) -> str:
    value = Decimal(str(strike))
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def future_symbol(root: str, expiry: date) -> str:
    return f"{root}{expiry.year % 100:02d}{_MONTHS[expiry.month - 1]}FUT"


def option_symbol(root: str, expiry: date, strike: Decimal | float | int, option_type: str, *, monthly: bool) -> str:
    yy = f"{expiry.year % 100:02d}"
    if monthly:
        stem = f"{root}{yy}{_MONTHS[expiry.month - 1]}"
    else:
        stem = f"{root}{yy}{_WEEKLY_MONTH[expiry.month - 1]}{expiry.day:02d}"
    return f"{stem}{format_strike(strike)}{option_type}"
