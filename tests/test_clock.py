"""The test clock: `--at` pins a whole session; `travel_to` pins one test (tests/README.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from marketdata import calendar
from tests.conftest import IST, parse_instant


def test_parse_instant_reads_ist_by_default_and_utc_when_said() -> None:
    assert parse_instant("2027-01-04 10:00 IST") == datetime(2027, 1, 4, 4, 30, tzinfo=UTC)
    assert parse_instant("2027-01-04 10:00") == datetime(2027, 1, 4, 10, 0, tzinfo=IST)
    assert parse_instant("2027-01-04T04:30 UTC") == datetime(2027, 1, 4, 4, 30, tzinfo=UTC)
    assert parse_instant("2026-12-02") == datetime(2026, 12, 2, 10, 0, tzinfo=IST)
    with pytest.raises(pytest.UsageError):
        parse_instant("next tuesday")


@pytest.mark.needs_at  # deselected without --at (tests/conftest.py): scripts/test-dates runs it at each instant
def test_the_session_clock_is_the_one_asked_for(request: pytest.FixtureRequest) -> None:
    at = request.config.getoption("--at")
    pinned = parse_instant(at)
    now = timezone.now()
    # The clock ticks on from the pinned instant: the test starts within minutes of it.
    assert 0 <= (now - pinned).total_seconds() < 15 * 60
    assert timezone.localdate() == pinned.astimezone(calendar.IST).date()


@pytest.mark.django_db  # the calendar reads its admin overrides
def test_travel_to_pins_one_test_and_moves(travel_to) -> None:  # noqa: ANN001
    clock = travel_to("2026-12-29 15:24 IST")
    assert timezone.localtime(timezone.now(), calendar.IST).strftime("%Y-%m-%d %H:%M") == "2026-12-29 15:24"
    assert date.today() == date(2026, 12, 29)
    clock.move_to(parse_instant("2026-12-05 11:00 IST"))
    assert not calendar.is_trading_day("NSE", timezone.localdate())  # a Saturday
