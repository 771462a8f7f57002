"""orders.ui: the display facts of the order pages (#14)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from orders.ui import day_change, split_positions


def test_day_change_of_a_position_opened_today_is_from_its_average():
    # A short opened today: the contract fell 914 from yesterday's close but only 4.60 below our entry.
    assert day_change(ltp=Decimal("59912.20"), close=Decimal("60826.20"), avg=Decimal("59907.60"),
                      quantity=-30, overnight=0) == Decimal("-138.00")


def test_day_change_of_a_carried_position_is_from_the_previous_close():
    assert day_change(ltp=Decimal("110"), close=Decimal("100"), avg=Decimal("90"), quantity=50, overnight=50) == 500
    # 50 carried, 25 bought today at an average of 104 (blended average used for today's part).
    assert day_change(ltp=Decimal("110"), close=Decimal("100"), avg=Decimal("104"), quantity=75,
                      overnight=50) == Decimal(50 * 10 + 25 * 6)
    assert day_change(ltp=None, close=Decimal("100"), avg=Decimal("1"), quantity=5, overnight=0) is None


def test_flat_positions_split_into_closed_today_and_earlier():
    today = date(2026, 12, 1)
    rows = [SimpleNamespace(quantity=65, trading_day=today), SimpleNamespace(quantity=0, trading_day=today),
            SimpleNamespace(quantity=0, trading_day=date(2026, 11, 30))]
    parts = split_positions(rows, today=today)
    assert [len(parts[k]) for k in ("open", "closed_today", "closed_earlier")] == [1, 1, 1]
