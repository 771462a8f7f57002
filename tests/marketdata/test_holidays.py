"""Holidays after 2026: the shipped holiday data (marketdata/data/exchange_holidays.toml), expiries
that respect it, and the warnings ops get when the calendar runs past complete holiday data.

Before: exchange_calendars' XBOM list ends with 2026, so 26 Jan 2027 was a trading day and the
January 2027 NIFTY/BANKNIFTY contracts expired on Republic Day, silently.
"""

from __future__ import annotations

import logging
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from marketdata import calendar as cal
from marketdata.checks import holiday_data_check

pytestmark = pytest.mark.django_db


def test_republic_day_2027_is_a_holiday_on_nse_and_bse() -> None:
    for exchange in ("NSE", "NFO", "BSE", "BFO"):
        assert cal.is_holiday(exchange, date(2027, 1, 26))
        assert not cal.is_trading_day(exchange, date(2027, 1, 26))
    assert cal.is_trading_day("NFO", date(2027, 1, 25))


def test_january_2027_contracts_expire_on_the_previous_trading_day() -> None:
    # 26 Jan 2027 is the last Tuesday of January: NSE's monthly (and that week's NIFTY weekly) expiry
    # moves back to Monday 25 Jan (reference-data.md §4: a holiday -> the previous trading day).
    assert cal.monthly_expiry("NIFTY", 2027, 1) == date(2027, 1, 25)
    assert cal.monthly_expiry("BANKNIFTY", 2027, 1) == date(2027, 1, 25)
    assert cal.monthly_expiry("RELIANCE", 2027, 1) == date(2027, 1, 25)
    assert cal.expiries("NIFTY", date(2027, 1, 20), 2) == [date(2027, 1, 25), date(2027, 2, 2)]
    assert cal.expiries("NIFTY", date(2027, 1, 26), 1) == [date(2027, 2, 2)]
    assert cal.monthly_expiry("SENSEX", 2027, 1) == date(2027, 1, 28)  # BSE Thursday: unaffected


def test_holiday_file_cites_a_source_for_every_row_and_guesses_nothing() -> None:
    with cal.HOLIDAY_DATA_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    assert data["holiday"], "the file ships at least Republic Day 2027"
    for row in data["holiday"]:
        assert isinstance(row["date"], date) and row["source"] and row["description"]
    years = {row["year"]: row for row in data["year"]}
    # The research gives only Republic Day for 2027 (§9.5): the year is NOT marked complete.
    assert years[2027]["complete"] is False and years[2027]["source"]
    assert {row["date"] for row in data["holiday"] if row["date"].year == 2027} == {date(2027, 1, 26)}
    assert cal.holiday_data_complete_through() == date(2026, 12, 31)


def test_a_holiday_row_without_a_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "holidays.toml"
    bad.write_text('[[year]]\nyear = 2027\ncomplete = false\n\n[[holiday]]\ndate = 2027-08-15\ndescription = "x"\n')
    with pytest.raises(ValueError, match="source"):
        cal.holiday_data(bad)


def test_a_year_marked_complete_extends_the_known_range(tmp_path: Path) -> None:
    good = tmp_path / "holidays.toml"
    good.write_text(
        '[[year]]\nyear = 2027\ncomplete = true\nsource = "NSE circular (test)"\n\n'
        '[[holiday]]\ndate = 2027-01-26\ndescription = "Republic Day"\nsource = "test"\n'
    )
    data = cal.holiday_data(good)
    assert data.complete_through == date(2027, 12, 31) and data.partial_years == {}
    assert date(2027, 1, 26) in data.holidays["NSE"]


def test_system_check_warns_when_listed_contracts_run_past_the_holiday_data(travel_to: Any) -> None:
    travel_to("2026-12-01 10:00 IST")  # the far futures month (Feb 2027) lies past 2026
    (warning,) = [w for w in holiday_data_check() if w.id == "marketdata.W001"]
    assert "complete only through 2026-12-31" in warning.msg and "2027-01-26 (Republic Day)" in warning.msg
    travel_to("2026-09-01 10:00 IST")  # far month November 2026: fully known
    assert holiday_data_check() == []


def test_calendar_admin_shows_the_notice(admin_client: Any, travel_to: Any) -> None:
    travel_to("2026-12-01 10:00 IST")
    response = admin_client.get(reverse("admin:marketdata_marketholidayoverride_changelist"))
    assert response.status_code == 200
    assert "Exchange holiday data is complete only through 2026-12-31" in response.content.decode()
    response = admin_client.get(reverse("admin:marketdata_instrument_changelist"))
    assert "Exchange holiday data is complete only through 2026-12-31" in response.content.decode()
    travel_to("2026-09-01 10:00 IST")
    response = admin_client.get(reverse("admin:marketdata_marketholidayoverride_changelist"))
    assert "Exchange holiday data is complete only" not in response.content.decode()


def test_using_an_unknown_year_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    cal._warned_years.discard(2028)
    with caplog.at_level(logging.WARNING, logger="marketdata.calendar"):
        cal.is_trading_day("NSE", date(2028, 3, 1))
    assert any("past the complete holiday data" in r.getMessage() for r in caplog.records)
