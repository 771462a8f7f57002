"""Charge rates in the database: the seed, the selector's choice by date, and edits made in admin."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from margin import charges as c
from margin import selectors
from margin.models import ChargeRate

pytestmark = pytest.mark.django_db

RATES_FILE = Path(c.__file__).resolve().parent / "data" / "charge_rates.json"
MAR_31, APR_01, LATER_2026 = date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 20)


def option_buy(day: date, quantity: int = 100, price: str = "100") -> c.ChargeInput:
    return c.ChargeInput(
        c.Exchange.NSE,
        c.Segment.EQUITY_OPTIONS,
        c.InstrumentType.CE,
        c.Side.BUY,
        quantity,
        Decimal(price),
        c.Product.NRML,
        c.OrderType.LIMIT,
        day,
    )


def form_data(row: ChargeRate, **changes: object) -> dict[str, object]:
    data = {
        name: getattr(row, name)
        for name in (
            "exchange",
            "segment",
            "component",
            "tax_type",
            "product",
            "side",
            "underlying",
            "rate_percent",
            "flat_inr",
            "source",
        )
    }
    data |= {
        "cap_inr": row.cap_inr if row.cap_inr is not None else "",
        "effective_from": row.effective_from.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else "",
    }
    data |= changes
    return data


def test_the_migration_seeds_every_row_of_the_data_file():
    refs = [row["ref"] for row in json.loads(RATES_FILE.read_text(encoding="utf-8"))["rates"]]
    assert sorted(ChargeRate.objects.values_list("ref", flat=True)) == sorted(refs)
    seeded = ChargeRate.objects.get(ref="nse-opt-stt-sell-2026")
    assert (seeded.rate_percent, seeded.effective_from, seeded.effective_to) == (Decimal("0.15"), APR_01, None)
    assert "FATAX73524" in seeded.source


def test_the_selector_picks_the_rows_in_force_on_the_date():
    # §1.1: options sell STT 0.10% to 31 Mar 2026, 0.15% from 1 Apr 2026.
    march = selectors.charge_schedule_on(MAR_31, "NSE", "equity_options")
    april = selectors.charge_schedule_on(APR_01, c.Exchange.NSE, c.Segment.EQUITY_OPTIONS)
    assert march.products[c.Product.NRML].sell.transaction_tax.percent == Decimal("0.1")
    assert april.products[c.Product.NRML].sell.transaction_tax.percent == Decimal("0.15")
    assert march.exercise_tax.percent == Decimal("0.125") and april.exercise_tax.percent == Decimal("0.15")


def test_a_new_period_takes_over_from_its_first_day():
    # A hypothetical GST change on 1 Apr 2027: end the current row, add its successor.
    current = ChargeRate.objects.get(ref="nse-opt-gst")
    current.effective_to = date(2027, 3, 31)
    current.save()
    ChargeRate.objects.create(
        component="gst",
        exchange="NSE",
        segment="equity_options",
        rate_percent=Decimal("20"),
        effective_from=date(2027, 4, 1),
        source="test: hypothetical GST notification",
    )
    before = selectors.order_charges(option_buy(date(2027, 3, 31)))
    after = selectors.order_charges(option_buy(date(2027, 4, 1)))
    # brokerage 20 + exchange 0.03553% x 10,000 = 3.553 + SEBI 0.01 = 23.563 taxable.
    assert before.gst.total == Decimal("0.18") * Decimal("23.563")
    assert after.gst.total == Decimal("0.20") * Decimal("23.563")


def test_a_date_before_any_schedule_is_refused_with_a_stable_code():
    with pytest.raises(c.ChargeScheduleNotFound) as refused:
        selectors.charge_schedule_on(date(2024, 9, 30), "NSE", "equity_options")
    assert refused.value.code == "CHARGE_SCHEDULE_NOT_FOUND"
    assert refused.value.details == {"day": "2024-09-30", "exchange": "NSE", "segment": "equity_options"}
    with pytest.raises(c.ChargeScheduleNotFound):
        selectors.order_charges(option_buy(date(2024, 9, 30)))


def test_a_rate_ended_without_a_successor_makes_the_schedule_incomplete():
    ChargeRate.objects.filter(ref="nse-opt-sebi").update(effective_to=date(2026, 10, 31))
    with pytest.raises(c.ChargeScheduleIncomplete) as refused:
        selectors.charge_schedule_on(LATER_2026, "NSE", "equity_options")
    assert refused.value.code == "CHARGE_SCHEDULE_INCOMPLETE"
    assert refused.value.details["component"] == "sebi_fee"


def test_an_unknown_segment_is_refused():
    with pytest.raises(c.ChargeInputInvalid) as refused:
        selectors.charge_schedule_on(LATER_2026, "NSE", "currency_futures")
    assert refused.value.code == "CHARGE_INPUT_INVALID"


def test_an_admin_edit_of_a_rate_changes_the_charges(admin_client):
    assert selectors.order_charges(option_buy(LATER_2026)).exchange_turnover_charge == Decimal("3.553")
    row = ChargeRate.objects.get(ref="nse-opt-exchange-2026")
    url = reverse("admin:margin_chargerate_change", args=[row.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, form_data(row, rate_percent="0.04", source=row.source + "; test edit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    # 0.04% x 10,000 = 4; GST follows: 0.18 x (20 + 4 + 0.01).
    charged = selectors.order_charges(option_buy(LATER_2026))
    assert charged.exchange_turnover_charge == Decimal("4")
    assert charged.gst.total == Decimal("0.18") * Decimal("24.01")
    # Trades before the edited row's period keep their own rates.
    assert selectors.order_charges(option_buy(date(2025, 7, 15))).exchange_turnover_charge == Decimal("3.553")


def test_admin_refuses_a_period_that_overlaps_the_same_rate(admin_client):
    row = ChargeRate.objects.get(ref="nse-opt-stt-sell-2026")
    count = ChargeRate.objects.count()
    response = admin_client.post(
        reverse("admin:margin_chargerate_add"),
        form_data(row, rate_percent="0.2", effective_from="2026-10-01", source="test: overlapping"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "overlaps" in response.content.decode()
    assert ChargeRate.objects.count() == count


def test_admin_refuses_a_rate_that_cannot_apply(admin_client):
    row = ChargeRate.objects.get(ref="nse-opt-gst")
    response = admin_client.post(
        reverse("admin:margin_chargerate_add"),
        form_data(row, product="NRML", effective_from="2027-01-01", source="test: GST by product"),
    )
    assert response.status_code == 200
    assert "does not depend on the product" in response.content.decode()


def test_the_admin_list_filters_by_exchange_and_segment(admin_client):
    response = admin_client.get(
        reverse("admin:margin_chargerate_changelist"), {"exchange": "BSE", "segment": "equity_options"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "SENSEX" in page and "0.0325" in page
