"""NSE/BSE trading calendar: sessions, holidays, expiry dates.

Facts (reference-data.md): normal market 09:15-15:30 IST, pre-open 09:00-09:15 (§5.3); NSE
index/stock expiries on Tuesday (weekly NIFTY every Tuesday, monthly = last Tuesday), BSE on
Thursday (SENSEX weekly), a holiday moves an expiry to the previous trading day (§4).
Holidays: `exchange_calendars`' XBOM (BSE) list, which NSE shares (its module cites NSE's, BSE's
and Zerodha's holiday pages; it is recorded up to the end of 2026), plus its special Saturday
sessions, corrected by the admin-edited `MarketHolidayOverride` table.
Times are aware datetimes (stored UTC); sessions are evaluated in IST.
"""

from __future__ import annotations

import calendar as _cal
import enum
import functools
import threading
import time as _time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from . import contract_specs as specs

IST = ZoneInfo("Asia/Kolkata")

_EXCHANGE_GROUP = {"NSE": "NSE", "NFO": "NSE", "CDS": "NSE", "BSE": "BSE", "BFO": "BSE", "BCD": "BSE"}


class SessionState(enum.StrEnum):
    CLOSED = "CLOSED"
    PRE_OPEN = "PRE_OPEN"
    OPEN = "OPEN"


def exchange_group(exchange: str) -> str:
    """NSE or BSE for an exchange/segment code (NFO trades on NSE's calendar, BFO on BSE's)."""
    return _EXCHANGE_GROUP.get(exchange.upper(), "NSE")


@functools.lru_cache(maxsize=1)
def _base_calendar() -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, special weekend sessions) from exchange_calendars' XBOM definition."""
    from exchange_calendars.exchange_calendar_xbom import XBOMExchangeCalendar, precomputed_bse_holidays

    holidays = frozenset(ts.date() for ts in precomputed_bse_holidays)
    specials: set[date] = set()
    for start, end, mask in XBOMExchangeCalendar.special_weekmasks.fget(None):  # type: ignore[attr-defined]
        d = start.date()
        while d <= end.date():
            if d.weekday() >= 5 and mask[d.weekday()] == "1":
                specials.add(d)
            d += timedelta(days=1)
    return holidays, frozenset(specials)


_override_lock = threading.Lock()
_override_cache: dict[str, Any] = {"at": 0.0, "data": None}
OVERRIDE_CACHE_SECONDS = 30.0


def clear_override_cache() -> None:
    with _override_lock:
        _override_cache["data"] = None


def _overrides() -> dict[tuple[str, date], bool]:
    """{(NSE|BSE, date): is_holiday} from the override table (cached briefly per process)."""
    now = _time.monotonic()
    with _override_lock:
        data = _override_cache["data"]
        if data is not None and now - _override_cache["at"] < OVERRIDE_CACHE_SECONDS:
            return data
    from .models import MarketHolidayOverride

    data = {}
    for row in MarketHolidayOverride.objects.all().values("date", "exchange", "is_holiday"):
        groups = ("NSE", "BSE") if row["exchange"] == "ALL" else (row["exchange"],)
        for group in groups:
            # An exchange-specific row wins over an ALL row for the same day.
            if row["exchange"] != "ALL" or (group, row["date"]) not in data:
                data[(group, row["date"])] = row["is_holiday"]
    with _override_lock:
        _override_cache.update(at=now, data=data)
    return data


def is_holiday(exchange: str, d: date) -> bool:
    """A listed holiday (weekday or not) after overrides."""
    override = _overrides().get((exchange_group(exchange), d))
    if override is not None:
        return override
    return d in _base_calendar()[0]


def is_trading_day(exchange: str, d: date) -> bool:
    override = _overrides().get((exchange_group(exchange), d))
    if override is not None:
        return not override
    holidays, specials = _base_calendar()
    if d in specials:
        return True
    return d.weekday() < 5 and d not in holidays


def previous_trading_day(exchange: str, d: date) -> date:
    """The latest trading day on or before `d`."""
    for _ in range(30):
        if is_trading_day(exchange, d):
            return d
        d -= timedelta(days=1)
    return d


def next_trading_day(exchange: str, d: date) -> date:
    """The earliest trading day on or after `d`."""
    for _ in range(30):
        if is_trading_day(exchange, d):
            return d
        d += timedelta(days=1)
    return d


def session_state(exchange: str, at: datetime) -> SessionState:
    local = at.astimezone(IST)
    if not is_trading_day(exchange, local.date()):
        return SessionState.CLOSED
    t = local.time()
    pre, open_, close = (dtime(*specs.PRE_OPEN_START), dtime(*specs.SESSION_OPEN), dtime(*specs.SESSION_CLOSE))
    if open_ <= t < close:
        return SessionState.OPEN
    if pre <= t < open_:
        return SessionState.PRE_OPEN
    return SessionState.CLOSED


def session_bounds(d: date) -> tuple[datetime, datetime]:
    """(open, close) of the normal market on `d`, as aware datetimes (IST)."""
    return (datetime.combine(d, dtime(*specs.SESSION_OPEN), IST), datetime.combine(d, dtime(*specs.SESSION_CLOSE), IST))


def market_is_open(instrument: Any, at: datetime | None = None, *, simulated: bool) -> bool:
    """Whether an order on `instrument` can trade now. The simulated venue (paper accounts) trades
    around the clock while settings.SIM_TRADE_ANY_TIME is true; otherwise exchange rules apply."""
    if simulated and settings.SIM_TRADE_ANY_TIME:
        return True
    at = at or datetime.now(tz=IST)
    return session_state(instrument.exchange, at) == SessionState.OPEN


# --- expiries -----------------------------------------------------------------------------------
def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, _cal.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def monthly_expiry(underlying: str, year: int, month: int) -> date:
    """The month's expiry: the last expiry weekday of the month, moved back over holidays."""
    spec = _spec(underlying)
    return previous_trading_day(spec.derivatives_exchange, _last_weekday(year, month, spec.expiry_weekday))


def _spec(underlying: str) -> specs.UnderlyingSpec:
    spec = specs.spec_for(underlying)
    if spec is None:
        raise KeyError(f"No contract spec for underlying {underlying!r}")
    return spec


def _months_from(d: date) -> Any:
    y, m = d.year, d.month
    while True:
        yield y, m
        m += 1
        if m > 12:
            y, m = y + 1, 1


def monthly_expiries(underlying: str, from_date: date, count: int) -> list[date]:
    """The next `count` monthly expiries on or after `from_date`."""
    out: list[date] = []
    for y, m in _months_from(from_date):
        exp = monthly_expiry(underlying, y, m)
        if exp >= from_date:
            out.append(exp)
        if len(out) >= count:
            return out
    return out  # pragma: no cover


def weekly_expiries(underlying: str, from_date: date, count: int) -> list[date]:
    """Every expiry weekday (holiday-shifted) on or after `from_date`, for weekly-listed underlyings."""
    spec = _spec(underlying)
    d = from_date + timedelta(days=(spec.expiry_weekday - from_date.weekday()) % 7)
    out: list[date] = []
    # Start one week earlier: a holiday shift can pull next week's nominal expiry onto/after from_date.
    d -= timedelta(days=7)
    while len(out) < count:
        exp = previous_trading_day(spec.derivatives_exchange, d)
        if exp >= from_date and exp not in out:
            out.append(exp)
        d += timedelta(days=7)
    return out


def expiries(underlying: str, from_date: date, count: int, *, kind: str = "option") -> list[date]:
    """Option expiries (weekly where listed, else monthly) or future expiries (monthly)."""
    spec = _spec(underlying)
    if kind == "future" or not spec.weekly:
        return monthly_expiries(underlying, from_date, count)
    return weekly_expiries(underlying, from_date, count)


def is_monthly_expiry(underlying: str, d: date) -> bool:
    return monthly_expiry(underlying, d.year, d.month) == d
