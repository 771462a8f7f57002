"""Every job at its scheduled time on an exchange holiday and on a monthly expiry day, clock pinned: on the
holiday every trading-day job is skipped and says why (broker health runs every day); on the expiry day
(a trading day) every job runs, with a working order and an MIS position on the contract expiring that day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from housekeeping import jobs
from housekeeping.models import HousekeepingEvent
from orders.models import Order

pytestmark = pytest.mark.dates

AT = {"expired_instruments": "09:00", "eod_reconciliation": "15:30", "mis_square_off": "15:20"}
HOLIDAY = "2026-12-25"  # Christmas, Friday: NSE/BSE closed (exchange calendar)
EXPIRY = "2026-12-29"  # last Tuesday of December: NIFTY monthly expiry
NAMES = sorted(j.name for j in jobs.jobs_all())


@pytest.fixture
def outcome(monkeypatch):
    """The status of every run as the runner counts it (a quiet job, e.g. order_state_sync, logs no event
    when it skipped or found nothing to do, but it is counted)."""
    seen: dict[str, str] = {}
    real = jobs.metrics.job_finished

    def capture(name, status, elapsed):  # noqa: ANN001, ANN202
        seen[name] = status
        return real(name, status, elapsed)

    monkeypatch.setattr(jobs.metrics, "job_finished", capture)
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_every_job_on_a_holiday(name, travel_to, run_job, outcome):
    travel_to(f"{HOLIDAY} {AT.get(name, '10:00')} IST")
    ev = run_job(name)
    if jobs.JOBS[name].trading_days_only:
        assert outcome[name] == HousekeepingEvent.Status.SKIPPED
        assert ev is None or "not a trading day" in ev.note, (name, ev.note)
    else:
        assert outcome[name] == HousekeepingEvent.Status.OK, (name, ev.errors)


@pytest.mark.parametrize("name", NAMES)
def test_every_job_on_an_expiry_day(name, user, make_instrument, fake_market, place, travel_to, run_job, outcome):
    travel_to(f"{EXPIRY} 09:20 IST", tick=True)
    make_instrument(1001, "NIFTY26DECFUT", expiry=date(2026, 12, 29))  # expires today
    fake_market.set(1001, "24000")
    place(product="MIS")  # an intraday position
    resting = place(order_type="LIMIT", price=D("23000"))  # working all day
    travel_to(f"{EXPIRY} {AT.get(name, '10:00')} IST", tick=True)
    ev = run_job(name)
    assert outcome[name] == HousekeepingEvent.Status.OK, (name, ev and (ev.note, ev.errors))
    resting.refresh_from_db()
    if name == "expired_instruments":  # the contract still trades today: nothing on it is cancelled
        assert resting.status == "OPEN" and "cancelled" not in ev.did
    if name == "mis_square_off":  # 15:20: the derivatives square-off runs on an expiry day as on any day
        assert Order.objects.filter(user=user, product="MIS", transaction_type="SELL").exists(), ev.did
