"""Settlement pages in the browser: the positions page's M2M chart (vendored Chart.js), the settlement history
and the funds ledger with its CSV, all showing rows the real settlement service wrote in the server's database."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SETUP = """
from datetime import timedelta
from decimal import Decimal as D
from django.contrib.auth import get_user_model
from django.utils import timezone
from accounts.errors import AccountNotFound
from accounts.selectors import account_resolve
from accounts.services import paper_account_create
from marketdata import calendar as mcal
from marketdata.models import Instrument
from portfolio import services, settlement
from portfolio.models import Position
u = get_user_model().objects.get(username={username!r})
try:
    acc = account_resolve(user=u)
except AccountNotFound:
    acc = paper_account_create(user=u, name="Paper", make_default=True)
services.funds_pay_in(account=acc, amount="50000")
fut = Instrument.objects.filter(name="NIFTY", instrument_type="FUT").order_by("expiry").last()
p = Position.objects.create(user=u, account=acc, exchange=fut.exchange, tradingsymbol=fut.tradingsymbol,
    instrument_token=fut.instrument_token, product="NRML", quantity=75, average_price=D("24000"))
d2 = mcal.previous_trading_day("NFO", timezone.localdate() - timedelta(days=1))
d1 = mcal.previous_trading_day("NFO", d2 - timedelta(days=1))
settlement._settle_one_future(p.pk, d1, D("24040.50"), source="SIMULATED")
settlement._settle_one_future(p.pk, d2, D("23990.00"), source="SIMULATED")
print("SYMBOL=" + fut.tradingsymbol)
"""


def test_settlement_chart_history_and_ledger_with_csv(logged_in_page: Any, live: Any) -> None:
    page = logged_in_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    symbol = re.search(r"SYMBOL=(\S+)", live.shell(SETUP.format(username=page.username))).group(1)

    page.goto(f"{live.url}/positions/")
    chart = page.locator("#settlement-chart")
    expect(chart).to_have_attribute("data-rendered", "2")  # Chart.js drew the two settlement days
    assert page.evaluate("typeof window.Chart") == "function"

    page.click("[data-testid=settlements-link]")
    rows = page.locator("[data-testid=settlement-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(symbol)
    expect(rows.first.locator("[data-testid=settlement-m2m]")).to_contain_text("3,787.50")  # 75 x (23,990 - 24,040.50)
    expect(page.locator("#settlement-chart")).to_have_attribute("data-rendered", "2")

    page.goto(f"{live.url}/ledger/")
    expect(page.locator("[data-testid=ledger-row][data-kind=M2M_SETTLEMENT]")).to_have_count(2)
    expect(page.locator("[data-testid=funds-m2m]")).to_contain_text("750.00")  # 3,037.50 - 3,787.50
    cash_text = page.locator("[data-testid=funds-cash]").inner_text()

    answer = page.request.get(f"{live.url}/ledger.csv")
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text())))
    assert [r["kind"] for r in table] == ["OPENING_BALANCE", "PAY_IN", "M2M_SETTLEMENT", "M2M_SETTLEMENT"]
    total = sum(Decimal(r["amount"]) for r in table)
    assert total == Decimal(table[-1]["cash_after"])
    assert Decimal(re.sub(r"[^0-9.]", "", cash_text)) == total  # the CSV adds up to the cash the page shows
    page.set_viewport_size({"width": 390, "height": 900})  # a phone: nothing of these pages is wider than it
    for path in ("/positions/", "/settlements/", "/ledger/"):
        page.goto(f"{live.url}{path}")
        page.wait_for_load_state("networkidle")
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => !e.closest('.table-scroll')"
            " && e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)"
        )
        assert wide == [], (path, wide)
    assert errors == []
