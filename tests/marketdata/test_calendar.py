"""Trading calendar: holidays, weekends, sessions, expiry rules and the override table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from marketdata import calendar as cal
from marketdata.calendar import SessionState
from marketdata.models import MarketHolidayOverride

pytestmark = pytest.mark.django_db


def test_known_holiday_and_weekend() -> None:
    assert not cal.is_trading_day("NSE", date(2026, 1, 26))  # Republic Day
    assert not cal.is_trading_day("NFO", date(2026, 10, 2))  # Gandhi Jayanti
    assert not cal.is_trading_day("NSE", date(2026, 11, 21))  # Saturday
    assert cal.is_trading_day("NSE", date(2026, 11, 20))
    assert cal.is_trading_day("BSE", date(2025, 2, 1))  # special Saturday session (Budget day)


def test_session_states() -> None:
    ist = cal.IST
    assert cal.session_state("NFO", datetime(2026, 11, 20, 9, 5, tzinfo=ist)) == SessionState.PRE_OPEN
    assert cal.session_state("NFO", datetime(2026, 11, 20, 9, 15, tzinfo=ist)) == SessionState.OPEN
    assert cal.session_state("NFO", datetime(2026, 11, 20, 15, 30, tzinfo=ist)) == SessionState.CLOSED
    assert cal.session_state("NFO", datetime(2026, 11, 21, 11, 0, tzinfo=ist)) == SessionState.CLOSED
    # 10:00 UTC = 15:30 IST: closed; 05:00 UTC = 10:30 IST: open
    assert cal.session_state("NSE", datetime(2026, 11, 20, 5, 0, tzinfo=UTC)) == SessionState.OPEN


def test_nifty_weekly_expiries_are_tuesdays_shifted_over_holidays() -> None:
    # 24 Nov 2026 (Tuesday) is a holiday (Guru Nanak Jayanti) -> Monday 23 Nov.
    assert cal.expiries("NIFTY", date(2026, 11, 20), 3) == [date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 8)]
    assert cal.monthly_expiry("BANKNIFTY", 2026, 11) == date(2026, 11, 23)
    assert cal.monthly_expiry("BANKNIFTY", 2026, 12) == date(2026, 12, 29)
    # 26 Jan 2027 (the last Tuesday) is Republic Day (marketdata/data/exchange_holidays.toml) -> Monday 25 Jan.
    assert cal.expiries("BANKNIFTY", date(2026, 11, 24), 2) == [date(2026, 12, 29), date(2027, 1, 25)]


def test_sensex_expires_thursday_and_stocks_last_tuesday() -> None:
    assert all(d.weekday() == 3 for d in cal.expiries("SENSEX", date(2026, 12, 1), 4))
    assert cal.monthly_expiry("SENSEX", 2026, 12) == date(2026, 12, 31)
    assert cal.expiries("RELIANCE", date(2026, 12, 1), 1, kind="future") == [date(2026, 12, 29)]


def test_override_table_adds_and_removes_holidays() -> None:
    assert cal.is_trading_day("NSE", date(2026, 12, 8))
    MarketHolidayOverride.objects.create(date=date(2026, 12, 8), exchange="NSE", description="test closure")
    MarketHolidayOverride.objects.create(date=date(2026, 11, 24), exchange="ALL", is_holiday=False)
    cal.clear_override_cache()
    assert not cal.is_trading_day("NFO", date(2026, 12, 8))
    assert cal.is_trading_day("BFO", date(2026, 12, 8))  # NSE-only closure
    assert cal.is_trading_day("NSE", date(2026, 11, 24))
    assert cal.expiries("NIFTY", date(2026, 12, 2), 1) == [date(2026, 12, 7)]
    assert cal.expiries("NIFTY", date(2026, 11, 20), 1) == [date(2026, 11, 24)]


def test_market_is_open_respects_sim_any_time(settings) -> None:  # noqa: ANN001
    inst = SimpleNamespace(exchange="NFO")
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=cal.IST)
    settings.SIM_TRADE_ANY_TIME = True
    assert cal.market_is_open(inst, sunday, simulated=True)
    assert not cal.market_is_open(inst, sunday, simulated=False)
    settings.SIM_TRADE_ANY_TIME = False
    assert not cal.market_is_open(inst, sunday, simulated=True)
    assert cal.market_is_open(inst, datetime(2026, 11, 20, 12, 0, tzinfo=cal.IST), simulated=True)
