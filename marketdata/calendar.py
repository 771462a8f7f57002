"""NSE/BSE trading calendar: sessions, holidays, expiry dates.

Facts (reference-data.md): normal market 09:15-15:30 IST, pre-open 09:00-09:15 (§5.3); NSE
index/stock expiries on Tuesday (weekly NIFTY every Tuesday, monthly = last Tuesday), BSE on
Thursday (SENSEX weekly), a holiday moves an expiry to the previous trading day (§4).
Holidays: `exchange_calendars`' XBOM (BSE) list, which NSE shares (its module cites NSE's, BSE's
and Zerodha's holiday pages; it is recorded up to the end of 2026, §9.5), plus its special Saturday
sessions, plus the holidays shipped as data in `marketdata/data/exchange_holidays.toml` (each with
its source; years after 2026), corrected by the admin-edited `MarketHolidayOverride` table.
Beyond `holiday_data_complete_through()` the calendar knows only the listed holidays: it says so
(system check marketdata.W001, the calendar admin's notice, a log warning), it never guesses.
See docs/market-model.md, "Trading calendar".
Times are aware datetimes (stored UTC); sessions are evaluated in IST.
"""

from __future__ import annotations

import calendar as _cal
import enum
from dataclasses import dataclass
import functools
import logging
import threading
import tomllib
import time as _time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from . import contract_specs as specs

IST = ZoneInfo("Asia/Kolkata")
HOLIDAY_DATA_FILE = Path(__file__).with_name("data") / "exchange_holidays.toml"
logger = logging.getLogger(__name__)

_EXCHANGE_GROUP = {"NSE": "NSE", "NFO": "NSE", "CDS": "NSE", "BSE": "BSE", "BFO": "BSE", "BCD": "BSE"}


class SessionState(enum.StrEnum):
    CLOSED = "CLOSED"
    PRE_OPEN = "PRE_OPEN"
    OPEN = "OPEN"


def exchange_group(exchange: str) -> str:
    """NSE or BSE for an exchange/segment code (NFO trades on NSE's calendar, BFO on BSE's)."""
    return _EXCHANGE_GROUP.get(exchange.upper(), "NSE")


@dataclass(frozen=True, slots=True)
class HolidayData:
    """The shipped holiday facts: XBOM's list plus the data file, and how far they are complete."""

    holidays: dict[str, frozenset[date]]  # NSE / BSE -> holidays
    specials: frozenset[date]  # weekend days that trade (XBOM special sessions)
    complete_through: date  # last day for which the full holiday list is known
    partial_years: dict[int, str]  # years with some known holidays but no complete list -> source
    extra: tuple[dict[str, Any], ...]  # the data file's holiday rows (for the admin notice)


def _read_holiday_file(path: Path) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    holidays = [dict(row) for row in data.get("holiday", [])]
    years = {int(row["year"]): dict(row) for row in data.get("year", [])}
    for row in holidays:
        if not isinstance(row.get("date"), date) or not row.get("source"):
            raise ValueError(f"{path}: every holiday needs a TOML date and a source: {row!r}")
        if row["date"].year not in years:
            raise ValueError(f"{path}: holiday {row['date']} has no [[year]] row saying whether {row['date'].year} is complete")
    return holidays, years


@functools.lru_cache(maxsize=4)
def holiday_data(path: Path = HOLIDAY_DATA_FILE) -> HolidayData:
    from exchange_calendars.exchange_calendar_xbom import XBOMExchangeCalendar, precomputed_bse_holidays

    xbom = frozenset(ts.date() for ts in precomputed_bse_holidays)
    specials: set[date] = set()
    for start, end, mask in XBOMExchangeCalendar.special_weekmasks.fget(None):  # type: ignore[attr-defined]
        d = start.date()
        while d <= end.date():
            if d.weekday() >= 5 and mask[d.weekday()] == "1":
                specials.add(d)
            d += timedelta(days=1)
    rows, years = _read_holiday_file(path)
    by_group: dict[str, set[date]] = {"NSE": set(xbom), "BSE": set(xbom)}
    for row in rows:
        for group in row.get("exchanges", ["NSE", "BSE"]):
            by_group[exchange_group(group)].add(row["date"])
    # XBOM's list is complete through the end of its last recorded year (§9.5: 2026); a later year
    # counts only when the data file marks it complete, and only if every year before it is.
    complete_year = max(d.year for d in xbom)
    while years.get(complete_year + 1, {}).get("complete") is True:
        complete_year += 1
    partial = {y: str(r.get("source", "")) for y, r in sorted(years.items()) if y > complete_year}
    return HolidayData(
        holidays={g: frozenset(v) for g, v in by_group.items()},
        specials=frozenset(specials),
        complete_through=date(complete_year, 12, 31),
        partial_years=partial,
        extra=tuple(rows),
    )


def _base_calendar(group: str = "NSE") -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, special weekend sessions) of an exchange group, before overrides."""
    data = holiday_data()
    return data.holidays[group], data.specials


def holiday_data_complete_through() -> date:
    """The last day for which the shipped data holds the exchange's complete holiday list."""
    return holiday_data().complete_through


def calendar_horizon(today: date) -> date:
    """The latest day the calendar must know about for contracts listed on `today`: the end of the
    far futures month (contract_specs.DEMO_FUTURE_MONTHS serial months)."""
    y, m = today.year, today.month + specs.DEMO_FUTURE_MONTHS - 1
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return date(y, m, _cal.monthrange(y, m)[1])


def holiday_data_warning(today: date) -> str | None:
    """A sentence for ops when the calendar is used past its complete holiday data, else None."""
    data = holiday_data()
    horizon = calendar_horizon(today)
    if horizon <= data.complete_through:
        return None
    known = [
        f"{row['date'].isoformat()} ({row.get('description', 'holiday')})"
        for row in data.extra
        if row["date"] > data.complete_through
    ]
    return (
        f"Exchange holiday data is complete only through {data.complete_through.isoformat()}, but contracts "
        f"listed today run to {horizon.isoformat()}. After {data.complete_through.isoformat()} the calendar "
        f"knows only {', '.join(known) if known else 'no holidays'}; every other weekday is treated as a "
        "trading day, so sessions and expiries on a holiday not listed would be wrong. Add NSE's published list "
        "to marketdata/data/exchange_holidays.toml (with its circular) or enter the dates as market holiday "
        "overrides."
    )


_warned_years: set[int] = set()


def _note_unknown(d: date) -> None:
    if d > holiday_data().complete_through and d.year not in _warned_years:
        _warned_years.add(d.year)
        logger.warning(
            "Trading calendar used for %s, past the complete holiday data (through %s): only the listed "
            "holidays and overrides are known for %s.",
            d.isoformat(),
            holiday_data().complete_through.isoformat(),
            d.year,
        )


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
    group = exchange_group(exchange)
    override = _overrides().get((group, d))
    if override is not None:
        return override
    _note_unknown(d)
    return d in _base_calendar(group)[0]


def is_trading_day(exchange: str, d: date) -> bool:
    group = exchange_group(exchange)
    override = _overrides().get((group, d))
    if override is not None:
        return not override
    _note_unknown(d)
    holidays, specials = _base_calendar(group)
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
